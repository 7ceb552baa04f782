"""The out-of-band drills: each changes the emulator as the console would, records the
CloudTrail event AWS would deliver, refuses what AWS refuses, and undoes itself.
Resources are made with boto3 directly (no program runs), so each test is quick.
"""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.drills.notifications import Inbox
from harness.drills.out_of_band import DETAIL_TYPE, DrillRefused, OutOfBand
from harness.emulator import ACCOUNT_ID
from harness.engines.state import ResourceState

REGION = "us-east-1"


@pytest.fixture
def drills(aws_client):
    return OutOfBand(
        lambda service, region=None: aws_client(service, region or REGION), REGION, ACCOUNT_ID
    )


@pytest.fixture
def bucket(aws_client):
    s3 = aws_client("s3")
    name = f"drill-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    block = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "owner", "Value": "data"}]})
    yield name
    for call in (s3.delete_bucket_policy, s3.delete_bucket):
        with contextlib.suppress(ClientError):
            call(Bucket=name)


@pytest.fixture
def group(aws_client):
    ec2 = aws_client("ec2")
    gid = ec2.create_security_group(
        GroupName=f"drill-{uuid.uuid4().hex[:10]}",
        Description="drill",
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "owner", "Value": "web"}]}
        ],
    )["GroupId"]
    yield gid
    ec2.delete_security_group(GroupId=gid)


@pytest.fixture
def role(aws_client):
    iam = aws_client("iam")
    name = f"drill-{uuid.uuid4().hex[:10]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(trust),
        Tags=[{"Key": "owner", "Value": "app"}],
    )
    yield name
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    iam.delete_role(RoleName=name)


@pytest.fixture
def parameter(aws_client):
    ssm = aws_client("ssm")
    name = f"/drill/{uuid.uuid4().hex[:10]}/level"
    ssm.put_parameter(
        Name=name,
        Value="INFO",
        Type="String",
        Description="log level",
        Tags=[{"Key": "owner", "Value": "app"}],
    )
    yield name
    with contextlib.suppress(ClientError):
        ssm.delete_parameter(Name=name)


def _detail(change):
    assert change.event["detail-type"] == DETAIL_TYPE
    detail = change.event["detail"]
    assert detail["eventSource"] == f"{change.event['source'][4:]}.amazonaws.com"
    assert change.api_call == f"{change.event['source'][4:]}:{detail['eventName']}"
    assert detail["readOnly"] is False and detail["managementEvent"] is True
    return detail


def _ingress(ec2, gid):
    return ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]


def test_open_security_group_adds_world_ingress_and_undoes(drills, aws_client, group):
    ec2 = aws_client("ec2")
    change = drills.open_security_group(group)
    cidrs = [(p.get("FromPort"), r["CidrIp"]) for p in _ingress(ec2, group) for r in p["IpRanges"]]
    assert cidrs == [(22, "0.0.0.0/0")]
    detail = _detail(change)
    assert detail["eventName"] == "AuthorizeSecurityGroupIngress"
    assert detail["requestParameters"]["groupId"] == group
    item = detail["requestParameters"]["ipPermissions"]["items"][0]
    assert item["ipRanges"]["items"] == [{"cidrIp": "0.0.0.0/0"}] and item["fromPort"] == 22
    assert detail["userIdentity"]["type"] == "IAMUser"
    change.undo()
    assert _ingress(ec2, group) == []


def test_suspend_versioning_and_undo(drills, aws_client, bucket):
    s3 = aws_client("s3")
    change = drills.suspend_versioning(bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    detail = _detail(change)
    assert detail["eventName"] == "PutBucketVersioning"
    assert detail["requestParameters"]["bucketName"] == bucket
    assert detail["requestParameters"]["VersioningConfiguration"]["Status"] == "Suspended"
    change.undo()
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_suspend_versioning_is_refused_on_an_object_lock_bucket(drills, aws_client):
    s3 = aws_client("s3")
    name = f"drill-lock-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    try:
        with pytest.raises(DrillRefused, match="Object Lock"):
            drills.suspend_versioning(name)
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    finally:
        s3.delete_bucket(Bucket=name)


def test_delete_bucket_encryption_and_undo(drills, aws_client, bucket):
    s3 = aws_client("s3")
    change = drills.delete_bucket_encryption(bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_encryption(Bucket=bucket)
    assert _detail(change)["eventName"] == "DeleteBucketEncryption"
    assert change.event["detail"]["requestParameters"]["bucketName"] == bucket
    change.undo()
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_public_bucket_policy_needs_the_public_access_block_gone_first(drills, aws_client, bucket):
    s3 = aws_client("s3")
    with pytest.raises(DrillRefused, match="BlockPublicPolicy"):
        drills.put_public_bucket_policy(bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=bucket)  # nothing was put

    unblocked = drills.delete_public_access_block(bucket)
    with pytest.raises(ClientError):
        s3.get_public_access_block(Bucket=bucket)
    assert _detail(unblocked)["eventName"] == "DeleteBucketPublicAccessBlock"

    public = drills.put_public_bucket_policy(bucket)
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Principal"] == "*"
    detail = _detail(public)
    assert detail["eventName"] == "PutBucketPolicy"
    assert detail["requestParameters"]["bucketPolicy"]["Statement"][0]["Principal"] == "*"

    public.undo()
    unblocked.undo()
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=bucket)
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_put_inline_role_policy_and_undo(drills, aws_client, role):
    iam = aws_client("iam")
    change = drills.put_inline_role_policy(role)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["console-hotfix"]
    detail = _detail(change)
    assert detail["eventName"] == "PutRolePolicy" and detail["awsRegion"] == "us-east-1"
    assert detail["requestParameters"]["roleName"] == role
    assert (
        json.loads(detail["requestParameters"]["policyDocument"])["Statement"][0]["Action"] == "*"
    )
    change.undo()
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []


def _tags(aws_client, kind, rid):
    if kind == "bucket":
        try:
            tags = aws_client("s3").get_bucket_tagging(Bucket=rid)["TagSet"]
        except ClientError:
            tags = []
    elif kind == "group":
        tags = (
            aws_client("ec2")
            .describe_security_groups(GroupIds=[rid])["SecurityGroups"][0]
            .get("Tags", [])
        )
    elif kind == "role":
        tags = aws_client("iam").list_role_tags(RoleName=rid)["Tags"]
    else:
        tags = aws_client("ssm").list_tags_for_resource(ResourceType="Parameter", ResourceId=rid)[
            "TagList"
        ]
    return {t["Key"]: t["Value"] for t in tags}


TOKENS = {
    "bucket": ("aws:s3/bucket:Bucket", "s3", "PutBucketTagging", "DeleteBucketTagging"),
    "group": ("aws:ec2/securityGroup:SecurityGroup", "ec2", "CreateTags", "DeleteTags"),
    "role": ("aws:iam/role:Role", "iam", "TagRole", "UntagRole"),
    "parameter": (
        "aws:ssm/parameter:Parameter",
        "ssm",
        "AddTagsToResource",
        "RemoveTagsFromResource",
    ),
}


@pytest.mark.parametrize("kind", sorted(TOKENS))
def test_tag_drills_change_and_delete_a_tag_on_each_type(drills, aws_client, kind, request):
    rid = request.getfixturevalue({"group": "group"}.get(kind, kind))
    token, service, set_call, delete_call = TOKENS[kind]
    resource = ResourceState(urn=f"urn:test::{kind}", type=token, name=kind, id=rid)

    before = _tags(aws_client, kind, rid)
    assert list(before) == ["owner"]
    changed = drills.change_tag(resource, "owner", "someone-else")
    assert _tags(aws_client, kind, rid) == {"owner": "someone-else"}
    assert changed.api_call == f"{service}:{set_call}"
    changed.undo()
    assert _tags(aws_client, kind, rid) == before

    deleted = drills.delete_tag(resource, "owner")
    assert _tags(aws_client, kind, rid) == {}
    assert deleted.api_call == f"{service}:{delete_call}"
    deleted.undo()
    assert _tags(aws_client, kind, rid) == before


def test_tag_drill_names_the_types_it_supports(drills):
    queue = ResourceState(urn="urn:test::q", type="aws:sqs/queue:Queue", name="q", id="url")
    with pytest.raises(ValueError, match="no tag drill for aws:sqs/queue:Queue"):
        drills.change_tag(queue, "owner", "x")


def test_delete_parameter_and_undo_restores_value_description_and_tags(
    drills, aws_client, parameter
):
    ssm = aws_client("ssm")
    change = drills.delete_parameter(parameter)
    with pytest.raises(ClientError):
        ssm.get_parameter(Name=parameter)
    detail = _detail(change)
    assert detail["eventName"] == "DeleteParameter"
    assert detail["requestParameters"] == {"name": parameter}
    change.undo()
    assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == "INFO"
    meta = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [parameter]}]
    )["Parameters"][0]
    assert meta["Description"] == "log level"
    assert _tags(aws_client, "parameter", parameter) == {"owner": "app"}


def test_service_writes_parameter_as_its_role(drills, aws_client, parameter):
    ssm = aws_client("ssm")
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/app-service"
    change = drills.service_writes_parameter(parameter, "DEBUG", role_arn=role_arn)
    assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == "DEBUG"
    detail = _detail(change)
    assert detail["eventName"] == "PutParameter"
    assert detail["userIdentity"]["type"] == "AssumedRole"
    assert detail["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == role_arn
    change.undo()
    assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == "INFO"


def test_deliver_reaches_a_matching_rule_s_sns_topic_and_nothing_else(
    drills, aws_client, group, bucket
):
    """CloudTrail -> EventBridge -> SNS -> SQS: only the event the pattern names pages."""
    events, sns = aws_client("events"), aws_client("sns")
    rule = f"drill-guard-{uuid.uuid4().hex[:8]}"
    topic = sns.create_topic(Name=rule)["TopicArn"]
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": [DETAIL_TYPE],
        "detail": {
            "eventName": ["AuthorizeSecurityGroupIngress"],
            "requestParameters": {"groupId": [group]},
        },
    }
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "page", "Arn": topic}])
    try:
        with Inbox.subscribe(aws_client, topic) as inbox:
            opened = drills.open_security_group(group)
            suspended = drills.suspend_versioning(bucket)
            drills.deliver(suspended)
            assert inbox.receive() == []  # not this rule's call
            drills.deliver(opened)
            pages = inbox.receive(wait_s=1)
            opened.undo()
            suspended.undo()
        assert len(pages) == 1
        assert pages[0]["detail"]["eventName"] == "AuthorizeSecurityGroupIngress"
        assert pages[0]["detail"]["requestParameters"]["groupId"] == group
        assert pages[0]["source"] == "aws.ec2" and pages[0]["account"] == ACCOUNT_ID
    finally:
        events.remove_targets(Rule=rule, Ids=["page"])
        events.delete_rule(Name=rule)
        sns.delete_topic(TopicArn=topic)
