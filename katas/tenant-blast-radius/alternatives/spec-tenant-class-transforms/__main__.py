"""DocFlow, one failure domain per tenant: a plain Python class builds a tenant's silo.

Tags come from a resource transformation (so no tenant resource can forget them), policies are
Python dicts serialised with pulumi.Output.json_dumps, the role's access is a customer-managed
policy, and the concurrency cap is the event source mapping's maximum concurrency.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
tenants: dict = config.require_object("tenants")
tiers: dict = config.require_object("tiers")
budget = config.require_int("concurrencyBudget")

caller = aws.get_caller_identity()
partition = aws.get_partition().partition
account_root = f"arn:{partition}:iam::{caller.account_id}:root"

WORKER_SOURCE = "def handler(event, context):\n    return {'batchItemFailures': []}\n"

# Only resource types that take a `tags` map; the transform leaves the rest untouched.
TAGGABLE = {
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:sqs/queue:Queue",
    "aws:lambda/function:Function",
    "aws:iam/role:Role",
}


def tag_with(tags: dict):
    """A transformation that merges the tenant's tags into every taggable resource it sees.

    The SDK-side `transformations` option, not engine-side `transforms`: it runs in this
    process, so it needs nothing from the engine that registers the resources."""

    def transform(args: pulumi.ResourceTransformationArgs):
        if args.type_ not in TAGGABLE:
            return None
        props = dict(args.props)
        props["tags"] = {**(props.get("tags") or {}), **tags}
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


class FrontDoor:
    """The shared API and one usage plan per tier. Nothing here reads the tenant list, so
    tenant changes never update it (R4)."""

    def __init__(self) -> None:
        self.api = aws.apigateway.RestApi("api", name=f"{platform}-api")
        documents = aws.apigateway.Resource(
            "documents",
            rest_api=self.api.id,
            parent_id=self.api.root_resource_id,
            path_part="documents",
        )
        integrations = []
        # Both methods need a key: a keyless method would bypass every usage plan (R5).
        for verb in ("POST", "GET"):
            method = aws.apigateway.Method(
                f"documents-{verb.lower()}",
                rest_api=self.api.id,
                resource_id=documents.id,
                http_method=verb,
                authorization="NONE",
                api_key_required=True,
            )
            integrations.append(
                aws.apigateway.Integration(
                    f"documents-{verb.lower()}",
                    rest_api=self.api.id,
                    resource_id=documents.id,
                    http_method=method.http_method,
                    type="MOCK",
                    request_templates={"application/json": '{"statusCode": 200}'},
                )
            )
        deployment = aws.apigateway.Deployment(
            "api", rest_api=self.api.id, opts=pulumi.ResourceOptions(depends_on=integrations)
        )
        stage = aws.apigateway.Stage(
            "live", rest_api=self.api.id, deployment=deployment.id, stage_name="live"
        )
        self.plans = {}
        for tier, limits in tiers.items():
            self.plans[tier] = aws.apigateway.UsagePlan(
                f"tier-{tier}",
                name=f"{platform}-tier-{tier}",
                description=f"{tier} tier",
                api_stages=[
                    aws.apigateway.UsagePlanApiStageArgs(api_id=self.api.id, stage=stage.stage_name)
                ],
                throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
                    rate_limit=float(limits["rateLimit"]), burst_limit=int(limits["burstLimit"])
                ),
                quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(
                    limit=int(limits["quotaPerDay"]), period="DAY"
                ),
            )


class Tenant:
    """One tenant's silo: bucket, key, queue, worker, role, alarm and API key."""

    def __init__(self, name: str, tier: str, cell: str, door: FrontDoor) -> None:
        self.name = name
        self.prefix = f"{platform}-{name}"
        self.tagged = pulumi.ResourceOptions(
            transformations=[tag_with({"tenant": name, "cell": cell})]
        )
        # Kept on offboarding (R6): the documents, and the key that decrypts them.
        self.kept = pulumi.ResourceOptions.merge(
            self.tagged, pulumi.ResourceOptions(retain_on_delete=True)
        )
        self.role = self._role()
        self.key = self._key()
        self.bucket = self._bucket()
        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            name=f"{self.prefix}-queue",
            visibility_timeout_seconds=90,
            message_retention_seconds=4 * 24 * 3600,
            opts=self.tagged,
        )
        self._access()
        self.function = self._worker(tiers[tier]["concurrency"])
        self._alarm()
        self.api_key = aws.apigateway.ApiKey(f"{name}-api", name=self.prefix)
        aws.apigateway.UsagePlanKey(
            f"{name}-api",
            key_id=self.api_key.id,
            key_type="API_KEY",
            usage_plan_id=door.plans[tier].id,
        )

    def _role(self) -> aws.iam.Role:
        trust = {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
        }
        return aws.iam.Role(
            f"{self.name}-role",
            name=f"{self.prefix}-role",
            assume_role_policy=pulumi.Output.json_dumps(trust),
            opts=self.tagged,
        )

    def _key(self) -> aws.kms.Key:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    # The root administers but never uses the key: a root grant of use would
                    # hand it to every IAM policy in the account.
                    "Sid": "RootAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": account_root},
                    "Action": [
                        "kms:Describe*",
                        "kms:Put*",
                        "kms:List*",
                        "kms:GetKeyPolicy",
                        "kms:GetKeyRotationStatus",
                        "kms:EnableKeyRotation",
                        "kms:TagResource",
                        "kms:UntagResource",
                        "kms:ScheduleKeyDeletion",
                        "kms:CancelKeyDeletion",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "TenantWorkerUses",
                    "Effect": "Allow",
                    "Principal": {"AWS": self.role.arn},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": "*",
                },
            ],
        }
        return aws.kms.Key(
            f"{self.name}-cmk",
            description=f"documents of {self.name}",
            deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(policy),
            opts=self.kept,
        )

    def _bucket(self) -> aws.s3.Bucket:
        bucket = aws.s3.Bucket(f"{self.name}-bucket", bucket=f"{self.prefix}-data", opts=self.kept)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self.name}-bucket",
            bucket=bucket.bucket,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=self.key.key_id
                    )
                )
            ],
            opts=pulumi.ResourceOptions(retain_on_delete=True),
        )
        aws.s3.BucketPublicAccessBlock(
            f"{self.name}-bucket",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(retain_on_delete=True),
        )
        return bucket

    def _access(self) -> None:
        bucket_arn = self.bucket.bucket.apply(lambda b: f"arn:{partition}:s3:::{b}")
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                    "Resource": bucket_arn.apply(lambda arn: f"{arn}/*"),
                },
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
                {
                    "Effect": "Allow",
                    "Action": [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility",
                    ],
                    "Resource": self.queue.arn,
                },
                {
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                    "Resource": self.key.arn,
                },
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "*",
                },
                # A guard rail, not a grant: a worker never deletes documents, wherever an
                # allow might come from later.
                {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"},
            ],
        }
        policy = aws.iam.Policy(
            f"{self.name}-worker",
            name=f"{self.prefix}-worker",
            policy=pulumi.Output.json_dumps(document),
        )
        aws.iam.RolePolicyAttachment(
            f"{self.name}-worker", role=self.role.name, policy_arn=policy.arn
        )

    def _worker(self, cap: int) -> aws.lambda_.Function:
        function = aws.lambda_.Function(
            f"{self.name}-fn",
            name=f"{self.prefix}-fn",
            role=self.role.arn,
            runtime="python3.12",
            handler="worker.handler",
            code=pulumi.AssetArchive({"worker.py": pulumi.StringAsset(WORKER_SOURCE)}),
            timeout=60,
            opts=self.tagged,
        )
        # The mapping's maximum concurrency is the tenant's cap: a flood on this queue scales
        # this consumer to `cap` at most, leaving the pool to everyone else (R3).
        aws.lambda_.EventSourceMapping(
            f"{self.name}-consume",
            event_source_arn=self.queue.arn,
            function_name=function.name,
            batch_size=5,
            scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=cap),
        )
        return function

    def _alarm(self) -> None:
        aws.cloudwatch.MetricAlarm(
            f"{self.name}-oldest-message",
            name=f"{self.prefix}-oldest-message",
            alarm_description=f"{self.name}'s documents wait more than four minutes",
            namespace="AWS/SQS",
            metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": self.queue.name},
            statistic="Maximum",
            period=300,
            evaluation_periods=1,
            threshold=240,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )

    def export(self) -> dict:
        return {
            "bucket": self.bucket.bucket,
            "keyArn": self.key.arn,
            "queueUrl": self.queue.id,  # an SQS queue's id is its URL
            "functionName": self.function.name,
            "roleArn": self.role.arn,
            "apiKeyId": self.api_key.id,
        }


caps = sum(tiers[spec["tier"]]["concurrency"] for spec in tenants.values())
if caps > budget:
    pulumi.log.warn(f"tenant caps add up to {caps}, over the budget of {budget}")

door = FrontDoor()
silos = [Tenant(name, spec["tier"], spec["cell"], door) for name, spec in sorted(tenants.items())]
pulumi.export("apiId", door.api.id)
pulumi.export("tenants", {silo.name: silo.export() for silo in silos})
