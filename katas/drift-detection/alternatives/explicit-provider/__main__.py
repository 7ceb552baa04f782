"""Style: an explicit aws.Provider, pulumi.Output.json_dumps, per-resource grants.

Every resource goes through one explicit provider (region from stack config). Policy
documents are built with ``pulumi.Output.json_dumps`` over resource outputs. The role
reads exactly the three parameters it uses (their ARNs, narrower than the SPEC's
``parameter/<service>/*``), and the topic policy lets EventBridge publish only for
the guard rule (``aws:SourceArn``), with the console's spelling ``SNS:Publish``.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("service")
internal_cidr = cfg.require("internalCidr")
region = pulumi.Config("aws").require("region")
provider = aws.Provider("main", region=region)
opts = pulumi.ResourceOptions(provider=provider)
account = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=provider)).account_id
tags = {"owner": "team-orders", "service": service, "cost-center": "cc-4417"}

bucket = aws.s3.Bucket("data", tags=tags, opts=opts)
aws.s3.BucketVersioning(
    "data-versioning",
    bucket=bucket.id,
    versioning_configuration={"status": "Enabled"},
    opts=opts,
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "data-encryption",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
    opts=opts,
)
pab = aws.s3.BucketPublicAccessBlock(
    "data-public-access",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=opts,
)
aws.s3.BucketPolicy(
    "data-policy",
    bucket=bucket.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "HttpsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    ),
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[pab]),
)

web = aws.ec2.SecurityGroup(
    "web",
    description="orders web",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": [internal_cidr],
            "description": "HTTPS from the internal load balancers",
        }
    ],
    egress=[
        {
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": [internal_cidr],
            "description": "all traffic inside the VPC",
        }
    ],
    tags=tags,
    opts=opts,
)

parameters = {
    "log-level": aws.ssm.Parameter(
        "log-level",
        name=f"/{service}/log-level",
        type="String",
        value="INFO",
        tags=tags,
        opts=opts,
    ),
    "payments-url": aws.ssm.Parameter(
        "payments-url",
        name=f"/{service}/payments-url",
        type="String",
        value="https://payments.internal.example.com",
        tags=tags,
        opts=opts,
    ),
    "checkpoint": aws.ssm.Parameter(
        "checkpoint",
        name=f"/{service}/checkpoint",
        type="String",
        value="0",
        tags=tags,
        opts=pulumi.ResourceOptions(provider=provider, ignore_changes=["value"]),
    ),
}

role = aws.iam.Role(
    "app",
    assume_role_policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
        }
    ),
    tags=tags,
    opts=opts,
)
reads = aws.iam.RolePolicy(
    "app-read-config",
    role=role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                    "Resource": [p.arn for p in parameters.values()],
                }
            ],
        }
    ),
    opts=opts,
)
writes = aws.iam.RolePolicy(
    "app-checkpoint",
    role=role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "ssm:PutParameter",
                    "Resource": parameters["checkpoint"].arn,
                }
            ],
        }
    ),
    opts=opts,
)
objects = aws.iam.RolePolicy(
    "app-objects",
    role=role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                }
            ],
        }
    ),
    opts=opts,
)
aws.iam.RolePoliciesExclusive(
    "app-only-these",
    role_name=role.name,
    policy_names=[reads.name, writes.name, objects.name],
    opts=opts,
)

rule_name = f"{service}-baseline-guard"
topic_name = f"{service}-drift-alerts"
topic = aws.sns.Topic(
    "alerts",
    name=topic_name,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "GuardRulePublishes",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "SNS:Publish",
                    "Resource": f"arn:aws:sns:{region}:{account}:{topic_name}",
                    "Condition": {
                        "ArnEquals": {
                            "aws:SourceArn": f"arn:aws:events:{region}:{account}:rule/{rule_name}"
                        }
                    },
                }
            ],
        }
    ),
    tags=tags,
    opts=opts,
)
rule = aws.cloudwatch.EventRule(
    "guard",
    name=rule_name,
    event_pattern=pulumi.Output.json_dumps(
        {
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                "eventSource": [
                    "ec2.amazonaws.com",
                    "s3.amazonaws.com",
                    "iam.amazonaws.com",
                    "ssm.amazonaws.com",
                ],
                "eventName": [
                    "AuthorizeSecurityGroupIngress",
                    "RevokeSecurityGroupEgress",
                    "PutBucketVersioning",
                    "DeleteBucketEncryption",
                    "DeleteBucketPublicAccessBlock",
                    "PutBucketPolicy",
                    "PutRolePolicy",
                    "DeleteParameter",
                ],
            },
        }
    ),
    tags=tags,
    opts=opts,
)
aws.cloudwatch.EventTarget("guard-page", rule=rule.name, arn=topic.arn, opts=opts)

pulumi.export("bucketName", bucket.bucket)
pulumi.export("securityGroupId", web.id)
pulumi.export("roleName", role.name)
pulumi.export("alertTopicArn", topic.arn)
