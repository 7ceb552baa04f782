"""Style: ComponentResource classes, the BucketV2 family of S3 types, dict policies.

One component per part of the baseline (data bucket, web security group, service
role, guards), each resource parented to its component. Policies are Python dicts
(pulumi-aws 7 accepts a dict for ``policy``/``assume_role_policy``); the TLS-only
deny is written as two statements, one for the bucket and one for its objects, with
the principal spelled ``{"AWS": "*"}``. The role's permissions are split into two
inline policies, both declared exclusive.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
SERVICE = config.require("service")
INTERNAL_CIDR = config.require("internalCidr")
ACCOUNT = aws.get_caller_identity().account_id
REGION = aws.get_region().region
TAGS = {"owner": "team-orders", "service": SERVICE, "cost-center": "cc-4417"}


class DataBucket(pulumi.ComponentResource):
    """A private, versioned, encrypted bucket that refuses plain HTTP."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("orders:baseline:DataBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.BucketV2(name, tags=TAGS, opts=child)
        aws.s3.BucketVersioningV2(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfigurationV2(
            f"{name}-sse",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        pab = aws.s3.BucketPublicAccessBlock(
            f"{name}-pab",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        # Two statements: the bucket-level and the object-level TLS deny.
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(
                lambda arn: {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyPlainHttpBucket",
                            "Effect": "Deny",
                            "Principal": {"AWS": "*"},
                            "Action": "s3:*",
                            "Resource": arn,
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Sid": "DenyPlainHttpObjects",
                            "Effect": "Deny",
                            "Principal": {"AWS": "*"},
                            "Action": "s3:*",
                            "Resource": f"{arn}/*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ],
                }
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]),
        )
        self.register_outputs({"bucket": self.bucket.bucket})


class WebSecurityGroup(pulumi.ComponentResource):
    """HTTPS in from the VPC, anything out to the VPC only."""

    def __init__(self, name: str, cidr: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("orders:baseline:WebSecurityGroup", name, None, opts)
        self.group = aws.ec2.SecurityGroup(
            name,
            description=f"{SERVICE} web tier",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[cidr],
                    description="HTTPS from the internal load balancers",
                )
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=[cidr],
                    description="to services inside the VPC only",
                )
            ],
            tags=TAGS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"id": self.group.id})


class ServiceRole(pulumi.ComponentResource):
    """The ECS task role, with exclusive inline policies."""

    def __init__(
        self,
        name: str,
        bucket_arn: pulumi.Output[str],
        checkpoint_arn: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("orders:baseline:ServiceRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            name,
            assume_role_policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            tags=TAGS,
            opts=child,
        )
        config_policy = aws.iam.RolePolicy(
            f"{name}-config",
            role=self.role.id,
            policy=checkpoint_arn.apply(
                lambda cp: {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReadConfiguration",
                            "Effect": "Allow",
                            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                            "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{SERVICE}/*",
                        },
                        {
                            "Sid": "AdvanceCheckpoint",
                            "Effect": "Allow",
                            "Action": "ssm:PutParameter",
                            "Resource": cp,
                        },
                    ],
                }
            ),
            opts=child,
        )
        objects_policy = aws.iam.RolePolicy(
            f"{name}-objects",
            role=self.role.id,
            policy=bucket_arn.apply(
                lambda arn: {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Objects",
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:PutObject"],
                            "Resource": f"{arn}/*",
                        }
                    ],
                }
            ),
            opts=child,
        )
        aws.iam.RolePoliciesExclusive(
            f"{name}-inline-policies",
            role_name=self.role.name,
            policy_names=[config_policy.name, objects_policy.name],
            opts=child,
        )
        self.register_outputs({"name": self.role.name})


class Guards(pulumi.ComponentResource):
    """EventBridge rules that page on the calls that weaken the baseline."""

    CALLS = {
        "ec2": ["AuthorizeSecurityGroupIngress"],
        "s3": [
            "PutBucketVersioning",
            "DeleteBucketEncryption",
            "DeleteBucketPublicAccessBlock",
            "PutBucketPolicy",
            "DeleteBucketPolicy",
        ],
        "iam": ["PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy"],
        "ssm": ["DeleteParameter"],
    }

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("orders:baseline:Guards", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic_name = f"{SERVICE}-drift-alerts"
        topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic_name}"
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=topic_name,
            policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "EventBridgePublishes",
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": topic_arn,
                    }
                ],
            },
            tags=TAGS,
            opts=child,
        )
        for service, calls in self.CALLS.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{service}",
                description=f"Page on {service} calls that weaken the {SERVICE} baseline",
                event_pattern=json.dumps(
                    {
                        "source": [f"aws.{service}"],
                        "detail-type": ["AWS API Call via CloudTrail"],
                        "detail": {
                            "eventSource": [f"{service}.amazonaws.com"],
                            "eventName": calls,
                        },
                    }
                ),
                tags=TAGS,
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{service}-page", rule=rule.name, arn=self.topic.arn, opts=child
            )
        self.register_outputs({"topic": self.topic.arn})


data = DataBucket("data")
web = WebSecurityGroup("web", INTERNAL_CIDR)

prefix = f"/{SERVICE}"
aws.ssm.Parameter("log-level", name=f"{prefix}/log-level", type="String", value="INFO", tags=TAGS)
aws.ssm.Parameter(
    "payments-url",
    name=f"{prefix}/payments-url",
    type="String",
    value="https://payments.internal.example.com",
    tags=TAGS,
)
# The service owns the running value; the program only creates it.
checkpoint = aws.ssm.Parameter(
    "checkpoint",
    name=f"{prefix}/checkpoint",
    type="String",
    value="0",
    tags=TAGS,
    opts=pulumi.ResourceOptions(ignore_changes=["value"]),
)

app = ServiceRole("app", data.bucket.arn, checkpoint.arn)
guards = Guards("guards")

pulumi.export("bucketName", data.bucket.bucket)
pulumi.export("securityGroupId", web.group.id)
pulumi.export("roleName", app.role.name)
pulumi.export("alertTopicArn", guards.topic.arn)
