"""Style: Object Lock switched on after creation (the versioned bucket gets its lock
configuration, as S3 allows since 2023), the v1 aws.s3.BucketObject class, dict policy
documents (pulumi-aws 7 accepts a dict), statements per resource, CodeDeploy granted the
live alias's ARN only, and a custom 10-percent / 5-minute canary config.

Canary releases for the checkout service.

A release is "change ``releaseVersion``, run the program again": the artifact lands
under its own key in a locked, versioned bucket; the function publishes it as a new
numbered version; the ``live`` alias keeps serving the old one until CodeDeploy shifts
traffic, 10 percent first, watched by alarms on the new version, with automatic
rollback and notifications.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("serviceName")
release = cfg.require("releaseVersion")
bucket_name = cfg.require("artifactBucketName")

region = aws.get_region().region
account = aws.get_caller_identity().account_id


def trust(service_principal: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service_principal},
                "Action": "sts:AssumeRole",
            }
        ],
    }


# --- R1: immutable, versioned release artifacts ---
artifacts = aws.s3.Bucket("artifacts", bucket=bucket_name)
versioning = aws.s3.BucketVersioning(
    "artifacts-versioning",
    bucket=artifacts.id,
    versioning_configuration={"status": "Enabled"},
)
lock = aws.s3.BucketObjectLockConfiguration(
    "artifacts-lock",
    bucket=artifacts.id,
    object_lock_enabled="Enabled",
    rule={"default_retention": {"mode": "GOVERNANCE", "days": 90}},
    opts=pulumi.ResourceOptions(depends_on=[versioning]),
)
aws.s3.BucketPublicAccessBlock(
    "artifacts-public-access",
    bucket=artifacts.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "artifacts-encryption",
    bucket=artifacts.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
artifact = aws.s3.BucketObject(
    "artifact",
    bucket=artifacts.id,
    key=f"releases/{release}/{service}.zip",
    source=pulumi.FileArchive(f"./assets/releases/{release}"),
    opts=pulumi.ResourceOptions(depends_on=[versioning, lock]),
)

# --- R8: the function's role writes its own logs, nothing else ---
function_role = aws.iam.Role("function-role", assume_role_policy=trust("lambda.amazonaws.com"))
log_group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{service}"
aws.iam.RolePolicy(
    "function-logs",
    role=function_role.id,
    policy=(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "OwnLogGroup",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{log_group}:*",
                }
            ],
        }
    ),
)

# --- R2: the released artifact, published as a numbered version ---
function = aws.lambda_.Function(
    "service",
    name=service,
    role=function_role.arn,
    runtime="python3.12",
    handler="app.handler",
    s3_bucket=artifacts.id,
    s3_key=artifact.key,
    s3_object_version=artifact.version_id,
    publish=True,
    memory_size=256,
    timeout=10,
    environment={"variables": {"RELEASE": release}},
)

# --- R3: production traffic goes through `live`; after its creation CodeDeploy moves it ---
live = aws.lambda_.Alias(
    "live",
    name="live",
    function_name=function.name,
    function_version=function.version,
    opts=pulumi.ResourceOptions(ignore_changes=["function_version", "routing_config"]),
)

# --- R7: deployment notifications ---
deployments = aws.sns.Topic("deployments", name=f"{service}-deployments")

# --- R6: golden signals of the new version, as served through `live` ---
canary = {
    "FunctionName": function.name,
    "Resource": pulumi.Output.concat(function.name, ":live"),
    "ExecutedVersion": function.version,
}
errors = aws.cloudwatch.MetricAlarm(
    "canary-errors",
    name=f"{service}-canary-errors",
    alarm_description="Any error served by the version being released",
    namespace="AWS/Lambda",
    metric_name="Errors",
    dimensions=canary,
    statistic="Sum",
    period=60,
    evaluation_periods=1,
    threshold=0,
    comparison_operator="GreaterThanThreshold",
    treat_missing_data="notBreaching",
)
latency = aws.cloudwatch.MetricAlarm(
    "canary-latency",
    name=f"{service}-canary-latency",
    alarm_description="p99 latency of the version being released above 1 s for 2 minutes",
    namespace="AWS/Lambda",
    metric_name="Duration",
    dimensions=canary,
    extended_statistic="p99",
    period=60,
    evaluation_periods=2,
    datapoints_to_alarm=2,
    threshold=1000,
    comparison_operator="GreaterThanThreshold",
    treat_missing_data="notBreaching",
)

# --- R8: CodeDeploy may shift `live`, read its alarms and announce, nothing else ---
codedeploy_role = aws.iam.Role(
    "codedeploy-role", assume_role_policy=trust("codedeploy.amazonaws.com")
)
aws.iam.RolePolicy(
    "codedeploy-shift-traffic",
    role=codedeploy_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ShiftLiveAlias",
                    "Effect": "Allow",
                    "Action": ["lambda:GetAlias", "lambda:UpdateAlias"],
                    "Resource": live.arn,
                },
                {
                    "Sid": "WatchCanaryAlarms",
                    "Effect": "Allow",
                    "Action": "cloudwatch:DescribeAlarms",
                    "Resource": errors.arn,
                },
                {
                    "Effect": "Allow",
                    "Action": "cloudwatch:DescribeAlarms",
                    "Resource": latency.arn,
                },
                {
                    "Sid": "AnnounceDeployments",
                    "Effect": "Allow",
                    "Action": "sns:Publish",
                    "Resource": deployments.arn,
                },
            ],
        }
    ),
)

# --- R4, R5, R6, R7: the canary rollout ---
application = aws.codedeploy.Application("application", name=service, compute_platform="Lambda")
group = aws.codedeploy.DeploymentGroup(
    "live-rollout",
    app_name=application.name,
    deployment_group_name="live",
    service_role_arn=codedeploy_role.arn,
    deployment_config_name=aws.codedeploy.DeploymentConfig(
        "canary-10-5",
        deployment_config_name=f"{service}-canary-10-percent-5-minutes",
        compute_platform="Lambda",
        traffic_routing_config={
            "type": "TimeBasedCanary",
            "time_based_canary": {"percentage": 10, "interval": 5},
        },
    ).deployment_config_name,
    deployment_style={
        "deployment_type": "BLUE_GREEN",
        "deployment_option": "WITH_TRAFFIC_CONTROL",
    },
    auto_rollback_configuration={
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    },
    alarm_configuration={"enabled": True, "alarms": [errors.name, latency.name]},
    trigger_configurations=[
        {
            "trigger_name": "deployments",
            "trigger_target_arn": deployments.arn,
            "trigger_events": [
                "DeploymentStart",
                "DeploymentSuccess",
                "DeploymentFailure",
                "DeploymentStop",
                "DeploymentRollback",
            ],
        }
    ],
)

# --- R9: exports ---
pulumi.export("releaseVersion", release)
pulumi.export("artifactBucketName", artifacts.bucket)
pulumi.export("artifactKey", artifact.key)
pulumi.export("functionName", function.name)
pulumi.export("publishedVersion", function.version)
pulumi.export("liveAliasArn", live.arn)
pulumi.export("applicationName", application.name)
pulumi.export("deploymentGroupName", group.deployment_group_name)
pulumi.export("notificationTopicArn", deployments.arn)
