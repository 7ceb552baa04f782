"""DocFlow, one failure domain per tenant: plain functions return each tenant's pieces as dicts.

Policies are built with aws.iam.get_policy_document_output, the bucket's default encryption
names the tenant's key by alias, and CloudWatch Logs
comes from the AWS-managed basic execution policy.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
tenants: dict = config.require_object("tenants")
tiers: dict = config.require_object("tiers")
budget = config.require_int("concurrencyBudget")

# Fail the preview rather than deploy caps that overbook the platform (R3 pool).
_total = sum(tiers[spec["tier"]]["concurrency"] for spec in tenants.values())
if _total > budget:
    raise ValueError(f"tenant caps add up to {_total}, over concurrencyBudget {budget}")

ACCOUNT_ROOT = aws.get_caller_identity_output().account_id.apply(
    lambda account: f"arn:aws:iam::{account}:root"
)
# AWS's managed policy grants exactly logs:CreateLogGroup/CreateLogStream/PutLogEvents on "*".
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
WORKER_CODE = pulumi.AssetArchive(
    {"worker.py": pulumi.StringAsset("def handler(event, context):\n    return 'ok'\n")}
)
# Administration only: no Encrypt/Decrypt/GenerateDataKey*/ReEncrypt*/CreateGrant for the
# root, since a root statement would delegate key use to every IAM policy in the account.
KEY_ADMIN_ACTIONS = [
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:UpdateKeyDescription",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
]


def lambda_trust() -> pulumi.Output:
    return aws.iam.get_policy_document_output(
        statements=[
            {
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
            }
        ]
    ).json


def front_door() -> dict:
    """The shared API and one usage plan per tier: nothing here depends on the tenant list,
    so adding, moving or removing a tenant never touches it (R4)."""
    api = aws.apigateway.RestApi("api", name=f"{platform}-api")
    documents = aws.apigateway.Resource(
        "documents", rest_api=api.id, parent_id=api.root_resource_id, path_part="documents"
    )
    upload = aws.apigateway.Method(
        "upload",
        rest_api=api.id,
        resource_id=documents.id,
        http_method="POST",
        authorization="NONE",
        api_key_required=True,  # a keyless caller would bypass every usage plan
    )
    integration = aws.apigateway.Integration(
        "upload",
        rest_api=api.id,
        resource_id=documents.id,
        http_method=upload.http_method,
        type="MOCK",
        request_templates={"application/json": '{"statusCode": 200}'},
    )
    deployment = aws.apigateway.Deployment(
        "api", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
    )
    stage = aws.apigateway.Stage(
        "prod", rest_api=api.id, deployment=deployment.id, stage_name="prod"
    )
    plans = {
        tier: aws.apigateway.UsagePlan(
            f"plan-{tier}",
            name=f"{platform}-{tier}",
            api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
            throttle_settings={
                "rate_limit": limits["rateLimit"],
                "burst_limit": limits["burstLimit"],
            },
            quota_settings={"limit": limits["quotaPerDay"], "period": "DAY"},
        )
        for tier, limits in tiers.items()
    }
    return {"api": api, "plans": plans}


def key_policy(role: aws.iam.Role) -> pulumi.Output:
    """The key's own layer: only this tenant's role may use the key; the root administers."""
    return aws.iam.get_policy_document_output(
        statements=[
            {
                "sid": "Administration",
                "actions": KEY_ADMIN_ACTIONS,
                "principals": [{"type": "AWS", "identifiers": [ACCOUNT_ROOT]}],
                "resources": ["*"],
            },
            {
                "sid": "TenantWorker",
                "actions": ["kms:Decrypt", "kms:GenerateDataKey"],
                "principals": [{"type": "AWS", "identifiers": [role.arn]}],
                "resources": ["*"],
            },
        ]
    ).json


def storage(name: str, tags: dict, role: aws.iam.Role) -> dict:
    """Bucket and key: kept on offboarding (R6), so retained documents stay decryptable."""
    keep = pulumi.ResourceOptions(retain_on_delete=True)
    key = aws.kms.Key(
        f"{name}-key",
        description=f"{platform} documents of tenant {name}",
        enable_key_rotation=True,
        policy=key_policy(role),
        tags=tags,
        opts=keep,
    )
    alias = aws.kms.Alias(f"{name}-key", name=f"alias/{platform}-{name}", target_key_id=key.key_id)
    bucket = aws.s3.Bucket(f"{name}-docs", bucket=f"{platform}-{name}-docs", tags=tags, opts=keep)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-docs",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": alias.arn,
                },
                "bucket_key_enabled": True,
            }
        ],
        opts=keep,
    )
    return {"key": key, "bucket": bucket}


def worker_role(name: str, tags: dict) -> aws.iam.Role:
    return aws.iam.Role(
        f"{name}-worker",
        name=f"{platform}-{name}-worker",
        assume_role_policy=lambda_trust(),
        tags=tags,
    )


def grant(name: str, role: aws.iam.Role, bucket: aws.s3.Bucket, queue: aws.sqs.Queue, key):
    """The worker role's access: the SPEC's allow-list, scoped to this tenant's ARNs (R2)."""
    access = aws.iam.get_policy_document_output(
        statements=[
            {
                "sid": "Objects",
                "actions": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                "resources": [bucket.arn.apply(lambda arn: f"{arn}/*")],
            },
            {"sid": "Listing", "actions": ["s3:ListBucket"], "resources": [bucket.arn]},
            {
                "sid": "Queue",
                "actions": [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                "resources": [queue.arn],
            },
            {
                "sid": "Key",
                "actions": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "resources": [key.arn],
            },
        ]
    )
    aws.iam.RolePolicy(f"{name}-worker", role=role.id, policy=access.json)
    aws.iam.RolePolicyAttachment(f"{name}-worker-logs", role=role.name, policy_arn=BASIC_EXECUTION)


def compute(name: str, tags: dict, concurrency: int, queue, role) -> dict:
    """The tenant's own consumer, its reserved concurrency the tier's cap (R3)."""
    worker = aws.lambda_.Function(
        f"{name}-worker",
        name=f"{platform}-{name}-worker",
        role=role.arn,
        runtime="python3.12",
        handler="worker.handler",
        code=WORKER_CODE,
        timeout=30,
        reserved_concurrent_executions=concurrency,
        tags=tags,
    )
    aws.lambda_.EventSourceMapping(
        f"{name}-jobs", event_source_arn=queue.arn, function_name=worker.arn, batch_size=10
    )
    return {"worker": worker}


def tenant(name: str, spec: dict, plans: dict) -> dict:
    tags = {"tenant": name, "cell": spec["cell"]}
    # The role comes first: the key policy names it.
    role = worker_role(name, tags)
    stored = storage(name, tags, role)
    queue = aws.sqs.Queue(
        f"{name}-jobs", name=f"{platform}-{name}-jobs", visibility_timeout_seconds=60, tags=tags
    )
    grant(name, role, stored["bucket"], queue, stored["key"])
    worker = compute(name, tags, tiers[spec["tier"]]["concurrency"], queue, role)["worker"]
    aws.cloudwatch.MetricAlarm(
        f"{name}-backlog-age",
        name=f"{platform}-{name}-backlog-age",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        dimensions={"QueueName": queue.name},
        statistic="Maximum",
        period=60,
        evaluation_periods=1,
        threshold=300,
        comparison_operator="GreaterThanOrEqualToThreshold",
    )
    api_key = aws.apigateway.ApiKey(f"{name}-apikey", name=f"{platform}-{name}")
    aws.apigateway.UsagePlanKey(
        f"{name}-apikey",
        key_id=api_key.id,
        key_type="API_KEY",
        usage_plan_id=plans[spec["tier"]].id,
    )
    return {
        "bucket": stored["bucket"].bucket,
        "keyArn": stored["key"].arn,
        "queueUrl": queue.url,
        "functionName": worker.name,
        "roleArn": role.arn,
        "apiKeyId": api_key.id,
    }


door = front_door()
pulumi.export("apiId", door["api"].id)
pulumi.export(
    "tenants", {name: tenant(name, spec, door["plans"]) for name, spec in tenants.items()}
)
