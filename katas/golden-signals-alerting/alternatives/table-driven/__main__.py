"""Alerting for the checkout API, table-driven (an alternative).

Every alarm is a row of a table; each symptom has its own paging composite (latency,
traffic, fast burn, slow burn), all held by the same maintenance alarm. The topics'
key is named by its alias; policies are written in upper-case action names.
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

# --- topics, keyed by an alias ---
key = aws.kms.Key(
    "alerts-key",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": account},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
                    "Action": ["KMS:GenerateDataKey", "KMS:Decrypt"],
                    "Resource": "*",
                },
            ],
        }
    ),
    tags=TAGS,
)
alias = aws.kms.Alias("alerts-key-alias", name=f"alias/{service}-alerts", target_key_id=key.id)

TOPICS = {"pager": cfg.require("pagerTopicName"), "tickets": cfg.require("ticketTopicName")}
topics = {}
for logical, topic_name in TOPICS.items():
    topics[logical] = aws.sns.Topic(
        logical, name=topic_name, kms_master_key_id=alias.name, tags=TAGS
    )
    aws.sns.TopicPolicy(
        f"{logical}-policy",
        arn=topics[logical].arn,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
                        "Action": ["SNS:Publish"],
                        "Resource": [topics[logical].arn],
                    }
                ],
            }
        ),
    )

API = ("AWS/ApiGateway", {"ApiName": api_name, "Stage": STAGE})
FN = ("AWS/Lambda", {"FunctionName": function_name})
OPS = ("Checkout/Operations", {"Service": service})

# name: (source, metric, statistic, comparison, threshold, M, N, missing data, actions)
SIMPLE = {
    "latency-p99": (
        API,
        "Latency",
        "p99",
        "GreaterThanOrEqualToThreshold",
        1000,
        3,
        5,
        "ignore",
        None,
    ),
    "traffic": (API, "Count", "Sum", "LessThanOrEqualToThreshold", 9, 4, 4, "breaching", None),
    "maintenance": (
        OPS,
        "MaintenanceWindow",
        "Sum",
        "GreaterThanThreshold",
        0,
        1,
        1,
        "notBreaching",
        None,
    ),
    "saturation": (
        FN,
        "ConcurrentExecutions",
        "Maximum",
        "GreaterThanOrEqualToThreshold",
        80,
        5,
        5,
        "notBreaching",
        "tickets",
    ),
}
alarms = {}
for name, (source, metric, stat, cmp, threshold, m, n, missing, notify) in SIMPLE.items():
    percentile = stat.startswith("p")
    alarms[name] = aws.cloudwatch.MetricAlarm(
        name,
        name=f"{service}-{name}",
        namespace=source[0],
        metric_name=metric,
        dimensions=source[1],
        statistic=None if percentile else stat,
        extended_statistic=stat if percentile else None,
        period=60,
        comparison_operator=cmp,
        threshold=threshold,
        datapoints_to_alarm=m,
        evaluation_periods=n,
        treat_missing_data=missing,
        alarm_actions=[topics[notify].arn] if notify else [],
        ok_actions=[topics[notify].arn] if notify else [],
        tags=TAGS,
    )

# burn-rate windows: name -> (seconds, burn factor); each pair pages through its composite
BURN = {
    "fast-1h": (3600, 14.4),
    "fast-5m": (300, 14.4),
    "slow-6h": (21600, 6),
    "slow-30m": (1800, 6),
}
for name, (seconds, factor) in BURN.items():
    alarms[name] = aws.cloudwatch.MetricAlarm(
        name,
        name=f"{service}-burn-{name}",
        comparison_operator="GreaterThanThreshold",
        threshold=factor * 0.1,  # in percent of requests: 1.44 % and 0.6 %
        evaluation_periods=1,
        metric_queries=[
            {
                "id": "pct",
                "expression": "100 * FILL(e, 0) / r",
                "label": "failed %",
                "return_data": True,
            },
        ]
        + [
            {
                "id": qid,
                "metric": {
                    "namespace": API[0],
                    "metric_name": metric,
                    "dimensions": API[1],
                    "period": seconds,
                    "stat": "Sum",
                },
            }
            for qid, metric in (("e", "5XXError"), ("r", "Count"))
        ],
        tags=TAGS,
    )

RUNBOOKS = "https://runbooks.acme.example/checkout"
# composite: (rule over alarm keys, severity, runbook page)
PAGES = {
    "slow-responses": ("ALARM({latency-p99})", "SEV2", "latency"),
    "no-traffic": ("ALARM({traffic})", "SEV1", "traffic"),
    "fast-burn": ("ALARM({fast-1h}) AND ALARM({fast-5m})", "SEV1", "error-budget"),
    "slow-burn": ("ALARM({slow-6h}) AND ALARM({slow-30m})", "SEV2", "error-budget"),
}
names = {k: a.name for k, a in alarms.items()}
for page, (rule, severity, runbook) in PAGES.items():
    aws.cloudwatch.CompositeAlarm(
        page,
        alarm_name=f"{service}-page-{page}",
        alarm_description=f"[{severity}] {page} - {RUNBOOKS}/{runbook}",
        alarm_rule=pulumi.Output.all(**names).apply(lambda n, r=rule: r.format(**n)),
        alarm_actions=[topics["pager"].arn],
        ok_actions=[topics["pager"].arn],
        actions_suppressor={
            "alarm": alarms["maintenance"].name,
            "wait_period": 0,
            "extension_period": 60,
        },
        tags=TAGS,
    )


# --- dashboards ---
def metric_row(source: tuple, metric: str, **options) -> list:
    dims = [part for kv in source[1].items() for part in kv]
    return [source[0], metric, *dims, options] if options else [source[0], metric, *dims]


def board(widgets: list) -> str:
    return json.dumps(
        {
            "widgets": [
                {"type": "metric", "width": 8, "height": 6, "properties": {"region": region, **w}}
                for w in widgets
            ]
        }
    )


oncall = aws.cloudwatch.Dashboard(
    "oncall",
    dashboard_name=cfg.require("oncallDashboardName"),
    dashboard_body=board(
        [
            {"title": "Latency", "metrics": [metric_row(API, "Latency", stat="p99")]},
            {"title": "Traffic", "stat": "Sum", "metrics": [metric_row(API, "Count")]},
            {"title": "Errors", "stat": "Sum", "metrics": [metric_row(API, "5XXError")]},
            {
                "title": "Saturation",
                "metrics": [metric_row(FN, "ConcurrentExecutions", stat="Maximum")],
            },
            {
                "title": "Burn rate",
                "stat": "Sum",
                "metrics": [
                    metric_row(API, "5XXError", id="e", visible=False),
                    metric_row(API, "Count", id="r", visible=False),
                    [{"expression": "e/r/0.001", "id": "burn"}],
                ],
            },
        ]
    ),
)
executive = aws.cloudwatch.Dashboard(
    "executive",
    dashboard_name=cfg.require("executiveDashboardName"),
    dashboard_body=board(
        [
            {
                "title": "Error budget left (30 days)",
                "view": "singleValue",
                "stat": "Sum",
                "period": 2592000,
                "metrics": [
                    metric_row(API, "5XXError", id="e", visible=False),
                    metric_row(API, "Count", id="r", visible=False),
                    [{"expression": "100 - 100 * (e/r) / 0.001", "label": "budget left %"}],
                ],
            }
        ]
    ),
)

pulumi.export("apiName", api.name)
pulumi.export("stage", stage.stage_name)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", topics["pager"].arn)
pulumi.export("ticketTopicArn", topics["tickets"].arn)
pulumi.export("maintenanceAlarmName", alarms["maintenance"].name)
pulumi.export("oncallDashboardName", oncall.dashboard_name)
pulumi.export("executiveDashboardName", executive.dashboard_name)
