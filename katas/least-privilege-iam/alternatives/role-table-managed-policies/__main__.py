"""Style: a table of roles driven by a loop, with managed policies.

Each role's permissions are a customer-managed ``aws.iam.Policy`` attached with
``RolePolicyAttachment`` (no inline policies). Documents are built in one ``apply``
with ``json.dumps``. Spellings a reviewer meets in the wild: list-valued principals
(``{"Service": ["ecs-tasks.amazonaws.com"]}``), upper-case service prefixes
(``SQS:ReceiveMessage``), wildcards that expand only to granted actions
(``sqs:Receive*``, ``s3:AbortMultipart*``), single-element resource lists, and a
boundary that adds explicit denies on top of its allow-list.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
data_bucket_name = config.require("dataBucketName")
reports_bucket_name = config.require("reportsBucketName")
on_call_user_name = config.require("onCallUserName")

buckets = {}
for key, name in {"data": data_bucket_name, "reports": reports_bucket_name}.items():
    bucket = aws.s3.Bucket(key, bucket=name)
    aws.s3.BucketPublicAccessBlock(
        f"{key}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{key}-sse",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    buckets[key] = bucket

queue = aws.sqs.Queue("ingest-queue", visibility_timeout_seconds=120)
on_call = aws.iam.User("on-call", name=on_call_user_name)


def statements_for(role: str, data: str, reports: str, queue_arn: str) -> list[dict]:
    """The SPEC's grants for one role, written against deployed ARNs."""
    if role == "ingest":
        return [
            {
                "Effect": "Allow",
                "Action": [
                    "SQS:ReceiveMessage",
                    "sqs:deletemessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                "Resource": [queue_arn],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:AbortMultipart*"],
                "Resource": [f"{data}/raw/*"],
            },
        ]
    if role == "reporting":
        return [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{data}/curated/*"]},
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [data],
                "Condition": {"StringLike": {"s3:prefix": "curated/*"}},
            },
            {
                "Effect": "Allow",
                "Action": ["S3:PutObject", "s3:AbortMultipartUpload"],
                "Resource": [f"{reports}/*"],
            },
        ]
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{data}/*", f"{reports}/*"],
        },
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [data, reports]},
        {"Effect": "Allow", "Action": ["sqs:GetQueueAttr*"], "Resource": [queue_arn]},
    ]


def document(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


arns = pulumi.Output.all(buckets["data"].arn, buckets["reports"].arn, queue.arn)
ROLES = {
    "ingest": {"Service": ["ecs-tasks.amazonaws.com"]},
    "reporting": {"Service": ["ecs-tasks.amazonaws.com"]},
    "break-glass": None,  # the on-call user, filled in below
}


def boundary_document(args: list[str]) -> str:
    data, reports, queue_arn = args
    allowed = [s for role in ROLES for s in statements_for(role, data, reports, queue_arn)]
    denied = [
        {"Sid": "NoIam", "Effect": "Deny", "Action": ["iam:*"], "Resource": ["*"]},
        {"Sid": "NoDeletes", "Effect": "Deny", "Action": ["s3:DeleteObject"], "Resource": ["*"]},
    ]
    return document(allowed + denied)


boundary = aws.iam.Policy("boundary", policy=arns.apply(boundary_document))

roles = {}
for role_name, principal in ROLES.items():
    if principal is None:
        trust = on_call.arn.apply(
            lambda user_arn: document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": [user_arn]},
                        "Action": ["sts:AssumeRole"],
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
                    }
                ]
            )
        )
    else:
        trust = document(
            [{"Effect": "Allow", "Principal": principal, "Action": ["sts:AssumeRole"]}]
        )
    role = aws.iam.Role(role_name, assume_role_policy=trust, permissions_boundary=boundary.arn)
    policy = aws.iam.Policy(
        f"{role_name}-access",
        policy=arns.apply(lambda args, r=role_name: document(statements_for(r, *args))),
    )
    aws.iam.RolePolicyAttachment(f"{role_name}-access", role=role.name, policy_arn=policy.arn)
    roles[role_name] = role

aws.iam.UserPolicy(
    "on-call-step-in",
    user=on_call.name,
    policy=roles["break-glass"].arn.apply(
        lambda arn: document([{"Effect": "Allow", "Action": ["STS:AssumeRole"], "Resource": [arn]}])
    ),
)

pulumi.export("dataBucketName", buckets["data"].bucket)
pulumi.export("reportsBucketName", buckets["reports"].bucket)
pulumi.export("ingestQueueUrl", queue.url)
pulumi.export("ingestQueueArn", queue.arn)
pulumi.export("ingestRoleArn", roles["ingest"].arn)
pulumi.export("reportingRoleArn", roles["reporting"].arn)
pulumi.export("breakGlassRoleArn", roles["break-glass"].arn)
pulumi.export("boundaryPolicyArn", boundary.arn)
pulumi.export("onCallUserArn", on_call.arn)
