"""DocFlow built in phases: each phase makes one kind of resource for every tenant.

Differs from the solution: a tenant table computed up front, then one loop per resource
kind over it; names and ARNs derived from the table (the key policy names the role by
an ARN built from its name); managed policies through Output.json_dumps; the bucket
encrypted by key alias name; the platform's own check of the budget before anything is
declared.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
tenant_config: dict = config.require_object("tenants")
tier_config: dict = config.require_object("tiers")
budget = config.require_int("concurrencyBudget")
account = aws.get_caller_identity().account_id

# --- phase 0: the table every later phase reads ---
table = {
    name: {
        "tier": spec["tier"],
        "cell": spec["cell"],
        "concurrency": int(tier_config[spec["tier"]]["concurrency"]),
        "tags": {"tenant": name, "cell": spec["cell"]},
        "role_name": f"{platform}-{name}-runner",
        "bucket_name": f"{platform}-{name}-files",
        "queue_name": f"{platform}-{name}-tasks",
        "alias": f"alias/{platform}/{name}",
    }
    for name, spec in tenant_config.items()
}
if sum(row["concurrency"] for row in table.values()) > budget:
    raise ValueError("the tenants' concurrency exceeds concurrencyBudget")
retain = pulumi.ResourceOptions(retain_on_delete=True)

# --- phase 1: roles ---
roles = {
    name: aws.iam.Role(
        f"role-{name}",
        name=row["role_name"],
        assume_role_policy=pulumi.Output.json_dumps(
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
        tags=row["tags"],
    )
    for name, row in table.items()
}

# --- phase 2: keys and aliases ---
keys, aliases = {}, {}
for name, row in table.items():
    worker_arn = f"arn:aws:iam::{account}:role/{row['role_name']}"
    keys[name] = aws.kms.Key(
        f"key-{name}",
        description=f"{platform} {name}",
        deletion_window_in_days=30,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Administration",
                        "Effect": "Allow",
                        "Principal": {"AWS": account},
                        "Action": [
                            "kms:Create*",
                            "kms:Describe*",
                            "kms:Enable*",
                            "kms:List*",
                            "kms:Put*",
                            "kms:Update*",
                            "kms:Revoke*",
                            "kms:Disable*",
                            "kms:Get*",
                            "kms:Delete*",
                            "kms:TagResource",
                            "kms:UntagResource",
                            "kms:ScheduleKeyDeletion",
                            "kms:CancelKeyDeletion",
                        ],
                        "Resource": "*",
                    },
                    {
                        "Sid": "Use",
                        "Effect": "Allow",
                        "Principal": {"AWS": worker_arn},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": "*",
                    },
                ],
            }
        ),
        tags=row["tags"],
        opts=pulumi.ResourceOptions(retain_on_delete=True, depends_on=[roles[name]]),
    )
    aliases[name] = aws.kms.Alias(
        f"alias-{name}", name=row["alias"], target_key_id=keys[name].key_id, opts=retain
    )

# --- phase 3: buckets ---
buckets = {}
for name, row in table.items():
    buckets[name] = aws.s3.Bucket(
        f"bucket-{name}", bucket=row["bucket_name"], tags=row["tags"], opts=retain
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"bucket-{name}",
        bucket=buckets[name].id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": aliases[name].name,
                }
            }
        ],
        opts=pulumi.ResourceOptions(retain_on_delete=True, depends_on=[aliases[name]]),
    )

# --- phase 4: queues, workers and their mappings ---
queues, workers = {}, {}
for name, row in table.items():
    queues[name] = aws.sqs.Queue(
        f"queue-{name}",
        name=row["queue_name"],
        message_retention_seconds=4 * 24 * 3600,
        tags=row["tags"],
    )
    workers[name] = aws.lambda_.Function(
        f"worker-{name}",
        name=f"{platform}-{name}-worker",
        role=roles[name].arn,
        runtime="python3.12",
        handler="run.handler",
        code=pulumi.AssetArchive({"run.py": pulumi.StringAsset("def handler(*_):\n    pass\n")}),
        memory_size=512,
        reserved_concurrent_executions=row["concurrency"],
        tags=row["tags"],
    )
    aws.lambda_.EventSourceMapping(
        f"mapping-{name}", event_source_arn=queues[name].arn, function_name=workers[name].arn
    )

# --- phase 5: access policies (managed, one per tenant) ---
for name in table:
    policy = aws.iam.Policy(
        f"access-{name}",
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Documents",
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": pulumi.Output.format("{0}/*", buckets[name].arn),
                    },
                    {
                        "Sid": "Listing",
                        "Effect": "Allow",
                        "Action": "s3:ListBucket",
                        "Resource": buckets[name].arn,
                    },
                    {
                        "Sid": "Tasks",
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:GetQueueAttributes",
                        ],
                        "Resource": queues[name].arn,
                    },
                    {
                        "Sid": "Logs",
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                        ],
                        "Resource": "*",
                    },
                ],
            }
        ),
    )
    aws.iam.RolePolicyAttachment(f"access-{name}", role=roles[name].name, policy_arn=policy.arn)

# --- phase 6: alarms ---
for name, row in table.items():
    aws.cloudwatch.MetricAlarm(
        f"backlog-{name}",
        name=f"{platform}-{name}-backlog",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        dimensions={"QueueName": row["queue_name"]},
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        threshold=299,
        comparison_operator="GreaterThanThreshold",
        opts=pulumi.ResourceOptions(depends_on=[queues[name]]),
    )

# --- phase 7: the front door ---
api = aws.apigateway.RestApi("api", name=f"{platform}-uploads")
uploads = aws.apigateway.Resource(
    "uploads", rest_api=api.id, parent_id=api.root_resource_id, path_part="uploads"
)
post = aws.apigateway.Method(
    "uploads-post",
    rest_api=api.id,
    resource_id=uploads.id,
    http_method="POST",
    authorization="NONE",
    api_key_required=True,
)
integration = aws.apigateway.Integration(
    "uploads-post",
    rest_api=api.id,
    resource_id=uploads.id,
    http_method=post.http_method,
    type="MOCK",
)
deployment = aws.apigateway.Deployment(
    "api", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
stage = aws.apigateway.Stage("main", rest_api=api.id, deployment=deployment.id, stage_name="main")
plans = {}
for tier, limits in tier_config.items():
    plans[tier] = aws.apigateway.UsagePlan(
        f"usage-{tier}",
        name=f"{platform}-usage-{tier}",
        api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
        throttle_settings={"rate_limit": limits["rateLimit"], "burst_limit": limits["burstLimit"]},
        quota_settings={"limit": limits["quotaPerDay"], "period": "DAY"},
    )
api_keys = {}
for name, row in table.items():
    api_keys[name] = aws.apigateway.ApiKey(f"api-key-{name}", tags=row["tags"])
    aws.apigateway.UsagePlanKey(
        f"api-key-{name}",
        key_id=api_keys[name].id,
        key_type="API_KEY",
        usage_plan_id=plans[row["tier"]].id,
    )

pulumi.export("apiId", api.id)
pulumi.export(
    "tenants",
    {
        name: {
            "bucket": buckets[name].bucket,
            "keyArn": keys[name].arn,
            "queueUrl": queues[name].url,
            "functionName": workers[name].name,
            "roleArn": roles[name].arn,
            "apiKeyId": api_keys[name].id,
        }
        for name in table
    },
)
