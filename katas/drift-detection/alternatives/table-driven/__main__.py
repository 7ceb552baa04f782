"""Style: tables and loops; json.dumps inside .apply over ARNs; one guard rule per call.

Parameters, role statements and guarded calls are module-level tables the program loops
over. Policies are JSON strings built with ``json.dumps`` inside ``Output.all(...).apply``.
The HTTPS ingress is split into the two halves of the internal range (ranges inside
it), egress is HTTPS and PostgreSQL to the internal range only. Each guarded call has a
rule of its own; the PutParameter guard pages on the two configuration parameters,
never on the checkpoint.
"""

import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("service")
internal_cidr = cfg.require("internalCidr")
identity = aws.get_caller_identity()
region = aws.get_region().region
config_arns = f"arn:aws:ssm:{region}:{identity.account_id}:parameter/{service}/*"
tags = {"owner": "team-orders", "service": service, "cost-center": "cc-4417"}

# The parameter table: logical name -> (initial value, owned by the service at run time).
PARAMETERS = {
    "log-level": ("INFO", False),
    "payments-url": ("https://payments.internal.example.com", False),
    "checkpoint": ("0", True),
}
# The guard table: CloudTrail event source -> event names that weaken the baseline.
GUARDED = {
    "ec2.amazonaws.com": ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"],
    "s3.amazonaws.com": [
        "PutBucketVersioning",
        "DeleteBucketEncryption",
        "DeleteBucketPublicAccessBlock",
        "PutBucketPolicy",
    ],
    "iam.amazonaws.com": ["PutRolePolicy"],
    "ssm.amazonaws.com": ["DeleteParameter"],
}

bucket = aws.s3.Bucket("orders-data", tags=tags)
versioning = aws.s3.BucketVersioning(
    "orders-data-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
)
encryption = aws.s3.BucketServerSideEncryptionConfiguration(
    "orders-data-encryption",
    bucket=bucket.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"},
            "bucket_key_enabled": True,
        }
    ],
)
block = aws.s3.BucketPublicAccessBlock(
    "orders-data-block",
    bucket=bucket.id,
    **{
        flag: True
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
    },
)
aws.s3.BucketPolicy(
    "orders-data-policy",
    bucket=bucket.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TlsOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": ["s3:*"],
                        "Resource": [f"{arn}/*", arn],
                        "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
                    }
                ],
            }
        )
    ),
    opts=pulumi.ResourceOptions(depends_on=[block]),
)

half = internal_cidr.split("/")
first_half = f"{half[0]}/{int(half[1]) + 1}"
octets = half[0].split(".")
# 10.20.0.0/16 -> 10.20.128.0/17: the upper half of the range.
second_half = f"{octets[0]}.{octets[1]}.128.0/{int(half[1]) + 1}"
sg = aws.ec2.SecurityGroup(
    "orders-web",
    description="orders web tier",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": [first_half],
            "description": "HTTPS from the lower half of the VPC",
        },
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": [second_half],
            "description": "HTTPS from the upper half of the VPC",
        },
    ],
    egress=[
        {
            "protocol": "tcp",
            "from_port": port,
            "to_port": port,
            "cidr_blocks": [internal_cidr],
            "description": what,
        }
        for port, what in ((443, "HTTPS to VPC endpoints"), (5432, "PostgreSQL in the VPC"))
    ],
    tags=tags,
)

params = {
    name: aws.ssm.Parameter(
        name,
        name=f"/{service}/{name}",
        type="String",
        value=value,
        tags=tags,
        opts=pulumi.ResourceOptions(ignore_changes=["value"] if service_owned else None),
    )
    for name, (value, service_owned) in PARAMETERS.items()
}

role = aws.iam.Role(
    "orders-app",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
    ),
    tags=tags,
)
permissions = aws.iam.RolePolicy(
    "orders-app-permissions",
    name="orders-app",
    role=role.name,
    policy=pulumi.Output.all(bucket.arn, params["checkpoint"].arn).apply(
        lambda args: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "ssm:GetParameter",
                        "Resource": config_arns,
                    },
                    {"Effect": "Allow", "Action": "ssm:PutParameter", "Resource": args[1]},
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{args[0]}/*"},
                    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{args[0]}/*"},
                ],
            }
        )
    ),
)
aws.iam.RolePoliciesExclusive(
    "orders-app-exclusive",
    role_name=role.name,
    policy_names=["orders-app"],
    opts=pulumi.ResourceOptions(depends_on=[permissions]),
)

topic_name = f"{service}-drift-alerts"
topic = aws.sns.Topic(
    "alerts",
    name=topic_name,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": ["sns:Publish"],
                    "Resource": f"arn:aws:sns:{region}:{identity.account_id}:{topic_name}",
                }
            ],
        }
    ),
    tags=tags,
)


def guard(rule_name: str, pattern: dict) -> None:
    rule = aws.cloudwatch.EventRule(rule_name, event_pattern=json.dumps(pattern), tags=tags)
    aws.cloudwatch.EventTarget(f"{rule_name}-to-topic", rule=rule.name, arn=topic.arn)


for source, names in GUARDED.items():
    for event_name in names:
        guard(
            f"guard-{event_name}".lower(),
            {
                "source": [f"aws.{source.split('.')[0]}"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {"eventSource": [source], "eventName": [event_name]},
            },
        )
# A changed payments URL is as dangerous as an opened port; the checkpoint is the service's.
guard(
    "guard-config-write",
    {
        "source": ["aws.ssm"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["ssm.amazonaws.com"],
            "eventName": ["PutParameter"],
            "requestParameters": {"name": [f"/{service}/log-level", f"/{service}/payments-url"]},
        },
    },
)

pulumi.export("bucketName", bucket.bucket)
pulumi.export("securityGroupId", sg.id)
pulumi.export("roleName", role.name)
pulumi.export("alertTopicArn", topic.arn)
