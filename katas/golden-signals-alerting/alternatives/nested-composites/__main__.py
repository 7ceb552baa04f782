"""Alerting for the checkout API with nested composites (an alternative).

Each burn-rate pair is a composite of its own (no actions); a top composite pages over
the pairs and the signal alarms. Every alarm is metric math, even the p99 latency.
Tags come from a stack transformation, not from each resource; topic policies admit
CloudWatch only for this account's alarms (aws:SourceArn).
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


def tag_everything(args: pulumi.ResourceTransformationArgs):
    """Every resource type that takes tags gets the stack's, so nobody forgets one."""
    if "tags" in args.props or args.type_ in TAGGED_TYPES:
        props = {**args.props, "tags": {**TAGS, **(args.props.get("tags") or {})}}
        return pulumi.ResourceTransformationResult(props, args.opts)
    return None


TAGGED_TYPES = {
    "aws:iam/role:Role",
    "aws:lambda/function:Function",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/stage:Stage",
    "aws:kms/key:Key",
    "aws:sns/topic:Topic",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm",
}
pulumi.runtime.register_stack_transformation(tag_everything)

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

# --- topics ---
key = aws.kms.Key(
    "alerts",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Admins",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "AlarmsEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                },
            ],
        }
    ),
)
alarm_arns = f"arn:aws:cloudwatch:{region}:{account}:alarm:*"
pager = aws.sns.Topic("pager", name=cfg.require("pagerTopicName"), kms_master_key_id=key.key_id)
tickets = aws.sns.Topic(
    "tickets", name=cfg.require("ticketTopicName"), kms_master_key_id=key.key_id
)
for t in (pager, tickets):
    aws.sns.TopicPolicy(
        f"{t._name}-policy",
        arn=t.arn,
        policy=t.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudwatch.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": arn,
                            "Condition": {"ArnLike": {"aws:SourceArn": alarm_arns}},
                        }
                    ],
                }
            )
        ),
    )

api_dims = {"ApiName": api_name, "Stage": STAGE}


def math_alarm(name: str, expression: str, inputs: dict, period: int, **kwargs):
    """A metric math alarm: ``inputs`` maps query ids to (namespace, metric, dims, stat)."""
    queries = [
        {
            "id": qid,
            "return_data": False,
            "metric": {
                "namespace": ns,
                "metric_name": metric,
                "dimensions": dims,
                "stat": stat,
                "period": period,
            },
        }
        for qid, (ns, metric, dims, stat) in inputs.items()
    ]
    queries.append({"id": "result", "expression": expression, "return_data": True})
    return aws.cloudwatch.MetricAlarm(
        name, name=f"{service}-{name}", metric_queries=queries, **kwargs
    )


API = "AWS/ApiGateway"
latency = math_alarm(
    "latency",
    "p99",
    {"p99": (API, "Latency", api_dims, "p99")},
    60,
    comparison_operator="GreaterThanThreshold",
    threshold=1000,
    evaluation_periods=5,
    datapoints_to_alarm=3,
    treat_missing_data="notBreaching",
)
traffic = math_alarm(
    "traffic",
    "requests",
    {"requests": (API, "Count", api_dims, "Sum")},
    60,
    comparison_operator="LessThanThreshold",
    threshold=10,
    evaluation_periods=5,
    datapoints_to_alarm=5,
    treat_missing_data="breaching",
)


def burn(label: str, seconds: int, factor: float):
    return math_alarm(
        f"burn-{label}",
        "(failed / requests) / 0.001",
        {
            "failed": (API, "5XXError", api_dims, "Sum"),
            "requests": (API, "Count", api_dims, "Sum"),
        },
        seconds,
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=factor,
        evaluation_periods=1,
    )  # missing data: the default (missing) never goes to ALARM


def pair(label: str, long_alarm, short_alarm):
    return aws.cloudwatch.CompositeAlarm(
        f"{label}-burn",
        alarm_name=f"{service}-{label}-burn",
        alarm_rule=pulumi.Output.format(
            "ALARM({0}) AND ALARM({1})", long_alarm.name, short_alarm.name
        ),
    )


fast = pair("fast", burn("1h", 3600, 14.4), burn("5m", 300, 14.4))
slow = pair("slow", burn("6h", 21600, 6), burn("30m", 1800, 6))
maintenance = aws.cloudwatch.MetricAlarm(
    "maintenance",
    name=f"{service}-maintenance",
    namespace="Checkout/Operations",
    metric_name="MaintenanceWindow",
    dimensions={"Service": service},
    statistic="Maximum",
    period=60,
    evaluation_periods=1,
    threshold=1,
    comparison_operator="GreaterThanOrEqualToThreshold",
    treat_missing_data="notBreaching",
)
page = aws.cloudwatch.CompositeAlarm(
    "page",
    alarm_name=f"{service}-page",
    alarm_description="Severity SEV1. Runbook: https://runbooks.acme.example/checkout",
    alarm_rule=pulumi.Output.format(
        "ALARM({0}) OR ALARM({1}) OR ALARM({2}) OR ALARM({3})",
        latency.name,
        traffic.name,
        fast.alarm_name,
        slow.alarm_name,
    ),
    alarm_actions=[pager.arn],
    ok_actions=[pager.arn],
    actions_suppressor={"alarm": maintenance.name, "wait_period": 0, "extension_period": 0},
)
saturation = math_alarm(
    "saturation",
    "100 * concurrency / 100",  # percent of the reserved concurrency
    {
        "concurrency": (
            "AWS/Lambda",
            "ConcurrentExecutions",
            {"FunctionName": function_name},
            "Maximum",
        )
    },
    60,
    comparison_operator="GreaterThanOrEqualToThreshold",
    threshold=80,
    evaluation_periods=5,
    treat_missing_data="notBreaching",
    alarm_actions=[tickets.arn],
)


# --- dashboards ---
def api_metric(metric: str, **options) -> list:
    return [API, metric, "ApiName", api_name, "Stage", STAGE, options]


def widget(title: str, metrics: list, **properties) -> dict:
    return {
        "type": "metric",
        "properties": {"title": title, "region": region, "metrics": metrics, **properties},
    }


hidden = {"visible": False, "stat": "Sum"}
oncall = aws.cloudwatch.Dashboard(
    "oncall",
    dashboard_name=cfg.require("oncallDashboardName"),
    dashboard_body=json.dumps(
        {
            "widgets": [
                widget(
                    "Golden signals",
                    [
                        api_metric("Latency", stat="p99"),
                        api_metric("Count", stat="Sum"),
                        api_metric("5XXError", stat="Sum"),
                        [
                            "AWS/Lambda",
                            "ConcurrentExecutions",
                            "FunctionName",
                            function_name,
                            {"stat": "Maximum"},
                        ],
                    ],
                ),
                widget(
                    "Burn rate",
                    [
                        api_metric("5XXError", id="f", **hidden),
                        api_metric("Count", id="n", **hidden),
                        [{"expression": "f / n / 0.001", "label": "burn rate"}],
                    ],
                ),
            ]
        }
    ),
)
executive = aws.cloudwatch.Dashboard(
    "executive",
    dashboard_name=cfg.require("executiveDashboardName"),
    dashboard_body=json.dumps(
        {
            "widgets": [
                widget(
                    "Availability this month",
                    [
                        api_metric("5XXError", id="f", **hidden),
                        api_metric("Count", id="n", **hidden),
                        [{"expression": "100 * (n - f) / n", "label": "availability %"}],
                    ],
                    view="singleValue",
                    period=2592000,
                ),
            ]
        }
    ),
)

pulumi.export("apiName", api.name)
pulumi.export("stage", stage.stage_name)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", pager.arn)
pulumi.export("ticketTopicArn", tickets.arn)
pulumi.export("maintenanceAlarmName", maintenance.name)
pulumi.export("oncallDashboardName", oncall.dashboard_name)
pulumi.export("executiveDashboardName", executive.dashboard_name)
