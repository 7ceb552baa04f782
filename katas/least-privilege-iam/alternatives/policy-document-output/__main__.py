"""Style: ``aws.iam.get_policy_document_output`` over resource outputs.

Every document (trust, role, user and boundary) is rendered by the provider's
policy-document data source from typed statement args, so ARNs stay ``Output`` s until
deploy. One statement per resource family; inline ``RolePolicy`` per role; the MFA
condition and the ``s3:prefix`` condition are ``conditions`` blocks.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
data_bucket_name = config.require("dataBucketName")
reports_bucket_name = config.require("reportsBucketName")
on_call_user_name = config.require("onCallUserName")

iam = aws.iam


def private_bucket(key: str, name: str) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(key, bucket=name)
    aws.s3.BucketPublicAccessBlock(
        f"{key}-block-public",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{key}-default-encryption",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    return bucket


data_bucket = private_bucket("data", data_bucket_name)
reports_bucket = private_bucket("reports", reports_bucket_name)
ingest_queue = aws.sqs.Queue("ingest-queue", visibility_timeout_seconds=120)

raw_keys = data_bucket.arn.apply(lambda arn: f"{arn}/raw/*")
curated_keys = data_bucket.arn.apply(lambda arn: f"{arn}/curated/*")
reports_keys = reports_bucket.arn.apply(lambda arn: f"{arn}/*")
data_keys = data_bucket.arn.apply(lambda arn: f"{arn}/*")

ingest_grants = [
    iam.GetPolicyDocumentStatementArgs(
        sid="ConsumeIngestQueue",
        actions=[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
        ],
        resources=[ingest_queue.arn],
    ),
    iam.GetPolicyDocumentStatementArgs(
        sid="LandRawFiles",
        actions=["s3:PutObject", "s3:AbortMultipartUpload"],
        resources=[raw_keys],
    ),
]
reporting_grants = [
    iam.GetPolicyDocumentStatementArgs(
        sid="ReadCurated", actions=["s3:GetObject"], resources=[curated_keys]
    ),
    iam.GetPolicyDocumentStatementArgs(
        sid="ListCurated",
        actions=["s3:ListBucket"],
        resources=[data_bucket.arn],
        conditions=[
            iam.GetPolicyDocumentStatementConditionArgs(
                test="StringLike", variable="s3:prefix", values=["curated/", "curated/*"]
            )
        ],
    ),
    iam.GetPolicyDocumentStatementArgs(
        sid="PublishReports",
        actions=["s3:PutObject", "s3:AbortMultipartUpload"],
        resources=[reports_keys],
    ),
]
break_glass_grants = [
    iam.GetPolicyDocumentStatementArgs(
        sid="ReadPipelineObjects", actions=["s3:GetObject"], resources=[data_keys, reports_keys]
    ),
    iam.GetPolicyDocumentStatementArgs(
        sid="ListPipelineBuckets",
        actions=["s3:ListBucket"],
        resources=[data_bucket.arn, reports_bucket.arn],
    ),
    iam.GetPolicyDocumentStatementArgs(
        sid="QueueDepth", actions=["sqs:GetQueueAttributes"], resources=[ingest_queue.arn]
    ),
]

boundary = iam.Policy(
    "pipeline-boundary",
    policy=iam.get_policy_document_output(
        statements=ingest_grants + reporting_grants + break_glass_grants
    ).json,
)

ecs_trust = iam.get_policy_document_output(
    statements=[
        iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[
                iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=["ecs-tasks.amazonaws.com"]
                )
            ],
        )
    ]
).json

on_call_user = iam.User("on-call", name=on_call_user_name)

ingest_role = iam.Role("ingest", assume_role_policy=ecs_trust, permissions_boundary=boundary.arn)
reporting_role = iam.Role(
    "reporting", assume_role_policy=ecs_trust, permissions_boundary=boundary.arn
)
break_glass_role = iam.Role(
    "break-glass",
    assume_role_policy=iam.get_policy_document_output(
        statements=[
            iam.GetPolicyDocumentStatementArgs(
                actions=["sts:AssumeRole"],
                principals=[
                    iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="AWS", identifiers=[on_call_user.arn]
                    )
                ],
                conditions=[
                    iam.GetPolicyDocumentStatementConditionArgs(
                        test="Bool", variable="aws:MultiFactorAuthPresent", values=["true"]
                    )
                ],
            )
        ]
    ).json,
    permissions_boundary=boundary.arn,
)

for name, role, grants in [
    ("ingest", ingest_role, ingest_grants),
    ("reporting", reporting_role, reporting_grants),
    ("break-glass", break_glass_role, break_glass_grants),
]:
    iam.RolePolicy(
        f"{name}-grants",
        role=role.id,
        policy=iam.get_policy_document_output(statements=grants).json,
    )

iam.UserPolicy(
    "on-call-step-in",
    user=on_call_user.name,
    policy=iam.get_policy_document_output(
        statements=[
            iam.GetPolicyDocumentStatementArgs(
                actions=["sts:AssumeRole"], resources=[break_glass_role.arn]
            )
        ]
    ).json,
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
