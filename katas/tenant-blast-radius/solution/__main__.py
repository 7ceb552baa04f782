"""DocFlow: one failure domain per tenant (reference solution of tenant-blast-radius)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
tenants: dict = config.require_object("tenants")
tiers: dict = config.require_object("tiers")
budget = config.require_int("concurrencyBudget")

account_id = aws.get_caller_identity().account_id
region = aws.get_region().region

WORKER_CODE = pulumi.AssetArchive(
    {"worker.py": pulumi.StringAsset("def handler(event, context):\n    return 'ok'\n")}
)

# --- R8: shared front door (R5) ---------------------------------------------------------
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
    api_key_required=True,  # R5: no key, no usage plan, no throttle
)
upload_integration = aws.apigateway.Integration(
    "upload",
    rest_api=api.id,
    resource_id=documents.id,
    http_method=upload.http_method,
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
)
# No triggers on the tenant list: a tenant change must not redeploy the shared API (R4).
deployment = aws.apigateway.Deployment(
    "api", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[upload_integration])
)
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")

# R5: one usage plan per tier, shared by that tier's tenants.
plans = {
    tier: aws.apigateway.UsagePlan(
        f"plan-{tier}",
        name=f"{platform}-{tier}",
        api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
        throttle_settings={"rate_limit": limits["rateLimit"], "burst_limit": limits["burstLimit"]},
        quota_settings={"limit": limits["quotaPerDay"], "period": "DAY"},
    )
    for tier, limits in tiers.items()
}


def key_policy(role_arn: pulumi.Output) -> pulumi.Output:
    """R1: the root administers the key; only the tenant's worker uses it."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Administer",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": [
                        "kms:Describe*",
                        "kms:Get*",
                        "kms:List*",
                        "kms:Put*",
                        "kms:Update*",
                        "kms:Enable*",
                        "kms:Disable*",
                        "kms:Revoke*",
                        "kms:TagResource",
                        "kms:UntagResource",
                        "kms:ScheduleKeyDeletion",
                        "kms:CancelKeyDeletion",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "TenantWorker",
                    "Effect": "Allow",
                    "Principal": {"AWS": role_arn},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": "*",
                },
            ],
        }
    )


def worker_policy(bucket: aws.s3.Bucket, queue: aws.sqs.Queue, key: aws.kms.Key) -> pulumi.Output:
    """R2: its own bucket, queue and key; nothing else."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                    ],
                    "Resource": queue.arn,
                },
                {
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": key.arn,
                },
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "*",
                },
            ],
        }
    )


LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)

exported = {}
for name, tenant in tenants.items():
    limits = tiers[tenant["tier"]]
    # R8: cost allocation and cell ownership on everything the tenant owns.
    tags = {"tenant": name, "cell": tenant["cell"]}
    prefix = f"{platform}-{name}"

    role = aws.iam.Role(
        f"{name}-worker", name=f"{prefix}-worker", assume_role_policy=LAMBDA_TRUST, tags=tags
    )

    # R1, R6: the data and its key outlive the tenant's compute.
    retained = pulumi.ResourceOptions(retain_on_delete=True)
    key = aws.kms.Key(
        f"{name}-key",
        description=f"{name} documents",
        policy=key_policy(role.arn),
        tags=tags,
        opts=retained,
    )
    bucket = aws.s3.Bucket(f"{name}-docs", bucket=f"{prefix}-docs", tags=tags, opts=retained)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-docs",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key.arn,
                },
                "bucket_key_enabled": True,
            }
        ],
        opts=retained,
    )

    # R3: a queue and a consumer per tenant, capped at the tier's concurrency.
    queue = aws.sqs.Queue(
        f"{name}-jobs", name=f"{prefix}-jobs", visibility_timeout_seconds=60, tags=tags
    )
    aws.iam.RolePolicy(f"{name}-worker", role=role.id, policy=worker_policy(bucket, queue, key))
    worker = aws.lambda_.Function(
        f"{name}-worker",
        name=f"{prefix}-worker",
        role=role.arn,
        runtime="python3.12",
        handler="worker.handler",
        code=WORKER_CODE,
        timeout=30,
        reserved_concurrent_executions=limits["concurrency"],
        tags=tags,
    )
    aws.lambda_.EventSourceMapping(
        f"{name}-jobs", event_source_arn=queue.arn, function_name=worker.name, batch_size=1
    )

    # R7: the tenant's backlog age, alarmed on its own.
    aws.cloudwatch.MetricAlarm(
        f"{name}-backlog-age",
        name=f"{prefix}-backlog-age",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        dimensions={"QueueName": queue.name},
        statistic="Maximum",
        period=60,
        evaluation_periods=5,
        threshold=300,
        comparison_operator="GreaterThanThreshold",
        tags=tags,
    )

    # R5: the tenant's key, in its tier's plan only.
    api_key = aws.apigateway.ApiKey(f"{name}-key", name=f"{prefix}", tags=tags)
    aws.apigateway.UsagePlanKey(
        f"{name}-key", key_id=api_key.id, key_type="API_KEY", usage_plan_id=plans[tenant["tier"]].id
    )

    exported[name] = {
        "bucket": bucket.bucket,
        "keyArn": key.arn,
        "queueUrl": queue.url,
        "functionName": worker.name,
        "roleArn": role.arn,
        "apiKeyId": api_key.id,
    }

# R3: every cap can be honoured at once.
total = sum(tiers[t["tier"]]["concurrency"] for t in tenants.values())
if total > budget:
    raise ValueError(f"tenant concurrency {total} exceeds the budget {budget}")

pulumi.export("apiId", api.id)
pulumi.export("tenants", exported)
