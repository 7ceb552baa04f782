"""Alerting for the checkout API: page on symptoms, ticket on causes.

Style: a flat program; every policy is a Python dict passed through json.dumps; one paging
composite whose rule is assembled from a list; single-metric alarms written as metric queries.
"""

import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
api_name = cfg.require("apiName")
function_name = cfg.require("functionName")
service = cfg.require("service")
owner = cfg.require("owner")
pager_name = cfg.require("pagerTopicName")
tickets_name = cfg.require("ticketTopicName")
oncall_name = cfg.require("oncallDashboardName")
executive_name = cfg.require("executiveDashboardName")
STAGE = "prod"
TAGS = {"Service": service, "Owner": owner}
RUNBOOK = "https://wiki.acme.example/runbooks/checkout-alerting"

# --- the service (kept as it is, tags added) ---
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

# --- encryption: a key of our own, because CloudWatch cannot use alias/aws/sns ---
identity = aws.get_caller_identity_output()
region = aws.get_region_output()
key = aws.kms.Key(
    "alerting-key",
    description="Encrypts the checkout alerting topics",
    enable_key_rotation=True,
    deletion_window_in_days=7,
    tags=TAGS,
    policy=identity.account_id.apply(
        lambda account: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        # Keeps the key administrable by the account's IAM policies.
                        "Sid": "Admin",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        # CloudWatch publishes to the encrypted topics with this key.
                        "Sid": "CloudWatchAlarms",
                        "Effect": "Allow",
                        "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                    },
                ],
            }
        )
    ),
)
alias = aws.kms.Alias("alerting-key-alias", name=f"alias/{service}-alerting", target_key_id=key.id)


def topic_policy(name: str) -> pulumi.Output[str]:
    def render(args: list[str]) -> str:
        account, region_name = args
        arn = f"arn:aws:sns:{region_name}:{account}:{name}"
        alarms = f"arn:aws:cloudwatch:{region_name}:{account}:alarm:*"
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        # Only CloudWatch alarms of this account publish: a page is never
                        # a script's or a role's.
                        "Sid": "CloudWatchAlarmsPublish",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": arn,
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": account},
                            "ArnLike": {"aws:SourceArn": alarms},
                        },
                    },
                    {
                        # The owner keeps managing and subscribing, but may not publish.
                        "Sid": "OwnerManages",
                        "Effect": "Allow",
                        "Principal": {"AWS": account},
                        "Action": [
                            "sns:GetTopicAttributes",
                            "sns:SetTopicAttributes",
                            "sns:Subscribe",
                            "sns:ListSubscriptionsByTopic",
                            "sns:DeleteTopic",
                        ],
                        "Resource": arn,
                    },
                ],
            }
        )

    return pulumi.Output.all(identity.account_id, region.region).apply(render)


# Topics name their key by alias; SNS resolves it to the same customer managed key.
pager = aws.sns.Topic(
    "pager",
    name=pager_name,
    kms_master_key_id=alias.name,
    policy=topic_policy(pager_name),
    tags=TAGS,
)
tickets = aws.sns.Topic(
    "tickets",
    name=tickets_name,
    kms_master_key_id=alias.name,
    policy=topic_policy(tickets_name),
    tags=TAGS,
)

# --- symptom alarms: no actions of their own, the composite pages ---
api_dims = {"ApiName": api_name, "Stage": STAGE}


def api_metric(qid: str, name: str, stat: str, period: int = 60, **extra) -> dict:
    return {
        "id": qid,
        "return_data": False,
        "metric": {
            "namespace": "AWS/ApiGateway",
            "metric_name": name,
            "dimensions": api_dims,
            "period": period,
            "stat": stat,
            **extra,
        },
    }


latency_query = api_metric("p99", "Latency", "p99", unit="Milliseconds")
latency_query["return_data"] = True
latency = aws.cloudwatch.MetricAlarm(
    "latency",
    name=f"{service}-latency-p99",
    comparison_operator="GreaterThanThreshold",
    threshold=1000,
    # 3 slow minutes within 4: a 2-minute blip stays under, a real spike alarms in 3.
    evaluation_periods=4,
    datapoints_to_alarm=3,
    treat_missing_data="notBreaching",
    metric_queries=[latency_query],
    tags=TAGS,
)
traffic = aws.cloudwatch.MetricAlarm(
    "traffic",
    name=f"{service}-traffic-drop",
    # Request counts are whole numbers: at most 9 is fewer than 10.
    comparison_operator="LessThanOrEqualToThreshold",
    threshold=9,
    evaluation_periods=5,
    datapoints_to_alarm=5,
    # A silent API publishes nothing: FILL turns a gap into zero requests, and a window
    # with no data at all is breaching too.
    treat_missing_data="breaching",
    metric_queries=[
        api_metric("requests", "Count", "Sum"),
        {"id": "filled", "expression": "FILL(requests, 0)", "return_data": True},
    ],
    tags=TAGS,
)

# Burn rate = failure rate / 0.1 % budget; each window its own alarm (one period per alarm).
WINDOWS = {"1h": (3600, 14.4), "5m": (300, 14.4), "6h": (21600, 6.0), "30m": (1800, 6.0)}
burn = {}
for label, (seconds, factor) in WINDOWS.items():
    burn[label] = aws.cloudwatch.MetricAlarm(
        f"burn-{label}",
        name=f"{service}-error-burn-{label}",
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=factor,
        evaluation_periods=1,
        # Without requests there is no failure rate; the traffic alarm reports silence.
        treat_missing_data="notBreaching",
        metric_queries=[
            api_metric("errs", "5XXError", "Sum", seconds),
            api_metric("reqs", "Count", "Sum", seconds),
            {"id": "burn", "expression": "1000 * errs / reqs", "return_data": True},
        ],
        tags=TAGS,
    )

maintenance = aws.cloudwatch.MetricAlarm(
    "maintenance",
    name=f"{service}-maintenance",
    namespace="Checkout/Operations",
    metric_name="MaintenanceWindow",
    dimensions={"Service": service},
    statistic="Maximum",
    period=60,
    evaluation_periods=1,
    comparison_operator="GreaterThanOrEqualToThreshold",
    threshold=1,
    # Nothing published means no window open.
    treat_missing_data="notBreaching",
    tags=TAGS,
)


def is_alarm(alarm: aws.cloudwatch.MetricAlarm) -> pulumi.Output[str]:
    return alarm.name.apply(lambda name: f"ALARM({name})")


# Latency and traffic page alone; each burn window pages only with its partner (the long
# window: the budget is burning; the short one: it still is).
rule = pulumi.Output.all(
    is_alarm(latency),
    is_alarm(traffic),
    pulumi.Output.concat("(", is_alarm(burn["1h"]), " AND ", is_alarm(burn["5m"]), ")"),
    pulumi.Output.concat("(", is_alarm(burn["6h"]), " AND ", is_alarm(burn["30m"]), ")"),
).apply(" OR ".join)

aws.cloudwatch.CompositeAlarm(
    "checkout-page",
    alarm_name=f"{service}-page",
    alarm_description=(
        "SEV1 checkout users are affected (p99 latency, traffic drop or error budget burn). "
        f"Runbook: {RUNBOOK}"
    ),
    alarm_rule=rule,
    alarm_actions=[pager.arn],
    ok_actions=[pager.arn],
    # Holds the actions during a window; the state still follows the rule. The wait period
    # delays every page (CloudWatch waits that long for the suppressor), so keep it short.
    actions_suppressor={"alarm": maintenance.name, "wait_period": 60, "extension_period": 600},
    tags=TAGS,
)

# Saturation is a cause: a ticket, never a page.
aws.cloudwatch.MetricAlarm(
    "saturation",
    name=f"{service}-saturation",
    alarm_description=f"Concurrency at 80 % of the reserved 100. Runbook: {RUNBOOK}",
    namespace="AWS/Lambda",
    metric_name="ConcurrentExecutions",
    dimensions={"FunctionName": function_name},
    statistic="Maximum",
    period=60,
    evaluation_periods=5,
    comparison_operator="GreaterThanOrEqualToThreshold",
    threshold=80,
    alarm_actions=[tickets.arn],
    tags=TAGS,
)

# --- dashboards ---
API = ["AWS/ApiGateway"]
DIMS = ["ApiName", api_name, "Stage", STAGE]


def graph(title: str, rows: list, stat: str = "Sum", period: int = 60, **more) -> dict:
    return {
        "type": "metric",
        "width": 8,
        "height": 6,
        "properties": {
            "title": title,
            "region": "us-east-1",
            "view": "timeSeries",
            "metrics": rows,
            "stat": stat,
            "period": period,
            **more,
        },
    }


burn_rows = [
    [{"expression": "1000 * errs / reqs", "label": "burn rate (x budget)", "id": "burn"}],
    [*API, "5XXError", *DIMS, {"id": "errs", "visible": False}],
    [*API, "Count", *DIMS, {"id": "reqs", "visible": False}],
]
oncall_body = {
    "widgets": [
        graph("Latency p99 (ms)", [[*API, "Latency", *DIMS]], stat="p99"),
        graph("Traffic (requests/min)", [[*API, "Count", *DIMS]]),
        graph("Errors (5XX/min)", [[*API, "5XXError", *DIMS]]),
        graph(
            "Saturation (concurrent executions)",
            [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", function_name]],
            stat="Maximum",
            annotations={"horizontal": [{"value": 80, "label": "80 % of reserved"}]},
        ),
        graph(
            "Error budget burn rate",
            burn_rows,
            period=300,
            annotations={"horizontal": [{"value": 14.4}, {"value": 6}]},
        ),
    ]
}
executive_body = {
    "widgets": [
        {
            "type": "text",
            "width": 24,
            "height": 2,
            "properties": {"markdown": "## Checkout SLO: 99.9 % of requests succeed (30 days)"},
        },
        graph(
            "Error budget left (%)",
            [
                [
                    {
                        "expression": "100 * (1 - RUNNING_SUM(errs) / (0.001 * RUNNING_SUM(reqs)))",
                        "label": "error budget left",
                        "id": "left",
                    }
                ],
                [*API, "5XXError", *DIMS, {"id": "errs", "visible": False}],
                [*API, "Count", *DIMS, {"id": "reqs", "visible": False}],
            ],
            period=3600,
            start="-P30D",
        ),
    ]
}
aws.cloudwatch.Dashboard(
    "oncall", dashboard_name=oncall_name, dashboard_body=json.dumps(oncall_body)
)
aws.cloudwatch.Dashboard(
    "executive", dashboard_name=executive_name, dashboard_body=json.dumps(executive_body)
)

pulumi.export("apiName", api_name)
pulumi.export("stage", STAGE)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", pager.arn)
pulumi.export("ticketTopicArn", tickets.arn)
pulumi.export("maintenanceAlarmName", maintenance.name)
pulumi.export("oncallDashboardName", oncall_name)
pulumi.export("executiveDashboardName", executive_name)
