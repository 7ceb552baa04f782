"""DocFlow with a Tenant component: everything a tenant owns is one ComponentResource.

Differs from the solution: a component per tenant; mapping maximum concurrency (not
reserved concurrency) as the cap; managed policies attached to the role; the key named
by an alias in the bucket's encryption rule; the admin statement of the key policy
written as an explicit list without wildcards.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
tenants = config.require_object("tenants")
tiers = config.require_object("tiers")

ACCOUNT = aws.get_caller_identity().account_id
KEY_ADMIN_ACTIONS = [
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:EnableKeyRotation",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
]


class FrontDoor(pulumi.ComponentResource):
    """The shared API with one usage plan per tier."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("docflow:platform:FrontDoor", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.api = aws.apigateway.RestApi(name, name=f"{platform}-api", opts=child)
        jobs = aws.apigateway.Resource(
            "jobs",
            rest_api=self.api.id,
            parent_id=self.api.root_resource_id,
            path_part="jobs",
            opts=child,
        )
        method = aws.apigateway.Method(
            "submit",
            rest_api=self.api.id,
            resource_id=jobs.id,
            http_method="PUT",
            authorization="NONE",
            api_key_required=True,
            opts=child,
        )
        integration = aws.apigateway.Integration(
            "submit",
            rest_api=self.api.id,
            resource_id=jobs.id,
            http_method=method.http_method,
            type="MOCK",
            opts=child,
        )
        deployment = aws.apigateway.Deployment(
            "v1",
            rest_api=self.api.id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[integration]),
        )
        stage = aws.apigateway.Stage(
            "live", rest_api=self.api.id, deployment=deployment.id, stage_name="live", opts=child
        )
        self.plans = {}
        for tier, limits in tiers.items():
            self.plans[tier] = aws.apigateway.UsagePlan(
                tier,
                name=f"{platform}-{tier}-plan",
                api_stages=[{"api_id": self.api.id, "stage": stage.stage_name}],
                throttle_settings={
                    "burst_limit": int(limits["burstLimit"]),
                    "rate_limit": float(limits["rateLimit"]),
                },
                quota_settings={"period": "DAY", "limit": int(limits["quotaPerDay"])},
                opts=child,
            )
        self.register_outputs({})


class Tenant(pulumi.ComponentResource):
    """One tenant's failure domain: data, key, queue, worker, role, alarm and API key."""

    def __init__(
        self,
        name: str,
        tier: str,
        cell: str,
        front_door: FrontDoor,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("docflow:tenant:Tenant", name, None, opts)
        tags = {"tenant": name, "cell": cell}
        child = pulumi.ResourceOptions(parent=self)
        keep = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        base = f"{platform}-{name}"

        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{base}-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Allow",
                        "Principal": {"Service": ["lambda.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"],
                    },
                }
            ),
            tags=tags,
            opts=child,
        )
        self.key = aws.kms.Key(
            f"{name}-data-key",
            description=f"DocFlow data of {name}",
            enable_key_rotation=True,
            policy=self.role.arn.apply(
                lambda role_arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "KeyAdministration",
                                "Effect": "Allow",
                                "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]},
                                "Action": KEY_ADMIN_ACTIONS,
                                "Resource": "*",
                            },
                            {
                                "Sid": "TenantWorkerUse",
                                "Effect": "Allow",
                                "Principal": {"AWS": [role_arn]},
                                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                                "Resource": "*",
                            },
                        ],
                    }
                )
            ),
            tags=tags,
            opts=keep,
        )
        alias = aws.kms.Alias(
            f"{name}-data-key", name=f"alias/{base}-data", target_key_id=self.key.key_id, opts=keep
        )
        self.bucket = aws.s3.Bucket(f"{name}-data", bucket=f"{base}-data", tags=tags, opts=keep)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-data",
            bucket=self.bucket.bucket,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": alias.arn,
                    }
                }
            ],
            opts=keep,
        )
        self.queue = aws.sqs.Queue(f"{name}-inbox", name=f"{base}-inbox", tags=tags, opts=child)

        def access(args: list) -> str:
            bucket_arn, queue_arn, key_arn = args
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                            "Resource": [f"{bucket_arn}/*"],
                        },
                        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
                        {
                            "Effect": "Allow",
                            "Action": [
                                "sqs:ReceiveMessage",
                                "sqs:DeleteMessage",
                                "sqs:ChangeMessageVisibility",
                                "sqs:GetQueueAttributes",
                            ],
                            "Resource": queue_arn,
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                            "Resource": key_arn,
                        },
                    ],
                }
            )

        policy = aws.iam.Policy(
            f"{name}-access",
            name=f"{base}-access",
            policy=pulumi.Output.all(self.bucket.arn, self.queue.arn, self.key.arn).apply(access),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-access", role=self.role.name, policy_arn=policy.arn, opts=child
        )
        self.worker = aws.lambda_.Function(
            f"{name}-processor",
            name=f"{base}-processor",
            role=self.role.arn,
            runtime="python3.12",
            handler="index.handler",
            code=pulumi.AssetArchive(
                {"index.py": pulumi.StringAsset("def handler(event, context):\n    return None\n")}
            ),
            tags=tags,
            opts=child,
        )
        aws.lambda_.EventSourceMapping(
            f"{name}-inbox",
            event_source_arn=self.queue.arn,
            function_name=self.worker.arn,
            scaling_config={"maximum_concurrency": int(tiers[tier]["concurrency"])},
            opts=child,
        )
        aws.cloudwatch.MetricAlarm(
            f"{name}-stale-inbox",
            namespace="AWS/SQS",
            metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": self.queue.name},
            statistic="Maximum",
            period=300,
            evaluation_periods=1,
            threshold=300,
            comparison_operator="GreaterThanOrEqualToThreshold",
            opts=child,
        )
        self.api_key = aws.apigateway.ApiKey(f"{name}-api", name=f"{base}-api", opts=child)
        aws.apigateway.UsagePlanKey(
            f"{name}-api",
            key_id=self.api_key.id,
            key_type="API_KEY",
            usage_plan_id=front_door.plans[tier].id,
            opts=child,
        )
        self.register_outputs({})


front_door = FrontDoor("docflow")
tenant_exports = {}
for tenant_name, placement in tenants.items():
    t = Tenant(tenant_name, placement["tier"], placement["cell"], front_door)
    tenant_exports[tenant_name] = {
        "bucket": t.bucket.id,
        "keyArn": t.key.arn,
        "queueUrl": t.queue.id,
        "functionName": t.worker.name,
        "roleArn": t.role.arn,
        "apiKeyId": t.api_key.id,
    }

pulumi.export("apiId", front_door.api.id)
pulumi.export("tenants", tenant_exports)
