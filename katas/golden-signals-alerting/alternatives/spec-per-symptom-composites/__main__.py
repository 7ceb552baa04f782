"""Alerting for the checkout API: page on symptoms, ticket on causes.

Style: one paging composite per symptom, helper functions that return alarm arguments,
policies built with aws.iam.get_policy_document, and tags added by a stack transformation.
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

# Only these resource types take tags; the others (methods, permissions, policies,
# dashboards) would reject a `tags` argument.
TAGGABLE = {
    "aws:iam/role:Role",
    "aws:lambda/function:Function",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/stage:Stage",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    "aws:sns/topic:Topic",
    "aws:kms/key:Key",
}


def tag_everything(args: pulumi.ResourceTransformationArgs):
    # One place tags the whole stack, so a resource added later cannot be forgotten.
    if args.type_ not in TAGGABLE:
        return None
    props = dict(args.props)
    props["tags"] = {**TAGS, **(props.get("tags") or {})}
    return pulumi.ResourceTransformationResult(props, args.opts)


pulumi.runtime.register_stack_transformation(tag_everything)

# --- the service (kept as it is; tags come from the transformation) ---
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

# --- topics: a customer managed key CloudWatch may use, and only CloudWatch publishes ---
account_id = aws.get_caller_identity().account_id
CLOUDWATCH = {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}

key_policy = aws.iam.get_policy_document(
    statements=[
        # The account keeps administering its key (without it the key is unmanageable).
        {
            "sid": "AccountAdministers",
            "principals": [{"type": "AWS", "identifiers": [f"arn:aws:iam::{account_id}:root"]}],
            "actions": ["kms:*"],
            "resources": ["*"],
        },
        # CloudWatch encrypts what it publishes to the topics; alias/aws/sns would refuse it.
        {
            "sid": "CloudWatchPublishesEncrypted",
            "principals": [CLOUDWATCH],
            "actions": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "resources": ["*"],
        },
    ]
)
key = aws.kms.Key(
    "alerting-key",
    description="Encrypts the checkout pager and ticket topics",
    enable_key_rotation=True,
    policy=key_policy.json,
)


def private_topic(logical: str, name_key: str) -> aws.sns.Topic:
    topic = aws.sns.Topic(logical, name=cfg.require(name_key), kms_master_key_id=key.arn)
    document = aws.iam.get_policy_document_output(
        statements=[
            {
                "sid": "OnlyCloudWatchPublishes",
                "principals": [CLOUDWATCH],
                "actions": ["sns:Publish"],
                "resources": [topic.arn],
            }
        ]
    )
    # A separate TopicPolicy replaces the default one, which lets the whole account publish.
    aws.sns.TopicPolicy(f"{logical}-policy", arn=topic.arn, policy=document.json)
    return topic


pager = private_topic("pager", "pagerTopicName")
tickets = private_topic("tickets", "ticketTopicName")

# --- metrics: the per-API and account-wide series AWS publishes beside the detailed ones ---
API = {"namespace": "AWS/ApiGateway", "dimensions": {"ApiName": api_name}}
RUNBOOK = "https://runbooks.acme.example/checkout"


def symptom(metric: str, stat: str, op: str, threshold: float, missing: str) -> dict:
    # 3 bad minutes out of 5: a 2-minute blip never reaches 3, a real incident does in 3.
    return {
        **API,
        "metric_name": metric,
        "period": 60,
        "evaluation_periods": 5,
        "datapoints_to_alarm": 3,
        "comparison_operator": op,
        "threshold": threshold,
        "treat_missing_data": missing,
        **({"extended_statistic": stat} if stat.startswith("p") else {"statistic": stat}),
    }


latency = aws.cloudwatch.MetricAlarm(
    "latency-p99",
    name=f"{service}-latency-p99",
    alarm_description="p99 latency above the 1 s SLO",
    # No requests, no latency: silence is the traffic alarm's to report.
    **symptom("Latency", "p99", "GreaterThanThreshold", 1000, "notBreaching"),
)
traffic = aws.cloudwatch.MetricAlarm(
    "traffic-drop",
    name=f"{service}-traffic-drop",
    alarm_description="Fewer than 10 requests a minute: the API is down or unreachable",
    **{
        **symptom("Count", "Sum", "LessThanThreshold", 10, "breaching"),
        # Five quiet minutes in a row; API Gateway publishes nothing at all when idle,
        # so missing data is the outage itself.
        "evaluation_periods": 5,
        "datapoints_to_alarm": 5,
    },
)


def burn_rate(window: str, seconds: int, threshold: float) -> aws.cloudwatch.MetricAlarm:
    # The failure rate over the window, as a multiple of the 0.1 % error budget.
    def query(qid: str, metric: str) -> dict:
        return {
            "id": qid,
            "return_data": False,
            "metric": {**API, "metric_name": metric, "period": seconds, "stat": "Sum"},
        }

    return aws.cloudwatch.MetricAlarm(
        f"burn-{window}",
        name=f"{service}-burn-rate-{window}",
        alarm_description=f"Error budget burn rate over {window} at least {threshold}",
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=threshold,
        evaluation_periods=1,
        # No requests means no failure rate, not an error burn.
        treat_missing_data="notBreaching",
        metric_queries=[
            query("failed", "5XXError"),
            query("requests", "Count"),
            {
                "id": "burn",
                "expression": "(failed / requests) / 0.001",
                "label": f"burn rate {window}",
                "return_data": True,
            },
        ],
    )


fast_long, fast_short = burn_rate("1h", 3600, 14.4), burn_rate("5m", 300, 14.4)
slow_long, slow_short = burn_rate("6h", 21600, 6), burn_rate("30m", 1800, 6)

# The maintenance window: ALARM while published, OK when not.
maintenance = aws.cloudwatch.MetricAlarm(
    "maintenance-window",
    name=f"{service}-maintenance-window",
    alarm_description="A maintenance window is open: paging is held",
    namespace="Checkout/Operations",
    metric_name="MaintenanceWindow",
    dimensions={"Service": service},
    statistic="SampleCount",
    period=60,
    evaluation_periods=1,
    comparison_operator="GreaterThanThreshold",
    threshold=0,
    treat_missing_data="notBreaching",
)


def page(
    name: str, rule: pulumi.Input[str], severity: str, what: str
) -> aws.cloudwatch.CompositeAlarm:
    # Pages, and the all-clear, go out only from composites; the window holds actions, not state.
    return aws.cloudwatch.CompositeAlarm(
        f"page-{name}",
        alarm_name=f"{service}-page-{name}",
        alarm_description=f"{severity}: {what}. Runbook: {RUNBOOK}/{name}",
        alarm_rule=rule,
        alarm_actions=[pager.arn],
        ok_actions=[pager.arn],
        actions_suppressor={
            "alarm": maintenance.arn,
            "wait_period": 60,
            "extension_period": 300,
        },
    )


def alarm(a: aws.cloudwatch.MetricAlarm) -> pulumi.Output[str]:
    return a.arn.apply(lambda arn: f'ALARM("{arn}")')


page("latency", alarm(latency), "SEV2", "checkout p99 latency above 1 s")
page("traffic", alarm(traffic), "SEV1", "checkout traffic dropped to near zero")
page(
    "fast-burn",
    pulumi.Output.concat(alarm(fast_long), " AND ", alarm(fast_short)),
    "SEV1",
    "checkout burns its error budget 14.4x (1 h and 5 min)",
)
page(
    "slow-burn",
    pulumi.Output.concat(alarm(slow_long), " AND ", alarm(slow_short)),
    "SEV2",
    "checkout burns its error budget 6x (6 h and 30 min)",
)

# Saturation is a cause: 5 minutes in a row at 80 % of the reserved concurrency or more
# opens a ticket. Account-wide series: checkout is the account's only function.
aws.cloudwatch.MetricAlarm(
    "saturation",
    name=f"{service}-saturation",
    alarm_description="Concurrency at 80 % of the reserved 100 for 5 minutes",
    namespace="AWS/Lambda",
    metric_name="ConcurrentExecutions",
    statistic="Maximum",
    period=60,
    evaluation_periods=5,
    comparison_operator="GreaterThanOrEqualToThreshold",
    threshold=80,
    alarm_actions=[tickets.arn],
    ok_actions=[tickets.arn],
)

# --- dashboards (the "." rows repeat the namespace, metric or dimension above them) ---
ROW = ["AWS/ApiGateway", "Count", "ApiName", api_name, "Stage", STAGE]


def widget(title: str, metrics: list, **props) -> dict:
    return {
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {"title": title, "region": "us-east-1", "metrics": metrics, **props},
    }


oncall = {
    "widgets": [
        widget("p99 latency", [[*ROW[:1], "Latency", *ROW[2:], {"stat": "p99"}]], period=60),
        widget("Requests", [ROW], stat="Sum", period=60),
        widget("5XX", [[*ROW[:1], "5XXError", *ROW[2:]]], stat="Sum", period=60),
        widget(
            "Concurrency",
            [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", function_name]],
            stat="Maximum",
            period=60,
        ),
        widget(
            "Burn rate",
            [
                [{"expression": "e / r / 0.001", "label": "burn rate", "id": "b"}],
                [*ROW[:1], "5XXError", *ROW[2:], {"id": "e", "visible": False}],
                [".", "Count", ".", ".", ".", ".", {"id": "r", "visible": False}],
            ],
            stat="Sum",
            period=300,
        ),
    ]
}
executive = {
    "widgets": [
        widget(
            "Checkout availability, 30 days (SLO 99.9 %)",
            [
                [{"expression": "100 * (1 - e / r)", "label": "attainment %", "id": "a"}],
                [*ROW[:1], "5XXError", *ROW[2:], {"id": "e", "visible": False}],
                [".", "Count", ".", ".", ".", ".", {"id": "r", "visible": False}],
            ],
            view="singleValue",
            stat="Sum",
            period=2592000,
        )
    ]
}
oncall_dashboard = aws.cloudwatch.Dashboard(
    "oncall", dashboard_name=cfg.require("oncallDashboardName"), dashboard_body=json.dumps(oncall)
)
executive_dashboard = aws.cloudwatch.Dashboard(
    "executive",
    dashboard_name=cfg.require("executiveDashboardName"),
    dashboard_body=json.dumps(executive),
)

pulumi.export("apiName", api.name)
pulumi.export("stage", stage.stage_name)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", pager.arn)
pulumi.export("ticketTopicArn", tickets.arn)
pulumi.export("maintenanceAlarmName", maintenance.name)
pulumi.export("oncallDashboardName", oncall_dashboard.dashboard_name)
pulumi.export("executiveDashboardName", executive_dashboard.dashboard_name)
