"""Style: ComponentResource classes, policies from get_policy_document_output, a custom
5-percent TimeBasedCanary deployment config, and p99 latency.

The pipeline is three components (artifact store, service, rollout); every child
resource is parented to its component, so Pulumi names are plain and URNs nested.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("serviceName")
release = cfg.require("releaseVersion")
bucket_name = cfg.require("artifactBucketName")

caller = aws.get_caller_identity()
region = aws.get_region()


def assume_role_doc(principal: str) -> pulumi.Output[str]:
    return aws.iam.get_policy_document_output(
        statements=[
            {
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": [principal]}],
            }
        ]
    ).json


class ArtifactStore(pulumi.ComponentResource):
    """A locked, versioned, private, encrypted bucket; one key per release."""

    def __init__(self, name: str, bucket: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:release:ArtifactStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket=bucket, object_lock_enabled=True, opts=child
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-lock",
            bucket=self.bucket.id,
            rule={"default_retention": {"mode": "GOVERNANCE", "days": 30}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-private",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        self._versioning = versioning
        self.register_outputs({"bucket": self.bucket.id})

    def upload(self, version: str, path: str) -> aws.s3.BucketObjectv2:
        return aws.s3.BucketObjectv2(
            f"release-{version}",
            bucket=self.bucket.id,
            key=f"releases/{version}/{service}.zip",
            source=pulumi.FileArchive(path),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._versioning]),
        )


class Service(pulumi.ComponentResource):
    """The function, its least-privilege role, and the live alias CodeDeploy owns."""

    def __init__(
        self,
        name: str,
        artifact: aws.s3.BucketObjectv2,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("acme:release:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role", assume_role_policy=assume_role_doc("lambda.amazonaws.com"), opts=child
        )
        log_group = f"arn:aws:logs:{region.region}:{caller.account_id}:log-group:/aws/lambda/{name}"
        aws.iam.RolePolicy(
            f"{name}-logs",
            role=self.role.id,
            policy=aws.iam.get_policy_document_output(
                statements=[
                    {
                        "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "resources": [f"{log_group}:*"],
                    }
                ]
            ).json,
            opts=child,
        )
        self.function = aws.lambda_.Function(
            f"{name}-function",
            name=name,
            role=self.role.arn,
            runtime="python3.12",
            handler="app.handler",
            s3_bucket=artifact.bucket,
            s3_key=artifact.key,
            s3_object_version=artifact.version_id,
            publish=True,
            memory_size=256,
            timeout=10,
            opts=child,
        )
        self.live = aws.lambda_.Alias(
            f"{name}-live",
            name="live",
            function_name=self.function.name,
            function_version=self.function.version,
            # CodeDeploy moves live after the first deploy.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=["function_version", "routing_config"]
            ),
        )
        self.register_outputs({"function": self.function.name, "live": self.live.arn})


class Rollout(pulumi.ComponentResource):
    """CodeDeploy canary for live: alarms on the new version, rollback, notifications."""

    def __init__(self, name: str, svc: Service, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:release:Rollout", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        dims = {
            "FunctionName": svc.function.name,
            "Resource": pulumi.Output.concat(svc.function.name, ":live"),
            "ExecutedVersion": svc.function.version,
        }
        self.errors = aws.cloudwatch.MetricAlarm(
            f"{name}-errors",
            name=f"{name}-canary-errors",
            namespace="AWS/Lambda",
            metric_name="Errors",
            dimensions=dims,
            statistic="Sum",
            period=60,
            evaluation_periods=1,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            opts=child,
        )
        self.latency = aws.cloudwatch.MetricAlarm(
            f"{name}-latency",
            name=f"{name}-canary-latency",
            namespace="AWS/Lambda",
            metric_name="Duration",
            dimensions=dims,
            extended_statistic="p99",
            period=60,
            evaluation_periods=2,
            datapoints_to_alarm=1,
            threshold=1000,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            opts=child,
        )
        self.topic = aws.sns.Topic(f"{name}-deployments", name=f"{name}-deployments", opts=child)
        self.application = aws.codedeploy.Application(
            f"{name}-app", name=name, compute_platform="Lambda", opts=child
        )
        self.config = aws.codedeploy.DeploymentConfig(
            f"{name}-canary",
            deployment_config_name=f"{name}-canary-5pct-5min",
            compute_platform="Lambda",
            traffic_routing_config={
                "type": "TimeBasedCanary",
                "time_based_canary": {"percentage": 5, "interval": 5},
            },
            opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-codedeploy",
            assume_role_policy=assume_role_doc("codedeploy.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-codedeploy-job",
            role=self.role.id,
            policy=aws.iam.get_policy_document_output(
                statements=[
                    {
                        "sid": "ShiftLive",
                        "actions": ["lambda:GetAlias", "lambda:UpdateAlias"],
                        "resources": [svc.live.arn],
                    },
                    {
                        "sid": "WatchAlarms",
                        "actions": ["cloudwatch:DescribeAlarms"],
                        "resources": [self.errors.arn, self.latency.arn],
                    },
                    {
                        "sid": "Announce",
                        "actions": ["sns:Publish"],
                        "resources": [self.topic.arn],
                    },
                ]
            ).json,
            opts=child,
        )
        self.group = aws.codedeploy.DeploymentGroup(
            f"{name}-group",
            app_name=self.application.name,
            deployment_group_name="live",
            service_role_arn=self.role.arn,
            deployment_config_name=self.config.deployment_config_name,
            deployment_style={
                "deployment_type": "BLUE_GREEN",
                "deployment_option": "WITH_TRAFFIC_CONTROL",
            },
            auto_rollback_configuration={
                "enabled": True,
                "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
            },
            alarm_configuration={
                "enabled": True,
                "alarms": [self.errors.name, self.latency.name],
            },
            trigger_configurations=[
                {
                    "trigger_name": "deployments",
                    "trigger_target_arn": self.topic.arn,
                    "trigger_events": [
                        "DeploymentStart",
                        "DeploymentSuccess",
                        "DeploymentFailure",
                        "DeploymentStop",
                        "DeploymentRollback",
                    ],
                }
            ],
            opts=child,
        )
        self.register_outputs({"group": self.group.deployment_group_name})


store = ArtifactStore("artifacts", bucket_name)
artifact = store.upload(release, f"./assets/releases/{release}")
checkout = Service(service, artifact)
rollout = Rollout(service, checkout)

pulumi.export("releaseVersion", release)
pulumi.export("artifactBucketName", store.bucket.bucket)
pulumi.export("artifactKey", artifact.key)
pulumi.export("functionName", checkout.function.name)
pulumi.export("publishedVersion", checkout.function.version)
pulumi.export("liveAliasArn", checkout.live.arn)
pulumi.export("applicationName", rollout.application.name)
pulumi.export("deploymentGroupName", rollout.group.deployment_group_name)
pulumi.export("notificationTopicArn", rollout.topic.arn)
