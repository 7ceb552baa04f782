"""Least-privilege IAM for a small data pipeline, with bucket policies.

The roles are the reference solution's. On top, each bucket carries a policy that
only ever narrows or restates what the role policies allow: TLS only, the account's
own IAM policies decide who of the account may use the bucket, and the grants that
name a role are ones its allow-list already has. In one account a bucket policy that
names a principal grants it on its own, so every Allow here stays inside the SPEC's
allow-lists; an Allow naming the account (its root) delegates to IAM and grants no
role anything its own policies do not.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
data_bucket_name = config.require("dataBucketName")
reports_bucket_name = config.require("reportsBucketName")
on_call_user_name = config.require("onCallUserName")

account_id = aws.get_caller_identity().account_id


def policy_document(*statements: dict) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def objects(bucket: aws.s3.Bucket, prefix: str = "") -> pulumi.Output[str]:
    # The trailing slash matters: "raw*" would also match "raw-archive/…".
    return pulumi.Output.concat(bucket.arn, "/", prefix, "*")


def private_bucket(name: str, bucket_name: str) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, bucket=bucket_name)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    return bucket


data_bucket = private_bucket("data", data_bucket_name)
reports_bucket = private_bucket("reports", reports_bucket_name)
ingest_queue = aws.sqs.Queue("ingest-queue", visibility_timeout_seconds=120)

QUEUE_CONSUMER_ACTIONS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
]

# The boundary is the most any pipeline role can ever do, whatever policies are later
# attached to it: object reads and writes in the two pipeline buckets and consuming
# the ingest queue. No IAM, no STS, no deletes, no bucket or queue configuration.
boundary = aws.iam.Policy(
    "pipeline-boundary",
    description="Permissions boundary for every role of the data pipeline",
    policy=policy_document(
        {
            "Sid": "PipelineObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": [objects(data_bucket), objects(reports_bucket)],
        },
        {
            "Sid": "PipelineBucketListing",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [data_bucket.arn, reports_bucket.arn],
        },
        {
            "Sid": "IngestQueue",
            "Effect": "Allow",
            "Action": QUEUE_CONSUMER_ACTIONS,
            "Resource": [ingest_queue.arn],
        },
    ),
)


def ecs_task_trust() -> pulumi.Output[str]:
    # aws:SourceAccount keeps ECS from assuming the role on behalf of a task in
    # another account (the confused-deputy problem).
    return policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


ingest_role = aws.iam.Role(
    "ingest",
    description="Ingest service: consumes the ingest queue, lands files under raw/",
    assume_role_policy=ecs_task_trust(),
    permissions_boundary=boundary.arn,
)
aws.iam.RolePolicy(
    "ingest-permissions",
    role=ingest_role.id,
    policy=policy_document(
        {
            "Sid": "ConsumeIngestQueue",
            "Effect": "Allow",
            "Action": QUEUE_CONSUMER_ACTIONS,
            "Resource": [ingest_queue.arn],
        },
        {
            "Sid": "LandRawFiles",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": [objects(data_bucket, "raw/")],
        },
    ),
)

reporting_role = aws.iam.Role(
    "reporting",
    description="Nightly reporting job: reads curated/, writes the reports bucket",
    assume_role_policy=ecs_task_trust(),
    permissions_boundary=boundary.arn,
)
aws.iam.RolePolicy(
    "reporting-permissions",
    role=reporting_role.id,
    policy=policy_document(
        {
            "Sid": "ReadCurated",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [objects(data_bucket, "curated/")],
        },
        {
            # ListBucket is a bucket-level action: the prefix can only be scoped by
            # condition, otherwise the job could enumerate raw/ as well.
            "Sid": "ListCurated",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [data_bucket.arn],
            "Condition": {"StringLike": {"s3:prefix": ["curated/", "curated/*"]}},
        },
        {
            "Sid": "WriteReports",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": [objects(reports_bucket)],
        },
    ),
)

on_call_user = aws.iam.User("on-call", name=on_call_user_name, tags={"purpose": "break-glass"})

break_glass_role = aws.iam.Role(
    "break-glass",
    description="Incident access to the pipeline, read-only; on-call engineer only",
    # One hour is enough to look; a new incident means a new, separately logged session.
    max_session_duration=3600,
    assume_role_policy=policy_document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": on_call_user.arn},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ),
    permissions_boundary=boundary.arn,
)
# A managed policy, so incident tooling (or a second break-glass role) can reuse it.
pipeline_read_only = aws.iam.Policy(
    "pipeline-read-only",
    description="Read-only view of the data pipeline for incident response",
    policy=policy_document(
        {
            "Sid": "ReadPipelineObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [objects(data_bucket), objects(reports_bucket)],
        },
        {
            "Sid": "ListPipelineBuckets",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [data_bucket.arn, reports_bucket.arn],
        },
        {
            # Not sqs:ReceiveMessage: receiving hides the message from the consumer.
            "Sid": "InspectIngestQueue",
            "Effect": "Allow",
            "Action": ["sqs:GetQueueAttributes"],
            "Resource": [ingest_queue.arn],
        },
    ),
)
aws.iam.RolePolicyAttachment(
    "break-glass-read-only", role=break_glass_role.name, policy_arn=pipeline_read_only.arn
)

# The on-call engineer has no standing access: the only thing they can do is step
# into the break-glass role, which leaves an AssumeRole event in CloudTrail.
aws.iam.UserPolicy(
    "on-call-assume-break-glass",
    user=on_call_user.name,
    policy=policy_document(
        {
            "Sid": "AssumeBreakGlass",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": [break_glass_role.arn],
        }
    ),
)


def bucket_policy(name: str, bucket: aws.s3.Bucket, *extra: dict) -> aws.s3.BucketPolicy:
    everything = [bucket.arn, objects(bucket)]
    return aws.s3.BucketPolicy(
        name,
        bucket=bucket.id,
        policy=policy_document(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": everything,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                # The account itself: its IAM policies decide which of its roles may
                # do these, so this grants no role anything its policies do not.
                "Sid": "AccountDelegatesToIam",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                "Resource": everything,
            },
            *extra,
        ),
    )


bucket_policy(
    "data-bucket-policy",
    data_bucket,
    {
        # Restates the reporting role's own listing grant: the same prefix condition.
        "Sid": "ReportingListsCurated",
        "Effect": "Allow",
        "Principal": {"AWS": [reporting_role.arn]},
        "Action": "s3:ListBucket",
        "Resource": data_bucket.arn,
        "Condition": {"StringLike": {"s3:prefix": ["curated/", "curated/*"]}},
    },
)
bucket_policy(
    "reports-bucket-policy",
    reports_bucket,
    {
        "Sid": "BreakGlassReadsReports",
        "Effect": "Allow",
        "Principal": {"AWS": break_glass_role.arn},
        "Action": ["s3:GetObject"],
        "Resource": objects(reports_bucket),
    },
)


pulumi.export("dataBucketName", data_bucket.bucket)
pulumi.export("reportsBucketName", reports_bucket.bucket)
pulumi.export("ingestQueueUrl", ingest_queue.url)
pulumi.export("ingestQueueArn", ingest_queue.arn)
pulumi.export("ingestRoleArn", ingest_role.arn)
pulumi.export("reportingRoleArn", reporting_role.arn)
pulumi.export("breakGlassRoleArn", break_glass_role.arn)
pulumi.export("boundaryPolicyArn", boundary.arn)
pulumi.export("onCallUserArn", on_call_user.arn)
