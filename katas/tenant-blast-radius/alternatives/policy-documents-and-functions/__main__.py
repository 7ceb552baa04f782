"""DocFlow built from small functions, with policy documents from get_policy_document.

Differs from the solution: one function per concern returning what it made; policies
from aws.iam.get_policy_document_output; the key named by its id in the bucket rule;
BucketV2; a dead-letter queue per tenant; both a reserved concurrency (the tier's) and a
larger mapping maximum, so the cap is the smaller one; the alarm at 240 seconds.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
PLATFORM = cfg.require("platform")
TENANTS: dict = cfg.require_object("tenants")
TIERS: dict = cfg.require_object("tiers")
BUDGET = cfg.require_int("concurrencyBudget")

caller = aws.get_caller_identity()


@dataclass
class Built:
    bucket: aws.s3.BucketV2
    key: aws.kms.Key
    queue: aws.sqs.Queue
    worker: aws.lambda_.Function
    role: aws.iam.Role
    api_key: aws.apigateway.ApiKey


def front_door() -> tuple[aws.apigateway.RestApi, dict[str, aws.apigateway.UsagePlan]]:
    api = aws.apigateway.RestApi("front-door", name=f"{PLATFORM}-front-door")
    methods = []
    for verb in ("GET", "POST"):
        method = aws.apigateway.Method(
            f"root-{verb.lower()}",
            rest_api=api.id,
            resource_id=api.root_resource_id,
            http_method=verb,
            authorization="NONE",
            api_key_required=True,
        )
        methods.append(
            aws.apigateway.Integration(
                f"root-{verb.lower()}",
                rest_api=api.id,
                resource_id=api.root_resource_id,
                http_method=method.http_method,
                type="MOCK",
            )
        )
    deployment = aws.apigateway.Deployment(
        "front-door", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=methods)
    )
    stage = aws.apigateway.Stage(
        "front-door", rest_api=api.id, deployment=deployment.id, stage_name="v1"
    )
    plans = {
        tier: aws.apigateway.UsagePlan(
            f"tier-{tier}",
            api_stages=[
                aws.apigateway.UsagePlanApiStageArgs(api_id=api.id, stage=stage.stage_name)
            ],
            throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
                rate_limit=limits["rateLimit"], burst_limit=limits["burstLimit"]
            ),
            quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(
                limit=limits["quotaPerDay"], period="DAY"
            ),
        )
        for tier, limits in TIERS.items()
    }
    return api, plans


def lambda_role(name: str, tags: dict) -> aws.iam.Role:
    trust = aws.iam.get_policy_document(
        statements=[
            {
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
            }
        ]
    )
    return aws.iam.Role(name, name=name, assume_role_policy=trust.json, tags=tags)


def tenant_key(name: str, role: aws.iam.Role, tags: dict) -> aws.kms.Key:
    policy = aws.iam.get_policy_document_output(
        statements=[
            {
                "sid": "Admin",
                "principals": [
                    {"type": "AWS", "identifiers": [f"arn:aws:iam::{caller.account_id}:root"]}
                ],
                "actions": [
                    "kms:Describe*",
                    "kms:List*",
                    "kms:GetKeyPolicy",
                    "kms:PutKeyPolicy",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                ],
                "resources": ["*"],
            },
            {
                "sid": "Worker",
                "principals": [{"type": "AWS", "identifiers": [role.arn]}],
                "actions": ["kms:Decrypt", "kms:GenerateDataKey"],
                "resources": ["*"],
            },
        ]
    )
    return aws.kms.Key(
        name,
        policy=policy.json,
        tags=tags,
        opts=pulumi.ResourceOptions(retain_on_delete=True),
    )


def storage(name: str, key: aws.kms.Key, tags: dict) -> aws.s3.BucketV2:
    keep = pulumi.ResourceOptions(retain_on_delete=True)
    bucket = aws.s3.BucketV2(name, bucket=name, tags=tags, opts=keep)
    aws.s3.BucketServerSideEncryptionConfigurationV2(
        name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.key_id
                )
            )
        ],
        opts=keep,
    )
    return bucket


def worker_access(
    name: str, role: aws.iam.Role, bucket: aws.s3.BucketV2, queue: aws.sqs.Queue, key: aws.kms.Key
) -> None:
    doc = aws.iam.get_policy_document_output(
        statements=[
            {
                "actions": ["s3:GetObject", "s3:PutObject"],
                "resources": [bucket.arn.apply(lambda a: f"{a}/*")],
            },
            {
                "actions": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "resources": [queue.arn],
            },
            {"actions": ["kms:Decrypt", "kms:GenerateDataKey"], "resources": [key.arn]},
            {
                "actions": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "resources": ["*"],
            },
        ]
    )
    aws.iam.RolePolicy(name, role=role.name, policy=doc.json)


def tenant(name: str, tier: str, cell: str, plans: dict) -> Built:
    tags = {"tenant": name, "cell": cell}
    base = f"{PLATFORM}-{cell}-{name}"
    concurrency = int(TIERS[tier]["concurrency"])
    role = lambda_role(f"{base}-worker", tags)
    key = tenant_key(f"{base}-key", role, tags)
    bucket = storage(f"{base}-store", key, tags)
    dead = aws.sqs.Queue(f"{base}-dead", name=f"{base}-dead", tags=tags)
    queue = aws.sqs.Queue(
        f"{base}-work",
        name=f"{base}-work",
        redrive_policy=dead.arn.apply(
            lambda arn: f'{{"deadLetterTargetArn": "{arn}", "maxReceiveCount": 5}}'
        ),
        tags=tags,
    )
    worker_access(f"{base}-worker", role, bucket, queue, key)
    worker = aws.lambda_.Function(
        f"{base}-worker",
        name=f"{base}-worker",
        role=role.arn,
        runtime="python3.12",
        handler="main.handler",
        code=pulumi.AssetArchive({"main.py": pulumi.StringAsset("def handler(e, c):\n    pass\n")}),
        reserved_concurrent_executions=concurrency,
        tags=tags,
    )
    aws.lambda_.EventSourceMapping(
        f"{base}-work",
        event_source_arn=queue.arn,
        function_name=worker.name,
        scaling_config={"maximum_concurrency": concurrency * 2},
    )
    aws.cloudwatch.MetricAlarm(
        f"{base}-backlog",
        name=f"{base}-backlog",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        dimensions={"QueueName": queue.name},
        statistic="Maximum",
        period=120,
        evaluation_periods=2,
        threshold=240,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
    )
    api_key = aws.apigateway.ApiKey(f"{base}-api", name=f"{base}-api")
    aws.apigateway.UsagePlanKey(
        f"{base}-api", key_id=api_key.id, key_type="API_KEY", usage_plan_id=plans[tier].id
    )
    return Built(bucket, key, queue, worker, role, api_key)


api, plans = front_door()
built = {name: tenant(name, t["tier"], t["cell"], plans) for name, t in TENANTS.items()}

pulumi.export("apiId", api.id)
pulumi.export(
    "tenants",
    {
        name: {
            "bucket": b.bucket.bucket,
            "keyArn": b.key.arn,
            "queueUrl": b.queue.url,
            "functionName": b.worker.name,
            "roleArn": b.role.arn,
            "apiKeyId": b.api_key.id,
        }
        for name, b in built.items()
    },
)
