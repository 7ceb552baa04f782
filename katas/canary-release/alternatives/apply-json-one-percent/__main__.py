"""Style: helper functions, json.dumps inside .apply over ARNs, a trust policy from the
plain (non-Output) get_policy_document invoke, and a custom 1-percent / 5-minute
TimeBasedCanary (the smallest canary the SPEC allows) with Maximum-latency and
errors-sum alarms evaluated on one-minute periods. CodeDeploy's Lambda grant names both
forms the SPEC allows (the function's ARN and the live alias's).
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
service_name = config.require("serviceName")
release_version = config.require("releaseVersion")
artifact_bucket_name = config.require("artifactBucketName")

account_id = aws.get_caller_identity().account_id
region_name = aws.get_region().region


def trust_policy(service_principal: str) -> str:
    return aws.iam.get_policy_document(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                effect="Allow",
                actions=["sts:AssumeRole"],
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="Service", identifiers=[service_principal]
                    )
                ],
            )
        ]
    ).json


def allow(statements: list[tuple[list[str], list[str]]]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": actions, "Resource": resources}
                for actions, resources in statements
            ],
        },
        sort_keys=True,
    )


def locked_bucket(name: str) -> tuple[aws.s3.Bucket, list[pulumi.Resource]]:
    bucket = aws.s3.Bucket("locked-artifacts", bucket=name, object_lock_enabled=True)
    versioning = aws.s3.BucketVersioning(
        "locked-artifacts",
        bucket=bucket.bucket,
        versioning_configuration={"status": "Enabled"},
    )
    lock = aws.s3.BucketObjectLockConfiguration(
        "locked-artifacts",
        bucket=bucket.bucket,
        object_lock_enabled="Enabled",
        rule={"default_retention": {"mode": "GOVERNANCE", "years": 1}},
        opts=pulumi.ResourceOptions(depends_on=[versioning]),
    )
    private = aws.s3.BucketPublicAccessBlock(
        "locked-artifacts",
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    sse = aws.s3.BucketServerSideEncryptionConfiguration(
        "locked-artifacts",
        bucket=bucket.bucket,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    return bucket, [versioning, lock, private, sse]


bucket, bucket_settings = locked_bucket(artifact_bucket_name)
artifact = aws.s3.BucketObjectv2(
    "artifact",
    bucket=bucket.bucket,
    key=f"releases/{release_version}/{service_name}-{release_version}.zip",
    source=pulumi.FileArchive(f"./assets/releases/{release_version}"),
    content_type="application/zip",
    opts=pulumi.ResourceOptions(depends_on=bucket_settings),
)

runtime_role = aws.iam.Role("runtime", assume_role_policy=trust_policy("lambda.amazonaws.com"))
log_group = f"arn:aws:logs:{region_name}:{account_id}:log-group:/aws/lambda/{service_name}"
aws.iam.RolePolicy(
    "runtime",
    role=runtime_role.id,
    policy=allow(
        [
            (["logs:CreateLogStream"], [log_group, f"{log_group}:*"]),
            (["logs:PutLogEvents"], [f"{log_group}:log-stream:*"]),
        ]
    ),
)

fn = aws.lambda_.Function(
    "fn",
    name=service_name,
    role=runtime_role.arn,
    runtime="python3.12",
    handler="app.handler",
    s3_bucket=artifact.bucket,
    s3_key=artifact.key,
    s3_object_version=artifact.version_id,
    publish=True,
)
alias = aws.lambda_.Alias(
    "alias",
    name="live",
    function_name=fn.name,
    function_version=fn.version,
    opts=pulumi.ResourceOptions(ignore_changes=["functionVersion", "routingConfig"]),
)


def canary_alarm(
    key: str, metric: str, statistic: str, threshold: float
) -> aws.cloudwatch.MetricAlarm:
    return aws.cloudwatch.MetricAlarm(
        key,
        name=pulumi.Output.concat(fn.name, "-", key),
        namespace="AWS/Lambda",
        metric_name=metric,
        dimensions=pulumi.Output.all(fn.name, fn.version).apply(
            lambda a: {"FunctionName": a[0], "Resource": f"{a[0]}:live", "ExecutedVersion": a[1]}
        ),
        statistic=statistic,
        period=60,
        evaluation_periods=1,
        threshold=threshold,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
    )


error_alarm = canary_alarm("errors", "Errors", "Sum", 1)
duration_alarm = canary_alarm("duration", "Duration", "Maximum", 1500)

topic = aws.sns.Topic("release-notices")

deploy_role = aws.iam.Role("deploy", assume_role_policy=trust_policy("codedeploy.amazonaws.com"))
aws.iam.RolePolicy(
    "deploy",
    role=deploy_role.id,
    policy=pulumi.Output.all(
        fn.arn, alias.arn, error_alarm.arn, duration_alarm.arn, topic.arn
    ).apply(
        lambda arns: allow(
            [
                (["lambda:GetAlias", "lambda:UpdateAlias"], [arns[0], arns[1]]),
                (["cloudwatch:DescribeAlarms"], [arns[2], arns[3]]),
                (["sns:Publish"], [arns[4]]),
            ]
        )
    ),
)

app = aws.codedeploy.Application("app", compute_platform="Lambda", name=service_name)
one_percent = aws.codedeploy.DeploymentConfig(
    "one-percent",
    deployment_config_name="Canary1Percent5Minutes",
    compute_platform="Lambda",
    traffic_routing_config={
        "type": "TimeBasedCanary",
        "time_based_canary": {"percentage": 1, "interval": 5},
    },
)
dg = aws.codedeploy.DeploymentGroup(
    "dg",
    app_name=app.name,
    deployment_group_name="live-canary",
    service_role_arn=deploy_role.arn,
    deployment_config_name=one_percent.deployment_config_name,
    deployment_style={
        "deployment_type": "BLUE_GREEN",
        "deployment_option": "WITH_TRAFFIC_CONTROL",
    },
    auto_rollback_configuration={
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    },
    alarm_configuration={"enabled": True, "alarms": [error_alarm.name, duration_alarm.name]},
    trigger_configurations=[
        {
            "trigger_name": "all-deployment-events",
            "trigger_target_arn": topic.arn,
            "trigger_events": [
                "DeploymentRollback",
                "DeploymentStop",
                "DeploymentFailure",
                "DeploymentSuccess",
                "DeploymentStart",
            ],
        }
    ],
)

pulumi.export("releaseVersion", release_version)
pulumi.export("artifactBucketName", bucket.bucket)
pulumi.export("artifactKey", artifact.key)
pulumi.export("functionName", fn.name)
pulumi.export("publishedVersion", fn.version)
pulumi.export("liveAliasArn", alias.arn)
pulumi.export("applicationName", app.name)
pulumi.export("deploymentGroupName", dg.deployment_group_name)
pulumi.export("notificationTopicArn", topic.arn)
