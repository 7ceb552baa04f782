"""Style: flat script with pulumi.Output.json_dumps over resource ARNs, inline RolePolicy
per concern, the S3 *V2 resource classes, the live alias's ARN as CodeDeploy's Lambda
resource, a custom 10-percent / 10-minute TimeBasedCanary (inside the 15-minute window),
alarms that need 1 of 3 one-minute datapoints.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
SERVICE = cfg.require("serviceName")
RELEASE = cfg.require("releaseVersion")
BUCKET = cfg.require("artifactBucketName")

identity = aws.get_caller_identity_output()
current_region = aws.get_region_output()

releases = aws.s3.BucketV2("releases", bucket=BUCKET, object_lock_enabled=True, force_destroy=False)
releases_versioning = aws.s3.BucketVersioningV2(
    "releases-versioning",
    bucket=releases.id,
    versioning_configuration={"status": "Enabled"},
)
releases_lock = aws.s3.BucketObjectLockConfiguration(
    "releases-lock",
    bucket=releases.id,
    rule={"default_retention": {"mode": "GOVERNANCE", "days": 30}},
    opts=pulumi.ResourceOptions(depends_on=[releases_versioning]),
)
aws.s3.BucketPublicAccessBlock(
    "releases-no-public",
    bucket=releases.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketServerSideEncryptionConfigurationV2(
    "releases-encryption",
    bucket=releases.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"},
            "bucket_key_enabled": True,
        }
    ],
)

zip_object = aws.s3.BucketObjectv2(
    "checkout-zip",
    bucket=releases.id,
    key=f"releases/{RELEASE}/bundle.zip",
    source=pulumi.FileArchive(f"./assets/releases/{RELEASE}"),
    opts=pulumi.ResourceOptions(depends_on=[releases_versioning, releases_lock]),
)

lambda_role = aws.iam.Role(
    "checkout-exec",
    assume_role_policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
        }
    ),
)
aws.iam.RolePolicy(
    "checkout-exec-logs",
    role=lambda_role.name,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "OwnLogStreams",
                    "Effect": "Allow",
                    "Action": "logs:CreateLogStream",
                    "Resource": pulumi.Output.format(
                        "arn:aws:logs:{0}:{1}:log-group:/aws/lambda/{2}:*",
                        current_region.region,
                        identity.account_id,
                        SERVICE,
                    ),
                },
                {
                    "Sid": "OwnLogEvents",
                    "Effect": "Allow",
                    "Action": "logs:PutLogEvents",
                    "Resource": pulumi.Output.format(
                        "arn:aws:logs:{0}:{1}:log-group:/aws/lambda/{2}:log-stream:*",
                        current_region.region,
                        identity.account_id,
                        SERVICE,
                    ),
                },
            ],
        }
    ),
)

checkout = aws.lambda_.Function(
    "checkout",
    name=SERVICE,
    role=lambda_role.arn,
    runtime="python3.12",
    handler="app.handler",
    s3_bucket=zip_object.bucket,
    s3_key=zip_object.key,
    s3_object_version=zip_object.version_id,
    publish=True,
    memory_size=512,
    timeout=15,
    environment={"variables": {"RELEASE": RELEASE}},
)

live = aws.lambda_.Alias(
    "checkout-live",
    name="live",
    function_name=checkout.name,
    function_version=checkout.version,
    description="production entry point; moved by CodeDeploy only",
    opts=pulumi.ResourceOptions(ignore_changes=["function_version", "routing_config"]),
)

canary_dimensions = {
    "FunctionName": checkout.name,
    "Resource": pulumi.Output.format("{0}:{1}", checkout.name, live.name),
    "ExecutedVersion": checkout.version,
}
errors_alarm = aws.cloudwatch.MetricAlarm(
    "canary-errors",
    name=f"{SERVICE}-canary-errors",
    alarm_description="the new version fails requests",
    namespace="AWS/Lambda",
    metric_name="Errors",
    dimensions=canary_dimensions,
    statistic="Sum",
    period=60,
    evaluation_periods=3,
    datapoints_to_alarm=1,
    threshold=0,
    comparison_operator="GreaterThanThreshold",
    treat_missing_data="notBreaching",
)
latency_alarm = aws.cloudwatch.MetricAlarm(
    "canary-latency",
    name=f"{SERVICE}-canary-p99",
    alarm_description="the new version is slow at p99",
    namespace="AWS/Lambda",
    metric_name="Duration",
    dimensions=canary_dimensions,
    extended_statistic="p99",
    period=60,
    evaluation_periods=3,
    datapoints_to_alarm=1,
    threshold=800,
    comparison_operator="GreaterThanOrEqualToThreshold",
    treat_missing_data="notBreaching",
)

announcements = aws.sns.Topic("announcements", name=f"{SERVICE}-releases")

deployer_role = aws.iam.Role(
    "deployer",
    assume_role_policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["codedeploy.amazonaws.com"]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "deployer-alias",
    role=deployer_role.name,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["lambda:GetAlias", "lambda:UpdateAlias"],
                    "Resource": live.arn,
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "deployer-alarms",
    role=deployer_role.name,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "cloudwatch:DescribeAlarms",
                    "Resource": [errors_alarm.arn, latency_alarm.arn],
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "deployer-notify",
    role=deployer_role.name,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sns:Publish", "Resource": announcements.arn}
            ],
        }
    ),
)

app = aws.codedeploy.Application("checkout-app", name=SERVICE, compute_platform="Lambda")
canary_config = aws.codedeploy.DeploymentConfig(
    "canary-10-10",
    deployment_config_name=f"{SERVICE}-Canary10Percent10Minutes",
    compute_platform="Lambda",
    traffic_routing_config={
        "type": "TimeBasedCanary",
        "time_based_canary": {"percentage": 10, "interval": 10},
    },
)
group = aws.codedeploy.DeploymentGroup(
    "checkout-live-group",
    app_name=app.name,
    deployment_group_name="checkout-live",
    service_role_arn=deployer_role.arn,
    deployment_config_name=canary_config.id,
    deployment_style={
        "deployment_option": "WITH_TRAFFIC_CONTROL",
        "deployment_type": "BLUE_GREEN",
    },
    alarm_configuration={
        "alarms": [errors_alarm.name, latency_alarm.name],
        "enabled": True,
        "ignore_poll_alarm_failure": False,
    },
    auto_rollback_configuration={
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"],
    },
    trigger_configurations=[
        {
            "trigger_name": "lifecycle",
            "trigger_target_arn": announcements.arn,
            "trigger_events": ["DeploymentStart", "DeploymentSuccess"],
        },
        {
            "trigger_name": "trouble",
            "trigger_target_arn": announcements.arn,
            "trigger_events": ["DeploymentFailure", "DeploymentStop", "DeploymentRollback"],
        },
    ],
)

pulumi.export("releaseVersion", RELEASE)
pulumi.export("artifactBucketName", releases.bucket)
pulumi.export("artifactKey", zip_object.key)
pulumi.export("functionName", checkout.name)
pulumi.export("publishedVersion", checkout.version)
pulumi.export("liveAliasArn", live.arn)
pulumi.export("applicationName", app.name)
pulumi.export("deploymentGroupName", group.deployment_group_name)
pulumi.export("notificationTopicArn", announcements.arn)
