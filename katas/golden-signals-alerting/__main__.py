"""Alerting for the checkout API (first draft).

The service (a REST API in front of a Lambda function) is done; its alarms are not:
one alarm per metric, every one of them paging, on raw counts and averages. The
on-call rotation is drowning. Make it page on symptoms only (SPEC.md).
"""

import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
api_name = cfg.require("apiName")
function_name = cfg.require("functionName")
service = cfg.require("service")
owner = cfg.require("owner")
STAGE = "prod"

# --- the service (keep it as it is) ---
role = aws.iam.Role(
    "checkout-role",
    assume_role_policy=json.dumps(
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
)
function = aws.lambda_.Function(
    "checkout",
    name=function_name,
    role=role.arn,
    runtime="python3.12",
    handler="handler.handler",
    code=pulumi.FileArchive("./assets/app"),
    reserved_concurrent_executions=100,
)
api = aws.apigateway.RestApi("checkout-api", name=api_name)
method = aws.apigateway.Method(
    "checkout-any",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method="ANY",
    authorization="NONE",
)
integration = aws.apigateway.Integration(
    "checkout-lambda",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method=method.http_method,
    type="AWS_PROXY",
    integration_http_method="POST",
    uri=function.invoke_arn,
)
aws.lambda_.Permission(
    "checkout-invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*"),
)
deployment = aws.apigateway.Deployment(
    "checkout-deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
stage = aws.apigateway.Stage(
    "checkout-prod", rest_api=api.id, deployment=deployment.id, stage_name=STAGE
)

# --- alerting (the draft) ---
# TODO(R5): encrypt the topics with a key CloudWatch may use; only CloudWatch publishes.
pager = aws.sns.Topic("pager", name=cfg.require("pagerTopicName"))
tickets = aws.sns.Topic("tickets", name=cfg.require("ticketTopicName"))

api_dims = {"ApiName": api_name, "Stage": STAGE}


def paging_alarm(name: str, **kwargs) -> aws.cloudwatch.MetricAlarm:
    # TODO(R3): only a composite alarm over the symptoms should page.
    # TODO(R5): a runbook URL and a severity in every page.
    return aws.cloudwatch.MetricAlarm(
        name,
        name=f"{service}-{name}",
        evaluation_periods=1,  # TODO(R1): one bad minute pages
        period=60,
        alarm_actions=[pager.arn],
        **kwargs,
    )


# TODO(R1): users feel the slowest requests, not the average.
paging_alarm(
    "latency",
    namespace="AWS/ApiGateway",
    metric_name="Latency",
    dimensions=api_dims,
    statistic="Average",
    threshold=1000,
    comparison_operator="GreaterThanThreshold",
)
# TODO(R2): a raw count is high at peak and tiny at night: page on the SLO burn rate.
paging_alarm(
    "errors",
    namespace="AWS/ApiGateway",
    metric_name="5XXError",
    dimensions=api_dims,
    statistic="Sum",
    threshold=10,
    comparison_operator="GreaterThanThreshold",
)
# TODO(R1): an outage looks quiet: no data must page too.
paging_alarm(
    "traffic",
    namespace="AWS/ApiGateway",
    metric_name="Count",
    dimensions=api_dims,
    statistic="Sum",
    threshold=10,
    comparison_operator="LessThanThreshold",
)
# TODO(R3): saturation is a cause: a ticket, not a page.
paging_alarm(
    "saturation",
    namespace="AWS/Lambda",
    metric_name="ConcurrentExecutions",
    dimensions={"FunctionName": function_name},
    statistic="Maximum",
    threshold=80,
    comparison_operator="GreaterThanOrEqualToThreshold",
)
# TODO(R4): a maintenance window, as the actions suppressor of what pages.
# TODO(R6): an on-call and an executive dashboard.
# TODO(R7): tags on everything taggable.

pulumi.export("apiName", api.name)
pulumi.export("stage", stage.stage_name)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", pager.arn)
pulumi.export("ticketTopicArn", tickets.arn)
