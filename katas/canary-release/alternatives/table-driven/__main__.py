"""Style: tables and loops. Alarms and roles are rows of dicts; policies are dicts (pulumi-aws 7
accepts a dict for policy/assume_role_policy) attached as managed aws.iam.Policy +
RolePolicyAttachment; list-valued principals and actions, unusual-but-valid action case
(`Lambda:getAlias`), the function's ARN rather than the alias's, Maximum latency, the predefined
CodeDeployDefault.LambdaCanary10Percent5Minutes, and one trigger per event.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("serviceName")
release = cfg.require("releaseVersion")
bucket_name = cfg.require("artifactBucketName")

account = aws.get_caller_identity().account_id
region = aws.get_region().region
partition = aws.get_partition().partition

# --- artifacts -------------------------------------------------------------------------
bucket = aws.s3.Bucket("artifact-bucket", bucket=bucket_name, object_lock_enabled=True)
bucket_settings = [
    aws.s3.BucketVersioning(
        "artifact-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
    ),
    aws.s3.BucketPublicAccessBlock(
        "artifact-public-access",
        bucket=bucket.id,
        **{
            flag: True
            for flag in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            )
        },
    ),
    aws.s3.BucketServerSideEncryptionConfiguration(
        "artifact-encryption",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
    ),
]
bucket_settings.append(
    aws.s3.BucketObjectLockConfiguration(
        "artifact-lock",
        bucket=bucket.id,
        object_lock_enabled="Enabled",
        rule={"default_retention": {"mode": "GOVERNANCE", "days": 45}},
        opts=pulumi.ResourceOptions(depends_on=bucket_settings[:1]),
    )
)
artifact = aws.s3.BucketObjectv2(
    "release-artifact",
    bucket=bucket.bucket,
    key=f"releases/{release}/{service}.zip",
    source=pulumi.FileArchive(f"./assets/releases/{release}"),
    opts=pulumi.ResourceOptions(depends_on=bucket_settings),
)

# --- roles: one table row per service role ----------------------------------------------
ROLES = {
    "function": "lambda.amazonaws.com",
    "codedeploy": "codedeploy.amazonaws.com",
}
roles = {
    key: aws.iam.Role(
        f"{key}-service-role",
        assume_role_policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": [principal]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        },
    )
    for key, principal in ROLES.items()
}

log_group_arn = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/lambda/{service}"
function_policy = aws.iam.Policy(
    "function-logs",
    policy={
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [f"{log_group_arn}:log-stream:*"],
            }
        ],
    },
)
aws.iam.RolePolicyAttachment(
    "function-logs", role=roles["function"].name, policy_arn=function_policy.arn
)

function = aws.lambda_.Function(
    "function",
    name=service,
    role=roles["function"].arn,
    runtime="python3.13",
    handler="app.handler",
    s3_bucket=artifact.bucket,
    s3_key=artifact.key,
    s3_object_version=artifact.version_id,
    publish=True,
    timeout=5,
    opts=pulumi.ResourceOptions(depends_on=[function_policy]),
)
live = aws.lambda_.Alias(
    "live-alias",
    name="live",
    function_name=function.arn,
    function_version=function.version,
    opts=pulumi.ResourceOptions(ignore_changes=["functionVersion", "routingConfig"]),
)

# --- golden signals of the new version, as served through live ---------------------------
ALARMS = {
    "errors": {"metric_name": "Errors", "statistic": "Sum", "threshold": 0},
    "duration": {"metric_name": "Duration", "statistic": "Maximum", "threshold": 2000},
}
alarms = {
    key: aws.cloudwatch.MetricAlarm(
        f"{key}-alarm",
        name=f"{service}-live-{key}",
        namespace="AWS/Lambda",
        dimensions={
            "FunctionName": function.name,
            "Resource": function.name.apply(lambda n: f"{n}:live"),
            "ExecutedVersion": function.version,
        },
        period=60,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
        **spec,
    )
    for key, spec in ALARMS.items()
}

topic = aws.sns.Topic("deployment-events")

codedeploy_policy = aws.iam.Policy(
    "codedeploy-job",
    policy=pulumi.Output.all(function.arn, [a.arn for a in alarms.values()], topic.arn).apply(
        lambda args: {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["Lambda:getAlias", "LAMBDA:UpdateAlias"],
                    "Resource": args[0],
                },
                {"Effect": "Allow", "Action": "CloudWatch:DescribeAlarms", "Resource": args[1]},
                {"Effect": "Allow", "Action": ["SNS:Publish"], "Resource": [args[2]]},
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "codedeploy-job", role=roles["codedeploy"].name, policy_arn=codedeploy_policy.arn
)

application = aws.codedeploy.Application("app", name=service, compute_platform="Lambda")
EVENTS = [
    "DeploymentStart",
    "DeploymentSuccess",
    "DeploymentFailure",
    "DeploymentStop",
    "DeploymentRollback",
]
group = aws.codedeploy.DeploymentGroup(
    "group",
    app_name=application.name,
    deployment_group_name=f"{service}-live",
    service_role_arn=roles["codedeploy"].arn,
    deployment_config_name="CodeDeployDefault.LambdaCanary10Percent5Minutes",
    deployment_style={
        "deployment_type": "BLUE_GREEN",
        "deployment_option": "WITH_TRAFFIC_CONTROL",
    },
    auto_rollback_configuration={
        "enabled": True,
        "events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"],
    },
    alarm_configuration={"enabled": True, "alarms": [a.name for a in alarms.values()]},
    trigger_configurations=[
        {"trigger_name": event, "trigger_events": [event], "trigger_target_arn": topic.arn}
        for event in EVENTS
    ],
    opts=pulumi.ResourceOptions(depends_on=[codedeploy_policy]),
)

for name, value in {
    "releaseVersion": release,
    "artifactBucketName": bucket.bucket,
    "artifactKey": artifact.key,
    "functionName": function.name,
    "publishedVersion": function.version,
    "liveAliasArn": live.arn,
    "applicationName": application.name,
    "deploymentGroupName": group.deployment_group_name,
    "notificationTopicArn": topic.arn,
}.items():
    pulumi.export(name, value)
