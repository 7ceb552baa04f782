"""DocFlow: the first draft. Everything is shared; make each tenant its own failure domain."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
tenants: dict = config.require_object("tenants")
tiers: dict = config.require_object("tiers")
budget = config.require_int("concurrencyBudget")

WORKER_CODE = pulumi.AssetArchive(
    {"worker.py": pulumi.StringAsset("def handler(event, context):\n    return 'ok'\n")}
)

# --- the front door ---
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
    # TODO(R5): callers without a key bypass every usage plan.
)
upload_integration = aws.apigateway.Integration(
    "upload",
    rest_api=api.id,
    resource_id=documents.id,
    http_method=upload.http_method,
    type="MOCK",
    request_templates={"application/json": '{"statusCode": 200}'},
)
deployment = aws.apigateway.Deployment(
    "api",
    rest_api=api.id,
    # Redeploy whenever the tenant list changes, "to be safe".  TODO(R4)
    triggers={"tenants": json.dumps(tenants, sort_keys=True)},
    opts=pulumi.ResourceOptions(depends_on=[upload_integration]),
)
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")
# TODO(R5): one plan for everybody, whatever their tier.
plan = aws.apigateway.UsagePlan(
    "plan",
    name=f"{platform}-all",
    api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
    throttle_settings={"rate_limit": 1000, "burst_limit": 2000},
)

# --- shared storage, key, queue and worker ---
# TODO(R1): one key and one bucket for every tenant's documents.
key = aws.kms.Key("documents", description="all tenants' documents")
bucket = aws.s3.Bucket("documents", bucket=f"{platform}-documents")
aws.s3.BucketServerSideEncryptionConfiguration(
    "documents",
    bucket=bucket.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": key.arn,
            }
        }
    ],
)

# TODO(R3): one queue and one uncapped worker: one tenant's flood stalls everybody.
queue = aws.sqs.Queue("jobs", name=f"{platform}-jobs", visibility_timeout_seconds=60)

# TODO(R2): one role that can read everything.
role = aws.iam.Role(
    "worker",
    name=f"{platform}-worker",
    assume_role_policy=json.dumps(
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
    ),
)
aws.iam.RolePolicy(
    "worker",
    role=role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:*", "sqs:*", "kms:*", "logs:*"], "Resource": "*"}
            ],
        }
    ),
)
worker = aws.lambda_.Function(
    "worker",
    name=f"{platform}-worker",
    role=role.arn,
    runtime="python3.12",
    handler="worker.handler",
    code=WORKER_CODE,
    timeout=30,
)
aws.lambda_.EventSourceMapping(
    "jobs", event_source_arn=queue.arn, function_name=worker.name, batch_size=10
)

# TODO(R7): one alarm for the shared queue tells you nothing about whose backlog it is.
aws.cloudwatch.MetricAlarm(
    "backlog-age",
    name=f"{platform}-backlog-age",
    namespace="AWS/SQS",
    metric_name="ApproximateAgeOfOldestMessage",
    dimensions={"QueueName": queue.name},
    statistic="Maximum",
    period=300,
    evaluation_periods=3,
    threshold=3600,
    comparison_operator="GreaterThanThreshold",
)

# TODO(R6): removing a tenant should delete its compute and queue, and keep its data.
# TODO(R8): tag what each tenant owns with its tenant and cell.
exported = {}
for name in tenants:
    api_key = aws.apigateway.ApiKey(f"{name}-key", name=f"{platform}-{name}")
    aws.apigateway.UsagePlanKey(
        f"{name}-key", key_id=api_key.id, key_type="API_KEY", usage_plan_id=plan.id
    )
    exported[name] = {
        "bucket": bucket.bucket,
        "keyArn": key.arn,
        "queueUrl": queue.url,
        "functionName": worker.name,
        "roleArn": role.arn,
        "apiKeyId": api_key.id,
    }

pulumi.export("apiId", api.id)
pulumi.export("tenants", exported)
