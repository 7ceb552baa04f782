"""Releases of the checkout service: a first draft of the pipeline.

It deploys, and the function runs. But every release goes straight to all of
production: read SPEC.md, then make a release a canary that rolls itself back.
The TODO(Rn) comments point at the requirements.
"""

import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("serviceName")
release = cfg.require("releaseVersion")
bucket_name = cfg.require("artifactBucketName")


def trust(service_principal: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service_principal},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


# TODO(R1): released artifacts can be overwritten and deleted; one key for every release.
artifacts = aws.s3.Bucket("artifacts", bucket=bucket_name)
artifact = aws.s3.BucketObjectv2(
    "artifact",
    bucket=artifacts.id,
    key=f"latest/{service}.zip",
    source=pulumi.FileArchive(f"./assets/releases/{release}"),
)

# TODO(R8): the function only needs to write its own logs.
function_role = aws.iam.Role("function-role", assume_role_policy=trust("lambda.amazonaws.com"))
aws.iam.RolePolicy(
    "function-logs",
    role=function_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
        }
    ),
)

# TODO(R2): which artifact runs, exactly? Is every release a version you can go back to?
function = aws.lambda_.Function(
    "service",
    name=service,
    role=function_role.arn,
    runtime="python3.12",
    handler="app.handler",
    s3_bucket=artifacts.id,
    s3_key=artifact.key,
    memory_size=256,
    timeout=10,
    environment={"variables": {"RELEASE": release}},
)

# TODO(R3): production traffic follows whatever was deployed last.
live = aws.lambda_.Alias(
    "live", name="live", function_name=function.name, function_version=function.version
)

deployments = aws.sns.Topic("deployments", name=f"{service}-deployments")

# TODO(R6): which version's errors does this watch? Does anything act on it? Latency?
errors = aws.cloudwatch.MetricAlarm(
    "errors",
    name=f"{service}-errors",
    namespace="AWS/Lambda",
    metric_name="Errors",
    dimensions={"FunctionName": function.name},
    statistic="Sum",
    period=300,
    evaluation_periods=3,
    threshold=10,
    comparison_operator="GreaterThanThreshold",
)

# TODO(R8): CodeDeploy needs far less than this.
codedeploy_role = aws.iam.Role(
    "codedeploy-role", assume_role_policy=trust("codedeploy.amazonaws.com")
)
aws.iam.RolePolicy(
    "codedeploy-access",
    role=codedeploy_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["lambda:*", "cloudwatch:*", "sns:*"],
                    "Resource": "*",
                }
            ],
        }
    ),
)

# TODO(R4, R5, R6, R7): all at once, no alarms, no rollback, nobody told.
application = aws.codedeploy.Application("application", name=service, compute_platform="Lambda")
group = aws.codedeploy.DeploymentGroup(
    "live-rollout",
    app_name=application.name,
    deployment_group_name="live",
    service_role_arn=codedeploy_role.arn,
    deployment_config_name="CodeDeployDefault.LambdaAllAtOnce",
    deployment_style={
        "deployment_type": "BLUE_GREEN",
        "deployment_option": "WITH_TRAFFIC_CONTROL",
    },
)

# TODO(R9): the pipeline and the on-call engineer need more than this.
pulumi.export("functionName", function.name)
