"""DocFlow grouped by cell: the program walks the cells, then the tenants in each.

Differs from the solution: documents written with json.dumps inside Output.all().apply,
single statements (not lists) and AWS's mixed-case action spellings; three inline
policies per role (data, queue, key); mapping maximum concurrency as the only cap;
a greedy proxy resource with ANY as the API's method; tags merged from a cell-wide set.
"""

import json

import pulumi
import pulumi_aws as aws

conf = pulumi.Config()
platform = conf.require("platform")
tenants = conf.require_object("tenants")
tiers = conf.require_object("tiers")
account = aws.get_caller_identity().account_id

# --- the front door: a greedy proxy, every method behind an API key ---
api = aws.apigateway.RestApi("gateway", name=f"{platform}-gateway")
proxy = aws.apigateway.Resource(
    "proxy", rest_api=api.id, parent_id=api.root_resource_id, path_part="{proxy+}"
)
any_method = aws.apigateway.Method(
    "proxy-any",
    rest_api=api.id,
    resource_id=proxy.id,
    http_method="ANY",
    authorization="NONE",
    api_key_required=True,
)
mock = aws.apigateway.Integration(
    "proxy-any",
    rest_api=api.id,
    resource_id=proxy.id,
    http_method="ANY",
    type="MOCK",
    opts=pulumi.ResourceOptions(depends_on=[any_method]),
)
release = aws.apigateway.Deployment(
    "gateway", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[mock])
)
stage = aws.apigateway.Stage("gateway", rest_api=api.id, deployment=release.id, stage_name="api")
plan_of = {}
for tier_name in sorted(tiers):
    t = tiers[tier_name]
    plan_of[tier_name] = aws.apigateway.UsagePlan(
        f"{tier_name}-tier",
        name=f"{platform}-{tier_name}-tier",
        description=f"{tier_name} tier limits",
        api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
        throttle_settings={"burst_limit": t["burstLimit"], "rate_limit": t["rateLimit"]},
        quota_settings={"limit": t["quotaPerDay"], "period": "DAY"},
    )


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


cells = sorted({t["cell"] for t in tenants.values()})
exports = {}
for cell in cells:
    cell_tags = {"cell": cell, "platform": platform}
    for name in sorted(n for n, t in tenants.items() if t["cell"] == cell):
        tier = tenants[name]["tier"]
        tags = {**cell_tags, "tenant": name}
        stem = f"{platform}-tenant-{name}"

        role = aws.iam.Role(
            f"{name}-role",
            name=f"{stem}-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    },
                }
            ),
            tags=tags,
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=f"{name}: documents at rest",
            policy=role.arn.apply(
                lambda arn: doc(
                    {
                        "Sid": "RootAdministersOnly",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                        "Action": [
                            "kms:DescribeKey",
                            "kms:GetKeyPolicy",
                            "kms:PutKeyPolicy",
                            "kms:ListResourceTags",
                            "kms:TagResource",
                            "kms:UntagResource",
                            "kms:ScheduleKeyDeletion",
                            "kms:CancelKeyDeletion",
                            "kms:EnableKeyRotation",
                            "kms:DisableKey",
                            "kms:EnableKey",
                        ],
                        "Resource": "*",
                    },
                    {
                        "Sid": "OnlyThisTenantsWorker",
                        "Effect": "Allow",
                        "Principal": {"AWS": arn},
                        "Action": ["KMS:Decrypt", "kms:generatedatakey"],
                        "Resource": "*",
                    },
                )
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(retain_on_delete=True),
        )
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=f"{stem}",
            tags=tags,
            opts=pulumi.ResourceOptions(retain_on_delete=True),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-bucket-sse",
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
        )
        queue = aws.sqs.Queue(f"{name}-queue", name=f"{stem}-queue", tags=tags)

        aws.iam.RolePolicy(
            f"{name}-data",
            role=role.id,
            policy=bucket.arn.apply(
                lambda arn: doc(
                    {
                        "Effect": "Allow",
                        "Action": ["S3:GetObject", "s3:putobject"],
                        "Resource": f"{arn}/*",
                    }
                )
            ),
        )
        aws.iam.RolePolicy(
            f"{name}-queue",
            role=role.id,
            policy=queue.arn.apply(
                lambda arn: doc(
                    {
                        "Effect": "Allow",
                        "Action": [
                            "SQS:ReceiveMessage",
                            "SQS:DeleteMessage",
                            "SQS:GetQueueAttributes",
                            "SQS:ChangeMessageVisibility",
                        ],
                        "Resource": arn,
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "*",
                    },
                )
            ),
        )
        aws.iam.RolePolicy(
            f"{name}-key",
            role=role.id,
            policy=key.arn.apply(
                lambda arn: doc(
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": arn,
                    }
                )
            ),
        )
        function = aws.lambda_.Function(
            f"{name}-worker",
            name=f"{stem}-worker",
            role=role.arn,
            runtime="python3.12",
            handler="handler.main",
            code=pulumi.AssetArchive(
                {"handler.py": pulumi.StringAsset("def main(event, context):\n    return 0\n")}
            ),
            tags=tags,
        )
        aws.lambda_.EventSourceMapping(
            f"{name}-feed",
            event_source_arn=queue.arn,
            function_name=function.name,
            batch_size=5,
            scaling_config={"maximum_concurrency": tiers[tier]["concurrency"]},
        )
        aws.cloudwatch.MetricAlarm(
            f"{name}-oldest-message",
            name=f"{stem}-oldest-message",
            namespace="AWS/SQS",
            metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": queue.name},
            statistic="Maximum",
            period=60,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            threshold=180,
            comparison_operator="GreaterThanOrEqualToThreshold",
            tags=tags,
        )
        api_key = aws.apigateway.ApiKey(f"{name}-api-key", name=f"{stem}", tags=tags)
        aws.apigateway.UsagePlanKey(
            f"{name}-api-key", key_id=api_key.id, key_type="API_KEY", usage_plan_id=plan_of[tier].id
        )
        exports[name] = {
            "bucket": bucket.bucket,
            "keyArn": key.arn,
            "queueUrl": queue.url,
            "functionName": function.name,
            "roleArn": role.arn,
            "apiKeyId": api_key.id,
        }

pulumi.export("apiId", api.id)
pulumi.export("tenants", exports)
