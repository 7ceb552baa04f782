"""Style: ComponentResource classes.

A ``SecureBucket`` component owns a bucket with its public access block and default
encryption; a ``PipelineRole`` component owns a role, its boundary attachment and its
inline policy. Documents are built with ``pulumi.Output.json_dumps`` over ARNs, each
statement with a ``Sid``; actions are single strings where one action is granted.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
data_bucket_name = config.require("dataBucketName")
reports_bucket_name = config.require("reportsBucketName")
on_call_user_name = config.require("onCallUserName")


def document(statements: list) -> pulumi.Output:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


class SecureBucket(pulumi.ComponentResource):
    """A private bucket, encrypted at rest with SSE-S3."""

    def __init__(self, name: str, bucket_name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:pipeline:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(name, bucket=bucket_name, opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        self.arn = self.bucket.arn
        self.objects = pulumi.Output.concat(self.bucket.arn, "/*")
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})

    def keys_under(self, prefix: str) -> pulumi.Output:
        return pulumi.Output.concat(self.bucket.arn, "/", prefix, "*")


class PipelineRole(pulumi.ComponentResource):
    """A role capped by the shared boundary, with one inline policy."""

    def __init__(
        self,
        name: str,
        trust: pulumi.Input,
        boundary_arn: pulumi.Input[str],
        statements: list,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("acme:pipeline:PipelineRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            name,
            assume_role_policy=trust,
            permissions_boundary=boundary_arn,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-permissions",
            role=self.role.name,
            policy=document(statements),
            opts=child,
        )
        self.arn = self.role.arn
        self.register_outputs({"arn": self.role.arn})


data = SecureBucket("data", data_bucket_name)
reports = SecureBucket("reports", reports_bucket_name)
queue = aws.sqs.Queue("ingest-queue", visibility_timeout_seconds=120)

INGEST_SQS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
]
WRITE_OBJECTS = ["s3:PutObject", "s3:AbortMultipartUpload"]
curated_prefixes = {"StringLike": {"s3:prefix": ["curated/", "curated/*"]}}

ingest_statements = [
    {"Sid": "ConsumeQueue", "Effect": "Allow", "Action": INGEST_SQS, "Resource": queue.arn},
    {
        "Sid": "LandRaw",
        "Effect": "Allow",
        "Action": WRITE_OBJECTS,
        "Resource": data.keys_under("raw/"),
    },
]
reporting_statements = [
    {
        "Sid": "ReadCurated",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": data.keys_under("curated/"),
    },
    {
        "Sid": "ListCurated",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": data.arn,
        "Condition": curated_prefixes,
    },
    {"Sid": "Publish", "Effect": "Allow", "Action": WRITE_OBJECTS, "Resource": reports.objects},
]
break_glass_statements = [
    {
        "Sid": "ReadObjects",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": [data.objects, reports.objects],
    },
    {
        "Sid": "ListBuckets",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": [data.arn, reports.arn],
    },
    {
        "Sid": "QueueDepth",
        "Effect": "Allow",
        "Action": "sqs:GetQueueAttributes",
        "Resource": queue.arn,
    },
]

# The boundary is the union of what the three roles need, and nothing else.
boundary = aws.iam.Policy(
    "pipeline-boundary",
    description="Caps every pipeline role at the pipeline's own resources",
    policy=document(ingest_statements + reporting_statements + break_glass_statements),
)

ecs_trust = document(
    [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
)

on_call = aws.iam.User("on-call", name=on_call_user_name)

ingest = PipelineRole("ingest", ecs_trust, boundary.arn, ingest_statements)
reporting = PipelineRole("reporting", ecs_trust, boundary.arn, reporting_statements)
break_glass = PipelineRole(
    "break-glass",
    document(
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": on_call.arn},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ]
    ),
    boundary.arn,
    break_glass_statements,
)

aws.iam.UserPolicy(
    "on-call-permissions",
    user=on_call.name,
    policy=document([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": break_glass.arn}]),
)

pulumi.export("dataBucketName", data.bucket.bucket)
pulumi.export("reportsBucketName", reports.bucket.bucket)
pulumi.export("ingestQueueUrl", queue.url)
pulumi.export("ingestQueueArn", queue.arn)
pulumi.export("ingestRoleArn", ingest.arn)
pulumi.export("reportingRoleArn", reporting.arn)
pulumi.export("breakGlassRoleArn", break_glass.arn)
pulumi.export("boundaryPolicyArn", boundary.arn)
pulumi.export("onCallUserArn", on_call.arn)
