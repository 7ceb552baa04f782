"""The orders service's production baseline: first draft.

It deploys, and the service runs on it. It was also written before anyone thought
about drift: the security group is wide open "until the load balancer moves", nothing
stops an inline policy added in the console from living forever, the service's own
checkpoint writes look like drift, and nobody is told when someone weakens the bucket.
Make it meet SPEC.md, and write the triage in drift.py.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
service = config.require("service")
internal_cidr = config.require("internalCidr")
prefix = f"/{service}"

account = aws.get_caller_identity().account_id
region = aws.get_region().region

# TODO(R4): every resource that takes tags needs all three.
TAGS = {"owner": "team-orders", "service": service, "cost-center": "cc-4417"}

bucket = aws.s3.Bucket("data", tags=TAGS)
aws.s3.BucketVersioning(
    "data-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "data-encryption",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
)
aws.s3.BucketPublicAccessBlock(
    "data-public-access",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
# TODO(R1): requests without TLS must be denied.

# TODO(R2): HTTPS from the internal network only, and out to it only.
web = aws.ec2.SecurityGroup(
    "web",
    description=f"{service} API",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "HTTPS",
        }
    ],
    egress=[
        {
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "anywhere",
        }
    ],
)

# The service reads these at start, and advances the checkpoint as it processes orders.
# TODO(R5): the checkpoint's running value is the service's, not the program's.
log_level = aws.ssm.Parameter("log-level", name=f"{prefix}/log-level", type="String", value="INFO")
payments_url = aws.ssm.Parameter(
    "payments-url",
    name=f"{prefix}/payments-url",
    type="String",
    value="https://payments.internal.example.com",
)
checkpoint = aws.ssm.Parameter("checkpoint", name=f"{prefix}/checkpoint", type="String", value="0")

role = aws.iam.Role(
    "app",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
# TODO(R3): the service reads its own parameters, gets and puts objects, and writes
# nothing but its checkpoint.
aws.iam.RolePolicy(
    "app-permissions",
    role=role.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"},
                    {"Effect": "Allow", "Action": "s3:*", "Resource": [arn, f"{arn}/*"]},
                ],
            }
        )
    ),
)
# TODO(R6): an inline policy someone adds to this role in the console is invisible to
# refresh today, and survives every deploy.

alerts = aws.sns.Topic("drift-alerts", name=f"{service}-drift-alerts")
# TODO(R9): nothing publishes to the topic yet. Page on the API calls that weaken the
# baseline, and only on those.

pulumi.export("bucketName", bucket.bucket)
pulumi.export("securityGroupId", web.id)
pulumi.export("roleName", role.name)
pulumi.export("alertTopicArn", alerts.arn)
