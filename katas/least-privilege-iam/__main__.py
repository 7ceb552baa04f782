"""Data pipeline access: first draft.

It deploys and the pipeline works: ingest lands files, the nightly report runs, and
on-call can get in during an incident. It was also written the night before a
launch, so everyone can do far more than their job needs. Tighten it until it meets
SPEC.md. Keep the stack exports: the checks find everything through them.
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


data_bucket = aws.s3.Bucket("data", bucket=data_bucket_name)
aws.s3.BucketServerSideEncryptionConfiguration(
    "data-encryption",
    bucket=data_bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
reports_bucket = aws.s3.Bucket("reports", bucket=reports_bucket_name)
# TODO(R9): both buckets hold customer data. Block every kind of public access and
# encrypt the reports bucket by default as well.

ingest_queue = aws.sqs.Queue("ingest-queue", visibility_timeout_seconds=120)

# Both services run as ECS tasks.
ecs_task_trust = policy_document(
    {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
)

# TODO(R6): no role has a permissions boundary yet.
ingest_role = aws.iam.Role("ingest", assume_role_policy=ecs_task_trust)
aws.iam.RolePolicy(
    "ingest-permissions",
    role=ingest_role.id,
    policy=policy_document(
        # TODO(R1, R8): the service only consumes this queue.
        {"Effect": "Allow", "Action": "sqs:*", "Resource": ingest_queue.arn},
        # TODO(R2, R8): it only ever writes new files under raw/.
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [data_bucket.arn, pulumi.Output.concat(data_bucket.arn, "/*")],
        },
    ),
)

reporting_role = aws.iam.Role("reporting", assume_role_policy=ecs_task_trust)
aws.iam.RolePolicy(
    "reporting-permissions",
    role=reporting_role.id,
    policy=policy_document(
        # TODO(R3, R8): it reads curated/ and publishes to the reports bucket; that is all.
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
            "Resource": "*",
        },
    ),
)

on_call_user = aws.iam.User("on-call", name=on_call_user_name)

break_glass_role = aws.iam.Role(
    "break-glass",
    # TODO(R4): anyone in the account who may call sts:AssumeRole gets in.
    assume_role_policy=policy_document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "sts:AssumeRole",
        }
    ),
)
aws.iam.RolePolicy(
    "break-glass-permissions",
    role=break_glass_role.id,
    policy=policy_document(
        # TODO(R5, R8): incidents need to look, not to change things.
        {
            "Effect": "Allow",
            "Action": ["s3:*", "sqs:*"],
            "Resource": [
                data_bucket.arn,
                pulumi.Output.concat(data_bucket.arn, "/*"),
                reports_bucket.arn,
                pulumi.Output.concat(reports_bucket.arn, "/*"),
                ingest_queue.arn,
            ],
        },
    ),
)

aws.iam.UserPolicy(
    "on-call-permissions",
    user=on_call_user.name,
    policy=policy_document(
        # TODO(R4, R7): copied from the deploy user. On-call needs exactly one thing.
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "iam:PassRole"], "Resource": "*"},
    ),
)

pulumi.export("dataBucketName", data_bucket.bucket)
pulumi.export("reportsBucketName", reports_bucket.bucket)
pulumi.export("ingestQueueUrl", ingest_queue.url)
pulumi.export("ingestQueueArn", ingest_queue.arn)
pulumi.export("ingestRoleArn", ingest_role.arn)
pulumi.export("reportingRoleArn", reporting_role.arn)
pulumi.export("breakGlassRoleArn", break_glass_role.arn)
pulumi.export("onCallUserArn", on_call_user.arn)
# TODO(R10): export boundaryPolicyArn once the boundary exists (R6).
