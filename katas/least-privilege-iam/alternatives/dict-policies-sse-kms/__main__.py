"""Style: dict policies, SSE-KMS, confused-deputy guard and a user ARN built by hand.

pulumi-aws 7 accepts a plain dict (with ``Output`` values inside) for ``policy`` and
``assume_role_policy``; this program passes dicts throughout and never serialises
itself. Buckets use SSE-KMS with the AWS managed key (``aws:kms``, no key id) and an
S3 bucket key. The ECS trust carries an ``aws:SourceAccount`` condition, the
break-glass trust names the on-call user by an ARN assembled from the account id and
user name (after the user exists), and the MFA condition's value is a list.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
data_bucket_name = config.require("dataBucketName")
reports_bucket_name = config.require("reportsBucketName")
on_call_user_name = config.require("onCallUserName")

caller = aws.get_caller_identity()
partition = aws.get_partition().partition
VERSION = "2012-10-17"


def encrypted_private_bucket(key: str, name: str) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(key, bucket=name, force_destroy=False)
    aws.s3.BucketPublicAccessBlock(
        f"{key}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{key}-sse-kms",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"},
                "bucket_key_enabled": True,
            }
        ],
    )
    return bucket


data = encrypted_private_bucket("data-bucket", data_bucket_name)
reports = encrypted_private_bucket("reports-bucket", reports_bucket_name)
queue = aws.sqs.Queue("ingest", visibility_timeout_seconds=120, message_retention_seconds=345600)


def objects(bucket: aws.s3.Bucket, prefix: str = "") -> pulumi.Output:
    return pulumi.Output.format("{0}/{1}*", bucket.arn, prefix)


CONSUME = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]
UPLOAD = ["s3:AbortMultipartUpload", "s3:PutObject"]

ingest_statements = [
    {"Effect": "Allow", "Action": CONSUME, "Resource": queue.arn},
    {"Effect": "Allow", "Action": UPLOAD, "Resource": objects(data, "raw/")},
]
reporting_statements = [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects(data, "curated/")},
    {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": data.arn,
        "Condition": {"StringLike": {"s3:prefix": ["curated/", "curated/*"]}},
    },
    {"Effect": "Allow", "Action": UPLOAD, "Resource": objects(reports)},
]
break_glass_statements = [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": [objects(data), objects(reports)]},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": [data.arn, reports.arn]},
    {"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": queue.arn},
]

boundary = aws.iam.Policy(
    "role-boundary",
    name="pipeline-role-boundary",
    description="Permissions boundary of every pipeline role",
    policy={
        "Version": VERSION,
        "Statement": ingest_statements + reporting_statements + break_glass_statements,
    },
)

ecs_trust = {
    "Version": VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": caller.account_id}},
        }
    ],
}

on_call = aws.iam.User("on-call-engineer", name=on_call_user_name)
on_call_arn = f"arn:{partition}:iam::{caller.account_id}:user/{on_call_user_name}"

ingest_role = aws.iam.Role(
    "ingest-role",
    name_prefix="ingest-",
    assume_role_policy=ecs_trust,
    permissions_boundary=boundary.arn,
)
reporting_role = aws.iam.Role(
    "reporting-role",
    name_prefix="reporting-",
    assume_role_policy=ecs_trust,
    permissions_boundary=boundary.arn,
)
break_glass_role = aws.iam.Role(
    "break-glass-role",
    name_prefix="break-glass-",
    assume_role_policy={
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": on_call_arn},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
            }
        ],
    },
    permissions_boundary=boundary.arn,
    max_session_duration=3600,
    opts=pulumi.ResourceOptions(depends_on=[on_call]),
)

for key, role, statements in (
    ("ingest", ingest_role, ingest_statements),
    ("reporting", reporting_role, reporting_statements),
    ("break-glass", break_glass_role, break_glass_statements),
):
    aws.iam.RolePolicy(
        f"{key}-policy",
        name=f"{key}-least-privilege",
        role=role.id,
        policy={"Version": VERSION, "Statement": statements},
    )

aws.iam.UserPolicy(
    "on-call-policy",
    user=on_call.name,
    policy={
        "Version": VERSION,
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": break_glass_role.arn}
        ],
    },
)

pulumi.export("dataBucketName", data.bucket)
pulumi.export("reportsBucketName", reports.bucket)
pulumi.export("ingestQueueUrl", queue.url)
pulumi.export("ingestQueueArn", queue.arn)
pulumi.export("ingestRoleArn", ingest_role.arn)
pulumi.export("reportingRoleArn", reporting_role.arn)
pulumi.export("breakGlassRoleArn", break_glass_role.arn)
pulumi.export("boundaryPolicyArn", boundary.arn)
pulumi.export("onCallUserArn", on_call.arn)
