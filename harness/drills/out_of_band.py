"""Out-of-band changes: what a person in the console (or a script with admin keys) does
to deployed resources behind the IaC pipeline's back.

Models two AWS behaviours:

1. **The change itself.** Each drill makes the API call the console makes, through the
   emulator's API with the harness's admin credentials, so the emulator holds exactly
   what AWS would after the click. A drill refuses (``DrillRefused``) where AWS would
   refuse the call and the emulator would not — e.g. a public bucket policy while the
   bucket's public access block has ``BlockPublicPolicy`` on (AWS: AccessDenied).
2. **The CloudTrail record of it.** AWS records every management write in CloudTrail
   and delivers it to the account's default EventBridge bus as an
   ``"AWS API Call via CloudTrail"`` event (IAM's in us-east-1). moto records nothing,
   so each drill builds that event — the documented CloudTrail fields: ``eventSource``,
   ``eventName``, ``userIdentity``, ``requestParameters`` spelled as CloudTrail spells
   them — and ``deliver(change)`` puts it on the bus, where the candidate's rules match
   it with the emulator's own pattern matcher and send it to their targets.

Every drill returns an ``OutOfBandChange``: the API call, the resource it touched, the
event, and ``undo()`` which puts the resource back as it was (the checks undo what
they did, so converge and teardown see the program's stack).

    drills = OutOfBand(aws, region="us-east-1", account="123456789012")
    change = drills.open_security_group(sg_id)          # 0.0.0.0/0 on port 22
    drills.deliver(change)                              # CloudTrail -> EventBridge
    change.undo()

Drills: ``open_security_group``, ``suspend_versioning``, ``delete_bucket_encryption``,
``delete_public_access_block``, ``put_public_bucket_policy``, ``put_inline_role_policy``,
``change_tag``, ``delete_tag``, ``delete_parameter``, ``service_writes_parameter`` (the
running service changing its own parameter: a legitimate change, from the service's role).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from harness.engines.state import ResourceState

DETAIL_TYPE = "AWS API Call via CloudTrail"
S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ConsoleHotfix", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
ROLE = "aws:iam/role:Role"
PARAMETER = "aws:ssm/parameter:Parameter"
TAGGABLE = (BUCKET, BUCKET_V2, SECURITY_GROUP, ROLE, PARAMETER)


class DrillRefused(Exception):
    """AWS would refuse this change; the drill does not make it."""


@dataclass
class OutOfBandChange:
    drill: str  # the drill's name, e.g. "open_security_group"
    api_call: str  # "ec2:AuthorizeSecurityGroupIngress"
    resource: str  # the physical id it touched: group id, bucket, role or parameter name
    event: dict[str, Any]  # the EventBridge event CloudTrail delivers for the call
    undo: Callable[[], None] = field(repr=False, default=lambda: None)

    @property
    def event_name(self) -> str:
        return str(self.event["detail"]["eventName"])


def _id(resource: ResourceState | str) -> str:
    return resource.id if isinstance(resource, ResourceState) else resource


class OutOfBand:
    """The drills, acting with ``client(service, region=None)`` (admin credentials)."""

    def __init__(
        self,
        client: Callable[..., Any],
        region: str,
        account: str,
        actor: str = "console-admin",
        settle_s: float = 0.0,
    ) -> None:
        self.client = client
        # moto runs a rule's targets before PutEvents answers; LocalStack delivers them
        # afterwards, so a check reading the inbox at once would find it empty (and a
        # "sends no page" check would pass for nothing). deliver() waits this long.
        self.settle_s = settle_s
        self.region = region
        self.account = account
        self.actor = actor

    # -- the CloudTrail record -----------------------------------------------------

    def _identity(self, role_arn: str | None = None) -> dict[str, Any]:
        if role_arn is None:
            return {
                "type": "IAMUser",
                "principalId": "AIDAKATACONSOLEADMIN",
                "arn": f"arn:aws:iam::{self.account}:user/{self.actor}",
                "accountId": self.account,
                "userName": self.actor,
            }
        role_name = role_arn.rsplit("/", 1)[-1]
        return {
            "type": "AssumedRole",
            "principalId": f"AROAKATASERVICE:{role_name}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/service",
            "accountId": self.account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": role_arn,
                    "accountId": self.account,
                    "userName": role_name,
                }
            },
        }

    def _event(
        self,
        service: str,
        name: str,
        params: dict[str, Any],
        response: Any = None,
        role_arn: str | None = None,
    ) -> dict[str, Any]:
        region = "us-east-1" if service == "iam" else self.region  # IAM is global
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        detail = {
            "eventVersion": "1.09",
            "userIdentity": self._identity(role_arn),
            "eventTime": now,
            "eventSource": f"{service}.amazonaws.com",
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": "203.0.113.10" if role_arn is None else "10.0.1.23",
            "userAgent": f"console.{service}.amazonaws.com" if role_arn is None else "Boto3",
            "requestParameters": params,
            "responseElements": response,
            "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        return {
            "version": "0",
            "detail-type": DETAIL_TYPE,
            "source": f"aws.{service}",
            "account": self.account,
            "time": now,
            "region": region,
            "resources": [],
            "detail": detail,
        }

    def deliver(self, change: OutOfBandChange) -> str:
        """Put the change's CloudTrail event on the default bus of its region, as AWS does.

        Returns the event id. The candidate's rules on that bus match it and notify
        their targets (SNS topics included: see harness/emulator/patches.py).
        """
        event = change.event
        result = self.client("events", event["region"]).put_events(
            Entries=[
                {
                    "Source": event["source"],
                    "DetailType": event["detail-type"],
                    "Detail": json.dumps(event["detail"]),
                    "Resources": event["resources"],
                }
            ]
        )
        entry = result["Entries"][0]
        if result.get("FailedEntryCount") or "EventId" not in entry:
            raise RuntimeError(f"EventBridge refused the event: {entry}")
        if self.settle_s:
            time.sleep(self.settle_s)
        return str(entry["EventId"])

    # -- EC2 -------------------------------------------------------------------------

    def open_security_group(
        self,
        group: ResourceState | str,
        port: int = 22,
        cidr: str = "0.0.0.0/0",
        protocol: str = "tcp",
    ) -> OutOfBandChange:
        """Add an ingress rule: ``port`` open to ``cidr`` ("just for a quick debug")."""
        gid = _id(group)
        ec2 = self.client("ec2")
        perm = {
            "IpProtocol": protocol,
            "FromPort": port,
            "ToPort": port,
            "IpRanges": [{"CidrIp": cidr}],
        }
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[perm])
        params = {
            "groupId": gid,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": protocol,
                        "fromPort": port,
                        "toPort": port,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": cidr}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        }

        def undo() -> None:
            with contextlib.suppress(ClientError):
                ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[perm])

        return OutOfBandChange(
            "open_security_group",
            "ec2:AuthorizeSecurityGroupIngress",
            gid,
            self._event("ec2", "AuthorizeSecurityGroupIngress", params, {"_return": True}),
            undo,
        )

    # -- S3 --------------------------------------------------------------------------

    def _s3_params(self, bucket: str, **extra: Any) -> dict[str, Any]:
        return {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", **extra}

    def suspend_versioning(self, bucket: ResourceState | str) -> OutOfBandChange:
        """Suspend versioning ("it costs too much storage")."""
        name = _id(bucket)
        s3 = self.client("s3")
        with contextlib.suppress(ClientError):
            if s3.get_object_lock_configuration(Bucket=name).get("ObjectLockConfiguration"):
                raise DrillRefused(
                    f"{name} has Object Lock: S3 refuses to suspend its versioning "
                    "(InvalidBucketState)"
                )
        before = s3.get_bucket_versioning(Bucket=name).get("Status")
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        params = self._s3_params(
            name,
            versioning="",
            VersioningConfiguration={"Status": "Suspended", "xmlns": S3_XMLNS},
        )

        def undo() -> None:
            if before:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": before})

        return OutOfBandChange(
            "suspend_versioning",
            "s3:PutBucketVersioning",
            name,
            self._event("s3", "PutBucketVersioning", params),
            undo,
        )

    def delete_bucket_encryption(self, bucket: ResourceState | str) -> OutOfBandChange:
        """Remove the bucket's default encryption configuration."""
        name = _id(bucket)
        s3 = self.client("s3")
        try:
            before = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]
        except ClientError:
            before = None
        s3.delete_bucket_encryption(Bucket=name)

        def undo() -> None:
            if before:
                rules = [{k: v for k, v in r.items() if v is not None} for r in before["Rules"]]
                s3.put_bucket_encryption(
                    Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules}
                )

        return OutOfBandChange(
            "delete_bucket_encryption",
            "s3:DeleteBucketEncryption",
            name,
            self._event("s3", "DeleteBucketEncryption", self._s3_params(name, encryption="")),
            undo,
        )

    def delete_public_access_block(self, bucket: ResourceState | str) -> OutOfBandChange:
        """Remove the bucket's public access block (the first step of making it public)."""
        name = _id(bucket)
        s3 = self.client("s3")
        try:
            before = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        except ClientError:
            before = None
        s3.delete_public_access_block(Bucket=name)

        def undo() -> None:
            if before:
                s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=before)

        return OutOfBandChange(
            "delete_public_access_block",
            "s3:DeleteBucketPublicAccessBlock",  # CloudTrail's name for DeletePublicAccessBlock
            name,
            self._event(
                "s3", "DeleteBucketPublicAccessBlock", self._s3_params(name, publicAccessBlock="")
            ),
            undo,
        )

    def put_public_bucket_policy(self, bucket: ResourceState | str) -> OutOfBandChange:
        """Replace the bucket policy with one that lets anyone read every object.

        Refused while the bucket's public access block has BlockPublicPolicy on, as S3
        refuses it: call ``delete_public_access_block`` first, as a person would.
        """
        name = _id(bucket)
        s3 = self.client("s3")
        try:
            block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        except ClientError:
            block = {}
        if block.get("BlockPublicPolicy"):
            raise DrillRefused(
                f"{name}: BlockPublicPolicy is on, so S3 refuses a public bucket policy "
                "(AccessDenied); delete the public access block first"
            )
        try:
            before: str | None = s3.get_bucket_policy(Bucket=name)["Policy"]
        except ClientError:
            before = None
        public = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{name}/*",
                }
            ],
        }
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(public))

        def undo() -> None:
            if before is None:
                s3.delete_bucket_policy(Bucket=name)
            else:
                s3.put_bucket_policy(Bucket=name, Policy=before)

        params = self._s3_params(name, bucketPolicy=public, policy="")
        return OutOfBandChange(
            "put_public_bucket_policy",
            "s3:PutBucketPolicy",
            name,
            self._event("s3", "PutBucketPolicy", params),
            undo,
        )

    # -- IAM -------------------------------------------------------------------------

    def put_inline_role_policy(
        self,
        role: ResourceState | str,
        policy_name: str = "console-hotfix",
        document: dict[str, Any] | None = None,
    ) -> OutOfBandChange:
        """Attach an extra inline policy to a role (default: Allow * on *)."""
        name = _id(role)
        iam = self.client("iam")
        doc = json.dumps(document or ADMIN_POLICY)
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=doc)

        def undo() -> None:
            with contextlib.suppress(ClientError):
                iam.delete_role_policy(RoleName=name, PolicyName=policy_name)

        params = {"roleName": name, "policyName": policy_name, "policyDocument": doc}
        return OutOfBandChange(
            "put_inline_role_policy",
            "iam:PutRolePolicy",
            name,
            self._event("iam", "PutRolePolicy", params),
            undo,
        )

    # -- tags (bucket, security group, role, parameter) -----------------------------

    def change_tag(self, resource: ResourceState, key: str, value: str) -> OutOfBandChange:
        """Set tag ``key`` to ``value`` on a deployed resource (adds it if absent)."""
        return self._tag(resource, key, value)

    def delete_tag(self, resource: ResourceState, key: str) -> OutOfBandChange:
        """Remove tag ``key`` from a deployed resource."""
        return self._tag(resource, key, None)

    def _tag(self, resource: ResourceState, key: str, value: str | None) -> OutOfBandChange:
        if resource.type not in TAGGABLE:
            raise ValueError(f"no tag drill for {resource.type}; supported: {TAGGABLE}")
        drill = "change_tag" if value is not None else "delete_tag"
        rid = resource.id
        if resource.type in (BUCKET, BUCKET_V2):
            return self._tag_bucket(drill, rid, key, value)
        if resource.type == SECURITY_GROUP:
            return self._tag_security_group(drill, rid, key, value)
        if resource.type == ROLE:
            return self._tag_role(drill, rid, key, value)
        return self._tag_parameter(drill, rid, key, value)

    def _tag_bucket(self, drill: str, name: str, key: str, value: str | None) -> OutOfBandChange:
        s3 = self.client("s3")
        try:
            before = s3.get_bucket_tagging(Bucket=name)["TagSet"]
        except ClientError:
            before = []
        after = [t for t in before if t["Key"] != key]
        if value is not None:
            after.append({"Key": key, "Value": value})
        # S3 replaces the whole tag set; removing the last tag is DeleteBucketTagging.
        if after:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": after})
            call, params = (
                "PutBucketTagging",
                self._s3_params(
                    name, tagging="", Tagging={"TagSet": {"Tag": after}, "xmlns": S3_XMLNS}
                ),
            )
        else:
            s3.delete_bucket_tagging(Bucket=name)
            call, params = "DeleteBucketTagging", self._s3_params(name, tagging="")

        def undo() -> None:
            if before:
                s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": before})
            else:
                s3.delete_bucket_tagging(Bucket=name)

        return OutOfBandChange(drill, f"s3:{call}", name, self._event("s3", call, params), undo)

    def _tag_security_group(
        self, drill: str, gid: str, key: str, value: str | None
    ) -> OutOfBandChange:
        ec2 = self.client("ec2")
        group = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
        before = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
        resources = {"items": [{"resourceId": gid}]}
        if value is not None:
            ec2.create_tags(Resources=[gid], Tags=[{"Key": key, "Value": value}])
            call = "CreateTags"
            params = {
                "resourcesSet": resources,
                "tagSet": {"items": [{"key": key, "value": value}]},
            }
        else:
            ec2.delete_tags(Resources=[gid], Tags=[{"Key": key}])
            call = "DeleteTags"
            params = {"resourcesSet": resources, "tagSet": {"items": [{"key": key}]}}

        def undo() -> None:
            if key in before:
                ec2.create_tags(Resources=[gid], Tags=[{"Key": key, "Value": before[key]}])
            else:
                ec2.delete_tags(Resources=[gid], Tags=[{"Key": key}])

        return OutOfBandChange(drill, f"ec2:{call}", gid, self._event("ec2", call, params), undo)

    def _tag_role(self, drill: str, name: str, key: str, value: str | None) -> OutOfBandChange:
        iam = self.client("iam")
        before = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
        if value is not None:
            iam.tag_role(RoleName=name, Tags=[{"Key": key, "Value": value}])
            call, params = "TagRole", {"roleName": name, "tags": [{"key": key, "value": value}]}
        else:
            iam.untag_role(RoleName=name, TagKeys=[key])
            call, params = "UntagRole", {"roleName": name, "tagKeys": [key]}

        def undo() -> None:
            if key in before:
                iam.tag_role(RoleName=name, Tags=[{"Key": key, "Value": before[key]}])
            else:
                iam.untag_role(RoleName=name, TagKeys=[key])

        return OutOfBandChange(drill, f"iam:{call}", name, self._event("iam", call, params), undo)

    def _tag_parameter(self, drill: str, name: str, key: str, value: str | None) -> OutOfBandChange:
        ssm = self.client("ssm")
        listed = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)
        before = {t["Key"]: t["Value"] for t in listed.get("TagList", [])}
        target = {"resourceType": "Parameter", "resourceId": name}
        if value is not None:
            ssm.add_tags_to_resource(
                ResourceType="Parameter", ResourceId=name, Tags=[{"Key": key, "Value": value}]
            )
            call = "AddTagsToResource"
            params = {**target, "tags": [{"key": key, "value": value}]}
        else:
            ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=[key])
            call, params = "RemoveTagsFromResource", {**target, "tagKeys": [key]}

        def undo() -> None:
            if key in before:
                ssm.add_tags_to_resource(
                    ResourceType="Parameter",
                    ResourceId=name,
                    Tags=[{"Key": key, "Value": before[key]}],
                )
            else:
                ssm.remove_tags_from_resource(
                    ResourceType="Parameter", ResourceId=name, TagKeys=[key]
                )

        return OutOfBandChange(drill, f"ssm:{call}", name, self._event("ssm", call, params), undo)

    # -- SSM parameters ----------------------------------------------------------------

    def delete_parameter(self, parameter: ResourceState | str) -> OutOfBandChange:
        """Delete a parameter ("nobody uses this one, surely")."""
        name = _id(parameter)
        ssm = self.client("ssm")
        param = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        described = ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]
        )["Parameters"]
        meta = described[0] if described else {}
        tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name).get(
            "TagList", []
        )
        ssm.delete_parameter(Name=name)

        def undo() -> None:
            kwargs: dict[str, Any] = {"Name": name, "Value": param["Value"], "Type": param["Type"]}
            for key in ("Description", "KeyId", "Tier", "AllowedPattern", "DataType"):
                if meta.get(key) and not (key == "KeyId" and param["Type"] != "SecureString"):
                    kwargs[key] = meta[key]
            if tags:
                kwargs["Tags"] = tags
            ssm.put_parameter(**kwargs)

        return OutOfBandChange(
            "delete_parameter",
            "ssm:DeleteParameter",
            name,
            self._event("ssm", "DeleteParameter", {"name": name}),
            undo,
        )

    def service_writes_parameter(
        self, parameter: ResourceState | str, value: str, role_arn: str | None = None
    ) -> OutOfBandChange:
        """The running service overwrites its own parameter (a checkpoint, a leader id).

        Not drift anyone should act on: the program must exclude the value with
        ``ignore_changes``. The CloudTrail record names the service's role when given.
        """
        name = _id(parameter)
        ssm = self.client("ssm")
        param = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        ssm.put_parameter(Name=name, Value=value, Type=param["Type"], Overwrite=True)

        def undo() -> None:
            ssm.put_parameter(Name=name, Value=param["Value"], Type=param["Type"], Overwrite=True)

        params = {"name": name, "type": param["Type"], "overwrite": True}
        return OutOfBandChange(
            "service_writes_parameter",
            "ssm:PutParameter",
            name,
            self._event("ssm", "PutParameter", params, {"version": 2}, role_arn=role_arn),
            undo,
        )
