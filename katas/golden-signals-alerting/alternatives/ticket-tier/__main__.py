"""Alerting for the checkout API with a third, ticket-only burn tier (an alternative).

A 3x burn over a day (and 2 hours) opens a ticket rather than a page; saturation is a
5-minute average. The topic policy admits any principal whose service is CloudWatch
(aws:PrincipalServiceName), the dashboards are built from the deployed API's name.
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
TAGS = {"Service": service, "Owner": owner}

account = aws.get_caller_identity().account_id
region = aws.get_region().region

# --- the service (as given; tagged) ---
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
    tags=TAGS,
)
function = aws.lambda_.Function(
    "checkout",
    name=function_name,
    role=role.arn,
    runtime="python3.12",
    handler="handler.handler",
    code=pulumi.FileArchive("./assets/app"),
    reserved_concurrent_executions=100,
    tags=TAGS,
)
api = aws.apigateway.RestApi("checkout-api", name=api_name, tags=TAGS)
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
    "checkout-prod", rest_api=api.id, deployment=deployment.id, stage_name=STAGE, tags=TAGS
)

# --- R5: topics only CloudWatch publishes to, encrypted with a key it may use ---
key = aws.kms.Key(
    "alerts-key",
    description="Encrypts the checkout pager and ticket topics",
    enable_key_rotation=True,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    # CloudWatch encrypts each notification it publishes to the topics.
                    "Sid": "CloudWatchPublishes",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                },
            ],
        }
    ),
    tags=TAGS,
)


def topic(name: str, topic_name: str) -> aws.sns.Topic:
    t = aws.sns.Topic(name, name=topic_name, kms_master_key_id=key.arn, tags=TAGS)
    aws.sns.TopicPolicy(
        f"{name}-policy",
        arn=t.arn,
        policy=t.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "OnlyCloudWatchPublishes",
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "sns:Publish",
                            "Resource": arn,
                            "Condition": {
                                "StringEquals": {
                                    "aws:PrincipalServiceName": "cloudwatch.amazonaws.com"
                                }
                            },
                        }
                    ],
                }
            )
        ),
    )
    return t


pager = topic("pager", cfg.require("pagerTopicName"))
tickets = topic("tickets", cfg.require("ticketTopicName"))

api_dims = {"ApiName": api_name, "Stage": STAGE}

# --- R1: the golden signals users feel (no actions: the composite pages) ---
latency = aws.cloudwatch.MetricAlarm(
    "latency-p99",
    name=f"{service}-latency-p99",
    alarm_description="p99 latency above the 1 s objective for 3 of 5 minutes",
    namespace="AWS/ApiGateway",
    metric_name="Latency",
    dimensions=api_dims,
    extended_statistic="p99",
    period=60,
    evaluation_periods=5,
    datapoints_to_alarm=3,  # a 2-minute blip is not an incident
    threshold=1000,
    comparison_operator="GreaterThanThreshold",
    treat_missing_data="notBreaching",  # no requests: the traffic alarm speaks
    tags=TAGS,
)
traffic = aws.cloudwatch.MetricAlarm(
    "traffic-drop",
    name=f"{service}-traffic-drop",
    alarm_description="Fewer than 10 requests a minute for 5 minutes: an outage looks quiet",
    namespace="AWS/ApiGateway",
    metric_name="Count",
    dimensions=api_dims,
    statistic="Sum",
    period=60,
    evaluation_periods=5,
    threshold=10,
    comparison_operator="LessThanThreshold",
    treat_missing_data="breaching",  # silence is the outage
    tags=TAGS,
)


# --- R2: the SLO's burn rate, over two window pairs ---
def burn_rate(label: str, window_s: int, factor: float) -> aws.cloudwatch.MetricAlarm:
    def query(qid: str, metric: str) -> dict:
        return {
            "id": qid,
            "return_data": False,
            "metric": {
                "namespace": "AWS/ApiGateway",
                "metric_name": metric,
                "dimensions": api_dims,
                "period": window_s,
                "stat": "Sum",
            },
        }

    return aws.cloudwatch.MetricAlarm(
        f"burn-{label}",
        name=f"{service}-burn-{label}",
        alarm_description=f"Error budget burning at {factor}x or more over {window_s // 60} min",
        evaluation_periods=1,
        threshold=factor,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",  # no requests is not an error
        metric_queries=[
            query("errors", "5XXError"),
            query("requests", "Count"),
            {
                "id": "burn",
                "expression": "errors / requests / 0.001",  # budget: 0.1 % of requests
                "label": f"burn rate ({window_s // 60} min)",
                "return_data": True,
            },
        ],
        tags=TAGS,
    )


fast_long, fast_short = burn_rate("1h", 3600, 14.4), burn_rate("5m", 300, 14.4)
slow_long, slow_short = burn_rate("6h", 21600, 6), burn_rate("30m", 1800, 6)
# A third tier, 3x over a day and 2 hours: worth a ticket, not a page.
tier3 = pulumi.Output.all(burn_rate("1d", 86400, 3).name, burn_rate("2h", 7200, 3).name)

# --- R4: the maintenance window ---
maintenance = aws.cloudwatch.MetricAlarm(
    "maintenance",
    name=f"{service}-maintenance-window",
    alarm_description="A maintenance window is open: pages are held",
    namespace="Checkout/Operations",
    metric_name="MaintenanceWindow",
    dimensions={"Service": service},
    statistic="Maximum",
    period=60,
    evaluation_periods=1,
    threshold=1,
    comparison_operator="GreaterThanOrEqualToThreshold",
    treat_missing_data="notBreaching",
    tags=TAGS,
)

# --- R3, R5: one composite pages, on symptoms only ---
rule = pulumi.Output.all(
    latency.name, traffic.name, fast_long.name, fast_short.name, slow_long.name, slow_short.name
).apply(
    lambda n: (
        f'ALARM("{n[0]}") OR ALARM("{n[1]}") '
        f'OR (ALARM("{n[2]}") AND ALARM("{n[3]}")) '
        f'OR (ALARM("{n[4]}") AND ALARM("{n[5]}"))'
    )
)
page = aws.cloudwatch.CompositeAlarm(
    "page",
    alarm_name=f"{service}-users-affected",
    alarm_description=(
        "SEV1: checkout users are affected (latency, traffic or error budget). "
        "Runbook: https://runbooks.acme.example/checkout/users-affected"
    ),
    alarm_rule=rule,
    alarm_actions=[pager.arn],
    ok_actions=[pager.arn],
    actions_suppressor={"alarm": maintenance.name, "wait_period": 0, "extension_period": 0},
    tags=TAGS,
)

# --- R3: causes open tickets ---
saturation = aws.cloudwatch.MetricAlarm(
    "saturation",
    name=f"{service}-saturation",
    alarm_description="Concurrency at 80 % of the reserved 100 for 5 minutes",
    namespace="AWS/Lambda",
    metric_name="ConcurrentExecutions",
    dimensions={"FunctionName": function_name},
    statistic="Average",
    period=300,
    evaluation_periods=1,
    threshold=80,
    comparison_operator="GreaterThanOrEqualToThreshold",
    treat_missing_data="notBreaching",
    alarm_actions=[tickets.arn],
    ok_actions=[tickets.arn],
    tags=TAGS,
)

aws.cloudwatch.CompositeAlarm(
    "budget-ticket",
    alarm_name=f"{service}-budget-ticket",
    alarm_description="Error budget burning at 3x for a day: plan a fix this week",
    alarm_rule=tier3.apply(lambda n: f'ALARM("{n[0]}") AND ALARM("{n[1]}")'),
    alarm_actions=[tickets.arn],
    tags=TAGS,
)

# --- R6: dashboards ---
API = ["AWS/ApiGateway"]
API_DIMS = ["ApiName", api.name, "Stage", stage.stage_name]  # from the deployed API


def widget(title: str, metrics: list, y: int, x: int = 0) -> dict:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {"title": title, "region": region, "metrics": metrics, "period": 60},
    }


oncall_body = pulumi.Output.json_dumps(
    {
        "widgets": [
            widget("p99 latency", [[*API, "Latency", *API_DIMS, {"stat": "p99"}]], 0),
            widget("Requests", [[*API, "Count", *API_DIMS, {"stat": "Sum"}]], 0, 12),
            widget("5XX errors", [[*API, "5XXError", *API_DIMS, {"stat": "Sum"}]], 6),
            widget(
                "Concurrency",
                [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", function_name]],
                6,
                12,
            ),
            widget(
                "Burn rate (5 min)",
                [
                    [{"expression": "e / r / 0.001", "label": "burn rate", "id": "burn"}],
                    [*API, "5XXError", *API_DIMS, {"id": "e", "stat": "Sum", "visible": False}],
                    [*API, "Count", *API_DIMS, {"id": "r", "stat": "Sum", "visible": False}],
                ],
                12,
            ),
        ]
    }
)
executive_body = pulumi.Output.json_dumps(
    {
        "widgets": [
            {
                "type": "metric",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 6,
                "properties": {
                    "title": "Checkout availability (SLO 99.9 %)",
                    "region": region,
                    "view": "singleValue",
                    "period": 2592000,
                    "metrics": [
                        [{"expression": "100 * (1 - e / r)", "label": "attainment %", "id": "a"}],
                        [{"expression": "100 * (1 - (e / r) / 0.001)", "label": "budget left %"}],
                        [*API, "5XXError", *API_DIMS, {"id": "e", "stat": "Sum", "visible": False}],
                        [*API, "Count", *API_DIMS, {"id": "r", "stat": "Sum", "visible": False}],
                    ],
                },
            }
        ]
    }
)
oncall = aws.cloudwatch.Dashboard(
    "oncall", dashboard_name=cfg.require("oncallDashboardName"), dashboard_body=oncall_body
)
executive = aws.cloudwatch.Dashboard(
    "executive", dashboard_name=cfg.require("executiveDashboardName"), dashboard_body=executive_body
)

# --- R7: exports ---
pulumi.export("apiName", api.name)
pulumi.export("stage", stage.stage_name)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", pager.arn)
pulumi.export("ticketTopicArn", tickets.arn)
pulumi.export("maintenanceAlarmName", maintenance.name)
pulumi.export("oncallDashboardName", oncall.dashboard_name)
pulumi.export("executiveDashboardName", executive.dashboard_name)
