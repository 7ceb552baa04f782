"""Alerting for the checkout API as a reusable component (an alternative).

An ``SloAlerting`` ComponentResource owns the key, both topics, every alarm and the
dashboards; the program only describes the service and its SLO. Composite rules name
their children by ARN, the topics name their key by id, the suppressor waits a minute,
and the alarms watch the API's per-API metrics (ApiName only).
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


class SloAlerting(pulumi.ComponentResource):
    """Symptom alarms behind one paging composite, cause alarms to tickets."""

    BUDGET = 0.001  # 99.9 % availability
    WINDOWS = (("fast", 3600, 300, 14.4), ("slow", 21600, 1800, 6.0))

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:alerting:SloAlerting", name, None, opts)
        self.child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity().account_id
        self.dims = {"ApiName": api_name}  # the API as a whole (its only stage is prod)

        self.key = aws.kms.Key(
            f"{name}-key",
            description="checkout alert topics",
            policy=aws.iam.get_policy_document_output(
                statements=[
                    {
                        "principals": [
                            {"type": "AWS", "identifiers": [f"arn:aws:iam::{account}:root"]}
                        ],
                        "actions": ["kms:*"],
                        "resources": ["*"],
                    },
                    {
                        "principals": [
                            {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}
                        ],
                        "actions": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "resources": ["*"],
                    },
                ]
            ).json,
            tags=TAGS,
            opts=self.child,
        )
        self.pager = self._topic("pager", cfg.require("pagerTopicName"))
        self.tickets = self._topic("tickets", cfg.require("ticketTopicName"))

        latency = self._alarm(
            "latency",
            "ApiGateway",
            "Latency",
            threshold=1000,
            extended_statistic="p99",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=4,
            datapoints_to_alarm=3,
            treat_missing_data="notBreaching",
        )
        traffic = self._alarm(
            "traffic",
            "ApiGateway",
            "Count",
            threshold=10,
            statistic="SampleCount",  # one datum per request: as many samples as requests
            comparison_operator="LessThanThreshold",
            evaluation_periods=5,
            treat_missing_data="breaching",
        )
        burns = {}
        for label, long_s, short_s, factor in self.WINDOWS:
            burns[label] = (self._burn(label, long_s, factor), self._burn(label, short_s, factor))
        self.maintenance = aws.cloudwatch.MetricAlarm(
            f"{name}-maintenance",
            name=f"{service}-maintenance",
            namespace="Checkout/Operations",
            metric_name="MaintenanceWindow",
            dimensions={"Service": service},
            statistic="SampleCount",
            period=60,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            tags=TAGS,
            opts=self.child,
        )
        arns = [latency.arn, traffic.arn] + [a.arn for pair in burns.values() for a in pair]
        rule = pulumi.Output.all(*arns).apply(
            lambda a: (
                f"ALARM({a[0]}) OR ALARM({a[1]}) OR (ALARM({a[2]}) AND ALARM({a[3]})) "
                f"OR (ALARM({a[4]}) AND ALARM({a[5]}))"
            )
        )
        self.page = aws.cloudwatch.CompositeAlarm(
            f"{name}-page",
            alarm_name=f"{service}-slo-page",
            alarm_description=(
                "SEV2 checkout SLO symptoms (p99 latency, traffic drop or error budget burn) "
                "- runbook https://wiki.acme.example/runbooks/checkout-slo"
            ),
            alarm_rule=rule,
            alarm_actions=[self.pager.arn],
            ok_actions=[self.pager.arn],
            actions_suppressor={
                "alarm": self.maintenance.arn,
                "wait_period": 60,
                "extension_period": 120,
            },
            tags=TAGS,
            opts=self.child,
        )
        self._alarm(
            "saturation",
            "Lambda",
            "ConcurrentExecutions",
            threshold=79,
            statistic="Maximum",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=5,
            treat_missing_data="notBreaching",
            alarm_actions=[self.tickets.arn],
        )
        self.register_outputs({})

    def _topic(self, name: str, topic_name: str) -> aws.sns.Topic:
        topic = aws.sns.Topic(
            name, name=topic_name, kms_master_key_id=self.key.id, tags=TAGS, opts=self.child
        )
        aws.sns.TopicPolicy(
            f"{name}-only-cloudwatch",
            arn=topic.arn,
            policy=aws.iam.get_policy_document_output(
                statements=[
                    {
                        "principals": [
                            {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}
                        ],
                        "actions": ["SNS:Publish"],
                        "resources": [topic.arn],
                    }
                ]
            ).json,
            opts=self.child,
        )
        return topic

    def _alarm(self, name: str, ns: str, metric: str, **kwargs) -> aws.cloudwatch.MetricAlarm:
        dims = self.dims if ns == "ApiGateway" else {"FunctionName": function_name}
        return aws.cloudwatch.MetricAlarm(
            name,
            name=f"{service}-{name}",
            namespace=f"AWS/{ns}",
            metric_name=metric,
            dimensions=dims,
            period=60,
            tags=TAGS,
            opts=self.child,
            **kwargs,
        )

    def _burn(self, label: str, window_s: int, factor: float) -> aws.cloudwatch.MetricAlarm:
        def stat(qid: str, metric: str) -> dict:
            return {
                "id": qid,
                "metric": {
                    "namespace": "AWS/ApiGateway",
                    "metric_name": metric,
                    "dimensions": self.dims,
                    "period": window_s,
                    "stat": "Sum",
                    "unit": "Count",
                },
            }

        return aws.cloudwatch.MetricAlarm(
            f"{label}-burn-{window_s}",
            name=f"{service}-{label}-burn-{window_s // 60}m",
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=1,
            threshold=factor * self.BUDGET,  # the error rate itself, not a multiple
            treat_missing_data="notBreaching",
            metric_queries=[
                stat("bad", "5XXError"),
                stat("all", "Count"),
                {"id": "rate", "expression": "bad / all", "return_data": True},
            ],
            tags=TAGS,
            opts=self.child,
        )


alerting = SloAlerting("checkout-slo")


def rows(*metrics: str) -> list:
    """Dashboard rows for API metrics, the first in full, the rest with '.' shorthand."""
    first = ["AWS/ApiGateway", metrics[0], "ApiName", api_name, "Stage", STAGE]
    return [first] + [[".", m, ".", ".", ".", "."] for m in metrics[1:]]


oncall = aws.cloudwatch.Dashboard(
    "oncall",
    dashboard_name=cfg.require("oncallDashboardName"),
    dashboard_body=json.dumps(
        {
            "widgets": [
                {
                    "type": "metric",
                    "properties": {
                        "metrics": rows("Latency"),
                        "stat": "p99",
                        "region": "us-east-1",
                    },
                },
                {
                    "type": "metric",
                    "properties": {
                        "metrics": rows("Count", "5XXError"),
                        "stat": "Sum",
                        "region": "us-east-1",
                    },
                },
                {
                    "type": "metric",
                    "properties": {
                        "metrics": [
                            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", function_name]
                        ],
                        "stat": "Maximum",
                        "region": "us-east-1",
                    },
                },
                {
                    "type": "metric",
                    "properties": {
                        "stat": "Sum",
                        "region": "us-east-1",
                        "metrics": [
                            [{"expression": "(m2 / m1) / 0.001", "label": "burn", "id": "e1"}],
                            [
                                "AWS/ApiGateway",
                                "Count",
                                "ApiName",
                                api_name,
                                "Stage",
                                STAGE,
                                {"id": "m1", "visible": False},
                            ],
                            [".", "5XXError", ".", ".", ".", ".", {"id": "m2", "visible": False}],
                        ],
                    },
                },
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
                {
                    "type": "metric",
                    "properties": {
                        "view": "singleValue",
                        "stat": "Sum",
                        "region": "us-east-1",
                        "metrics": [
                            [{"expression": "1 - (bad / total)", "label": "availability"}],
                            [
                                "AWS/ApiGateway",
                                "5XXError",
                                "ApiName",
                                api_name,
                                "Stage",
                                STAGE,
                                {"id": "bad", "visible": False},
                            ],
                            [".", "Count", ".", ".", ".", ".", {"id": "total", "visible": False}],
                        ],
                    },
                }
            ]
        }
    ),
)

pulumi.export("apiName", api.name)
pulumi.export("stage", stage.stage_name)
pulumi.export("functionName", function.name)
pulumi.export("pagerTopicArn", alerting.pager.arn)
pulumi.export("ticketTopicArn", alerting.tickets.arn)
pulumi.export("maintenanceAlarmName", alerting.maintenance.name)
pulumi.export("oncallDashboardName", oncall.dashboard_name)
pulumi.export("executiveDashboardName", executive.dashboard_name)
