"""The orders service's production baseline, with drift guards: the reference solution.

Everything a console session could quietly weaken is declared here, so a refresh sees
it change and the next `up --refresh` puts it back: the bucket's versioning,
encryption, public access block and TLS-only policy, the security group's rules, the
role's inline policies (exclusively), every parameter. The one value the service
writes itself is excluded with `ignore_changes`. Between scans, an EventBridge rule
pages on the API calls that weaken any of it.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
service = config.require("service")
internal_cidr = config.require("internalCidr")
prefix = f"/{service}"

caller = aws.get_caller_identity()
region = aws.get_region().region
account = caller.account_id

TAGS = {"owner": "team-orders", "service": service, "cost-center": "cc-4417"}

# -- data bucket: versioned, encrypted, private, TLS only ---------------------------------

bucket = aws.s3.Bucket("data", tags=TAGS)
aws.s3.BucketVersioning(
    "data-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "data-encryption",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
)
public_access = aws.s3.BucketPublicAccessBlock(
    "data-public-access",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketPolicy(
    "data-policy",
    bucket=bucket.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        )
    ),
    # S3 checks a new policy against the block: create the block first.
    opts=pulumi.ResourceOptions(depends_on=[public_access]),
)

# -- network: HTTPS in from the internal network only, HTTPS out to it only ---------------

web = aws.ec2.SecurityGroup(
    "web",
    description=f"{service} API: HTTPS from the internal network only",
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
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": [internal_cidr],
            "description": "HTTPS to internal services and VPC endpoints",
        }
    ],
    tags=TAGS,
)

# -- configuration: the service reads all of it and writes only its checkpoint ------------

parameters = {
    "log-level": aws.ssm.Parameter(
        "log-level", name=f"{prefix}/log-level", type="String", value="INFO", tags=TAGS
    ),
    "payments-url": aws.ssm.Parameter(
        "payments-url",
        name=f"{prefix}/payments-url",
        type="String",
        value="https://payments.internal.example.com",
        tags=TAGS,
    ),
}
# The service advances this as it processes orders. The program only seeds it; the
# running value is the service's, so drift on it is expected and must not be undone.
checkpoint = aws.ssm.Parameter(
    "checkpoint",
    name=f"{prefix}/checkpoint",
    type="String",
    value="0",
    tags=TAGS,
    opts=pulumi.ResourceOptions(ignore_changes=["value"]),
)

# -- the service's role: read its config and its bucket, write its checkpoint -------------

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
    tags=TAGS,
)
parameter_arn = f"arn:aws:ssm:{region}:{account}:parameter{prefix}"
app_policy = aws.iam.RolePolicy(
    "app-permissions",
    role=role.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ReadConfig",
                        "Effect": "Allow",
                        "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                        "Resource": f"{parameter_arn}/*",
                    },
                    {
                        "Sid": "AdvanceCheckpoint",
                        "Effect": "Allow",
                        "Action": "ssm:PutParameter",
                        "Resource": f"{parameter_arn}/checkpoint",
                    },
                    {
                        "Sid": "Orders",
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": f"{arn}/*",
                    },
                ],
            }
        )
    ),
)
# Without this, an inline policy added in the console is invisible to refresh and
# survives every deploy: the role's inline policies are these, and only these.
aws.iam.RolePoliciesExclusive(
    "app-inline-policies", role_name=role.name, policy_names=[app_policy.name]
)

# -- guards: page on the calls that weaken the baseline, between scans -------------------

topic_name = f"{service}-drift-alerts"
topic_arn = f"arn:aws:sns:{region}:{account}:{topic_name}"
alerts = aws.sns.Topic(
    "drift-alerts",
    name=topic_name,
    kms_master_key_id="alias/aws/sns",
    tags=TAGS,
)
WEAKENING_CALLS = {
    "ec2.amazonaws.com": [
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "ModifySecurityGroupRules",
    ],
    "s3.amazonaws.com": [
        "PutBucketVersioning",
        "DeleteBucketEncryption",
        "PutBucketEncryption",
        "DeleteBucketPublicAccessBlock",
        "PutBucketPublicAccessBlock",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketAcl",
    ],
    "iam.amazonaws.com": [
        "PutRolePolicy",
        "AttachRolePolicy",
        "UpdateAssumeRolePolicy",
        "DeleteRolePermissionsBoundary",
    ],
    "ssm.amazonaws.com": ["DeleteParameter", "DeleteParameters"],
}
guard = aws.cloudwatch.EventRule(
    "drift-guard",
    description="Page when someone weakens the orders baseline outside the pipeline",
    event_pattern=json.dumps(
        {
            "source": sorted(f"aws.{s.split('.')[0]}" for s in WEAKENING_CALLS),
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                "eventSource": sorted(WEAKENING_CALLS),
                "eventName": sorted(n for names in WEAKENING_CALLS.values() for n in names),
            },
        }
    ),
    tags=TAGS,
)
aws.cloudwatch.EventTarget("drift-guard-page", rule=guard.name, arn=alerts.arn)

pulumi.export("bucketName", bucket.bucket)
pulumi.export("securityGroupId", web.id)
pulumi.export("roleName", role.name)
pulumi.export("alertTopicArn", alerts.arn)
