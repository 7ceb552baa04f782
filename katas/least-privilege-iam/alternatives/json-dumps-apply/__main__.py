"""Style: ``json.dumps`` inside ``Output.all(...).apply`` over deployed ARNs.

Every document is a Python dict serialised in an ``apply`` once the ARNs are known.
Grants are written one action per statement, with ``Action`` and ``Resource`` as plain
strings. The boundary is a coarser allow-list than the role policies (GetObject on
both buckets' objects, PutObject wherever any role writes) plus explicit ``Deny``
guard-rails: no IAM at all, no object deletes, no bucket-policy changes, nothing
outside the pipeline's buckets and queue.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
data_bucket_name = config.require("dataBucketName")
reports_bucket_name = config.require("reportsBucketName")
on_call_user_name = config.require("onCallUserName")


def as_json(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(action: str, resource: str, **extra: dict) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


data_bucket = aws.s3.Bucket("data", bucket=data_bucket_name)
reports_bucket = aws.s3.Bucket("reports", bucket=reports_bucket_name)
for key, bucket in (("data", data_bucket), ("reports", reports_bucket)):
    aws.s3.BucketPublicAccessBlock(
        f"{key}-no-public",
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{key}-at-rest",
        bucket=bucket.bucket,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                )
            )
        ],
    )

ingest_queue = aws.sqs.Queue("ingest-queue", visibility_timeout_seconds=120)
pipeline = pulumi.Output.all(
    data=data_bucket.arn, reports=reports_bucket.arn, queue=ingest_queue.arn
)


def ingest_policy(a: dict) -> str:
    return as_json(
        allow("sqs:ReceiveMessage", a["queue"]),
        allow("sqs:DeleteMessage", a["queue"]),
        allow("sqs:ChangeMessageVisibility", a["queue"]),
        allow("sqs:GetQueueAttributes", a["queue"]),
        allow("s3:PutObject", f"{a['data']}/raw/*"),
        allow("s3:AbortMultipartUpload", f"{a['data']}/raw/*"),
    )


def reporting_policy(a: dict) -> str:
    return as_json(
        allow("s3:GetObject", f"{a['data']}/curated/*"),
        allow(
            "s3:ListBucket",
            a["data"],
            Condition={"StringLike": {"s3:prefix": ["curated/*"]}},
        ),
        allow("s3:PutObject", f"{a['reports']}/*"),
    )


def break_glass_policy(a: dict) -> str:
    return as_json(
        allow("s3:GetObject", f"{a['data']}/*"),
        allow("s3:GetObject", f"{a['reports']}/*"),
        allow("s3:ListBucket", a["data"]),
        allow("s3:ListBucket", a["reports"]),
        allow("sqs:GetQueueAttributes", a["queue"]),
    )


def boundary_policy(a: dict) -> str:
    buckets = [a["data"], f"{a['data']}/*", a["reports"], f"{a['reports']}/*"]
    return as_json(
        {
            "Sid": "PipelineQueue",
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ],
            "Resource": a["queue"],
        },
        {
            "Sid": "PipelineReads",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": buckets,
        },
        {
            "Sid": "PipelineWrites",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": [f"{a['data']}/raw/*", f"{a['reports']}/*"],
        },
        {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        {
            "Sid": "NoDestructiveCalls",
            "Effect": "Deny",
            "Action": [
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:PutBucketPolicy",
                "s3:DeleteBucket",
                "s3:DeleteBucketPolicy",
                "sqs:SendMessage",
                "sqs:PurgeQueue",
                "sqs:DeleteQueue",
            ],
            "Resource": "*",
        },
        {
            "Sid": "NothingOutsideThePipeline",
            "Effect": "Deny",
            "Action": ["s3:*", "sqs:*"],
            "NotResource": [*buckets, a["queue"]],
        },
    )


boundary = aws.iam.Policy("boundary", policy=pipeline.apply(boundary_policy))

ecs_tasks_trust = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
    }
)

on_call_user = aws.iam.User("on-call", name=on_call_user_name)

ingest_role = aws.iam.Role(
    "ingest", assume_role_policy=ecs_tasks_trust, permissions_boundary=boundary.arn
)
reporting_role = aws.iam.Role(
    "reporting", assume_role_policy=ecs_tasks_trust, permissions_boundary=boundary.arn
)
break_glass_role = aws.iam.Role(
    "break-glass",
    assume_role_policy=on_call_user.arn.apply(
        lambda user: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Principal": {"AWS": user},
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                },
            }
        )
    ),
    permissions_boundary=boundary.arn,
)

aws.iam.RolePolicy("ingest", role=ingest_role.name, policy=pipeline.apply(ingest_policy))
aws.iam.RolePolicy("reporting", role=reporting_role.name, policy=pipeline.apply(reporting_policy))
aws.iam.RolePolicy(
    "break-glass", role=break_glass_role.name, policy=pipeline.apply(break_glass_policy)
)
aws.iam.UserPolicy(
    "on-call",
    user=on_call_user.name,
    policy=break_glass_role.arn.apply(lambda arn: as_json(allow("sts:AssumeRole", arn))),
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
