"""The CodeDeploy Lambda canary drill (harness/drills/codedeploy_canary.py).

Pure parts first (traffic steps, alarm statistics and evaluation, the IAM evaluator),
then deployments in moto: a world of one function with two published versions behind
a ``live`` alias, golden-signal alarms, a deployment group and a notification topic
read through an SQS subscription, set up with boto3 directly (no program runs).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.drills.codedeploy_canary import (
    LAMBDA_CONFIGS,
    Behaviour,
    DeploymentRefused,
    LambdaCanaryDrill,
    TrafficRouting,
    alias_weights,
    builtin_config_info,
    policies_allow,
)
from harness.engines.state import ResourceState, StackState

ACCOUNT = "123456789012"

# --- pure parts -------------------------------------------------------------------------


def test_canary_linear_and_all_at_once_steps():
    canary = LAMBDA_CONFIGS["CodeDeployDefault.LambdaCanary10Percent5Minutes"]
    assert [(s.weight, s.bake_minutes) for s in canary.steps()] == [(0.1, 5), (1.0, 0)]
    assert canary.total_minutes == 5
    linear = LAMBDA_CONFIGS["CodeDeployDefault.LambdaLinear10PercentEvery3Minutes"]
    steps = linear.steps()
    assert [round(s.weight, 2) for s in steps] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert linear.total_minutes == 27  # nine bakes of three minutes, then the last shift
    assert [(s.weight, s.bake_minutes) for s in TrafficRouting("AllAtOnce").steps()] == [(1.0, 0)]
    assert TrafficRouting("TimeBasedLinear", 30, 2).steps()[-2].weight == 0.9
    assert len(LAMBDA_CONFIGS) == 9
    info = builtin_config_info("CodeDeployDefault.LambdaCanary10Percent30Minutes")
    assert info["trafficRoutingConfig"]["timeBasedCanary"] == {
        "canaryPercentage": 10,
        "canaryInterval": 30,
    }
    assert TrafficRouting.from_api(info["trafficRoutingConfig"]).interval == 30
    assert builtin_config_info("CodeDeployDefault.OneAtATime") is None


def test_a_minute_of_traffic_as_lambda_publishes_it():
    minute = Behaviour(error_rate=0.05, latency_ms=(100.0,) * 98 + (3000.0,) * 2).minute(100)
    assert minute["Invocations"] == {1.0: 100}
    assert minute["Errors"] == {1.0: 5, 0.0: 95}
    assert minute["Duration"] == {100.0: 98, 3000.0: 2}
    assert Behaviour().minute(0) == {}


@pytest.mark.parametrize("per_minute", [10, 20, 50, 100, 1000])
def test_shares_hold_at_every_canary_weight(per_minute):
    """5 percent of a 1-percent canary's 10 requests a minute still fail and are slow:
    each share is spread over the version's requests, not rounded away every minute."""
    slow = Behaviour(error_rate=0.05, latency_ms=(120.0,) * 95 + (2500.0,) * 5)
    served, errors, slow_requests, first_minute = 0, 0, 0, None
    for minute in range(1, 6):  # a 5-minute bake
        data = slow.minute(per_minute, served)
        served += per_minute
        errors += data["Errors"][1.0]
        slow_requests += data["Duration"][2500.0]
        assert sum(data["Duration"].values()) == per_minute
        if first_minute is None and data["Errors"][1.0]:
            first_minute = minute
    assert errors == slow_requests and abs(errors - served * 0.05) <= 0.5
    assert first_minute == 1  # the first bad request comes within the first minute
    baseline = Behaviour(error_rate=0.002)
    assert sum(baseline.minute(990, 990 * m)["Errors"][1.0] for m in range(5)) == 10


def test_identity_policy_evaluation():
    fn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:svc"
    allow = {
        "Statement": [
            {"Effect": "Allow", "Action": ["lambda:GetAlias", "lambda:UpdateAlias"], "Resource": fn}
        ]
    }
    assert policies_allow([allow], "lambda:updatealias", [fn])  # actions: any case
    assert not policies_allow([allow], "lambda:UpdateAlias", [fn + "-other"])
    deny = {"Statement": [{"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}]}
    assert not policies_allow([allow, deny], "lambda:UpdateAlias", [fn])
    not_action = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    assert policies_allow([not_action], "lambda:UpdateAlias", [fn])
    assert not policies_allow([not_action], "iam:PassRole", [fn])
    wildcard = {"Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": f"{fn}:*"}]}
    assert policies_allow([wildcard], "lambda:GetAlias", [fn, f"{fn}:live"])
    assert alias_weights(
        {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}
    ) == {"2": 0.1, "1": 0.9}


# --- deployments in moto --------------------------------------------------------------------


def _zip(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", text)
    return buf.getvalue()


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


@dataclass
class World:
    aws: Any
    uid: str
    function: str = ""
    function_arn: str = ""
    app: str = ""
    group: str = "live"
    topic: str = ""
    queue: str = ""
    role: str = ""
    alarms: dict[str, str] = field(default_factory=dict)

    def drill(self, stack: Any = None, client: Any = None) -> LambdaCanaryDrill:
        return LambdaCanaryDrill(client or self.aws, self.app, self.group, stack=stack)

    def deploy(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.drill().deploy(self.function, "live", "2", **kwargs)

    def alias(self) -> dict[str, Any]:
        return self.aws("lambda").get_alias(FunctionName=self.function, Name="live")

    def set_group(self, **params: Any) -> None:
        self.aws("codedeploy").update_deployment_group(
            applicationName=self.app, currentDeploymentGroupName=self.group, **params
        )

    def messages(self) -> list[dict[str, Any]]:
        sqs, got = self.aws("sqs"), []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not batch:
                return got
            for m in batch:
                got.append(json.loads(json.loads(m["Body"])["Message"]))
                sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=m["ReceiptHandle"])


ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["lambda:GetAlias", "lambda:UpdateAlias"], "Resource": ""},
        {"Effect": "Allow", "Action": "cloudwatch:DescribeAlarms", "Resource": ""},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": ""},
    ],
}


@pytest.fixture
def world(aws_client) -> World:
    w = World(aws=aws_client, uid=uuid.uuid4().hex[:8])
    iam, lam, cw = aws_client("iam"), aws_client("lambda"), aws_client("cloudwatch")
    sns, sqs, cd = aws_client("sns"), aws_client("sqs"), aws_client("codedeploy")
    fn_role = iam.create_role(
        RoleName=f"fn-{w.uid}", AssumeRolePolicyDocument=_trust("lambda.amazonaws.com")
    )["Role"]["Arn"]
    w.function = f"svc-{w.uid}"
    conf = lam.create_function(
        FunctionName=w.function,
        Runtime="python3.12",
        Role=fn_role,
        Handler="app.handler",
        Code={"ZipFile": _zip("V = 1\n")},
        Publish=True,
    )
    w.function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{w.function}"
    assert conf["FunctionArn"] in (w.function_arn, f"{w.function_arn}:1")
    lam.update_function_code(FunctionName=w.function, ZipFile=_zip("V = 2\n"), Publish=True)
    lam.create_alias(FunctionName=w.function, Name="live", FunctionVersion="1")

    w.topic = sns.create_topic(Name=f"deploys-{w.uid}")["TopicArn"]
    w.queue = sqs.create_queue(QueueName=f"deploys-{w.uid}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=w.queue, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=w.topic, Protocol="sqs", Endpoint=queue_arn)

    scoped = [
        {"Name": "FunctionName", "Value": w.function},
        {"Name": "Resource", "Value": f"{w.function}:live"},
        {"Name": "ExecutedVersion", "Value": "2"},
    ]
    for key, metric, stat, threshold, dims in (
        ("errors", "Errors", {"Statistic": "Sum"}, 0, scoped),
        ("latency", "Duration", {"ExtendedStatistic": "p99"}, 1000, scoped),
        ("whole", "Errors", {"Statistic": "Sum"}, 0, scoped[:1]),  # not attached
    ):
        w.alarms[key] = f"{key}-{w.uid}"
        cw.put_metric_alarm(
            AlarmName=w.alarms[key],
            Namespace="AWS/Lambda",
            MetricName=metric,
            Dimensions=dims,
            Period=60,
            EvaluationPeriods=1,
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
            **stat,
        )

    policy = json.loads(json.dumps(ROLE_POLICY))
    policy["Statement"][0]["Resource"] = w.function_arn
    # Every alarm of this world, so tests may attach other ones.
    policy["Statement"][1]["Resource"] = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*-{w.uid}"
    policy["Statement"][2]["Resource"] = w.topic
    w.role = iam.create_role(
        RoleName=f"codedeploy-{w.uid}", AssumeRolePolicyDocument=_trust("codedeploy.amazonaws.com")
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=f"codedeploy-{w.uid}", PolicyName="deploy", PolicyDocument=json.dumps(policy)
    )

    w.app = f"app-{w.uid}"
    cd.create_application(applicationName=w.app, computePlatform="Lambda")
    cd.create_deployment_group(
        applicationName=w.app,
        deploymentGroupName=w.group,
        serviceRoleArn=w.role,
        deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        autoRollbackConfiguration={
            "enabled": True,
            "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        },
        alarmConfiguration={
            "enabled": True,
            "alarms": [{"name": w.alarms["errors"]}, {"name": w.alarms["latency"]}],
        },
        triggerConfigurations=[
            {
                "triggerName": "deploys",
                "triggerTargetArn": w.topic,
                "triggerEvents": [
                    "DeploymentStart",
                    "DeploymentSuccess",
                    "DeploymentFailure",
                    "DeploymentStop",
                    "DeploymentRollback",
                ],
            }
        ],
    )
    return w


def test_healthy_canary_shifts_ten_percent_bakes_five_minutes_then_all(world):
    seen = []
    deployment = world.deploy(during_bake=lambda bake: seen.append((bake.minute, bake.weights())))
    assert deployment.status == "Succeeded" and not deployment.rolled_back, deployment
    assert seen == [(0, {"1": 0.9, "2": 0.1})]  # the alias itself, read during the bake
    assert [s.weights for s in deployment.shifts] == [{"1": 0.9, "2": 0.1}, {"2": 1.0}]
    assert deployment.minutes == 5
    alias = world.alias()
    assert alias["FunctionVersion"] == "2"
    assert not (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    assert [m["status"] for m in world.messages()] == ["CREATED", "SUCCEEDED"]
    assert deployment.events == ["DeploymentStart", "DeploymentSuccess"]


def test_erroring_canary_trips_its_alarm_and_rolls_back(world):
    deployment = world.deploy(canary=Behaviour(error_rate=0.05))
    assert (deployment.status, deployment.error_code) == ("Stopped", "ALARM_ACTIVE")
    assert world.alarms["errors"] in deployment.error_message
    assert deployment.rolled_back and deployment.minutes == 1  # the first minute of the bake
    assert world.alias()["FunctionVersion"] == "1"
    assert not (world.alias().get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    statuses = [m["status"] for m in world.messages()]
    assert statuses == ["CREATED", "STOPPED", "ROLLBACK"]
    state = world.aws("cloudwatch").describe_alarms(AlarmNames=[world.alarms["errors"]])
    assert state["MetricAlarms"][0]["StateValue"] == "ALARM"  # set in the emulator


def test_slow_canary_trips_the_latency_alarm(world):
    deployment = world.deploy(canary=Behaviour(latency_ms=3000.0))
    assert deployment.error_code == "ALARM_ACTIVE" and world.alarms["latency"] in (
        deployment.error_message
    )
    assert deployment.rolled_back


def test_only_attached_alarms_stop_a_deployment(world):
    cw = world.aws("cloudwatch")

    def unattached_alarm_fires(bake):
        cw.set_alarm_state(AlarmName=world.alarms["whole"], StateValue="ALARM", StateReason="t")

    deployment = world.deploy(during_bake=unattached_alarm_fires)
    assert deployment.succeeded, deployment.error_message
    # The same, with an attached alarm (on a metric the model does not evaluate).
    cw.put_metric_alarm(
        AlarmName=f"synthetic-{world.uid}",
        Namespace="Acme/Canary",
        MetricName="CheckoutFailures",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        Statistic="Sum",
    )
    world.aws("lambda").update_alias(FunctionName=world.function, Name="live", FunctionVersion="1")
    world.set_group(
        alarmConfiguration={"enabled": True, "alarms": [{"name": f"synthetic-{world.uid}"}]}
    )

    def attached_alarm_fires(bake):
        cw.set_alarm_state(AlarmName=f"synthetic-{world.uid}", StateValue="ALARM", StateReason="t")

    deployment = world.deploy(during_bake=attached_alarm_fires)
    assert deployment.status == "Stopped" and deployment.rolled_back
    assert deployment.minutes == 0  # polled right after the shift


def test_an_alarm_on_the_whole_function_rolls_back_a_healthy_canary(world):
    """The current version's steady errors reach an alarm not scoped to the new version."""
    world.set_group(
        alarmConfiguration={"enabled": True, "alarms": [{"name": world.alarms["whole"]}]}
    )
    baseline = Behaviour(error_rate=0.002)
    assert world.deploy(baseline=baseline).status == "Stopped"
    world.set_group(
        alarmConfiguration={"enabled": True, "alarms": [{"name": world.alarms["errors"]}]}
    )
    world.aws("cloudwatch").set_alarm_state(
        AlarmName=world.alarms["whole"], StateValue="OK", StateReason="reset"
    )
    assert world.deploy(baseline=baseline).succeeded


def test_without_rollback_on_alarm_the_alias_stays_weighted(world):
    world.set_group(autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]})
    deployment = world.deploy(canary=Behaviour(error_rate=0.5))
    assert deployment.status == "Stopped" and not deployment.rolled_back
    assert alias_weights(world.alias()) == {"1": 0.9, "2": 0.1}
    assert "DeploymentRollback" not in deployment.events


def test_a_failed_hook_rolls_back_on_deployment_failure(world):
    deployment = world.deploy(fail_hook="AfterAllowTraffic")
    assert (deployment.status, deployment.error_code) == ("Failed", "HOOK_EXECUTION_FAILURE")
    assert deployment.shifts[-1].weights == {"2": 1.0} and deployment.rolled_back
    assert world.alias()["FunctionVersion"] == "1"
    assert [m["status"] for m in world.messages()] == ["CREATED", "FAILED", "ROLLBACK"]
    deployment = world.deploy(during_bake=lambda bake: bake.fail("smoke test failed"))
    assert deployment.error_message == "smoke test failed" and deployment.rolled_back


def test_linear_and_all_at_once_configs(world):
    world.set_group(deploymentConfigName="CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
    deployment = world.deploy()
    assert [s.weights.get("2") for s in deployment.shifts] == [
        0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0
    ]  # fmt: skip
    assert deployment.minutes == 9
    world.aws("lambda").update_alias(FunctionName=world.function, Name="live", FunctionVersion="1")
    world.set_group(deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce")
    deployment = world.deploy()
    assert [s.weights for s in deployment.shifts] == [{"2": 1.0}] and deployment.minutes == 0


def test_refuses_where_codedeploy_or_lambda_would(world):
    lam = world.aws("lambda")
    drill = world.drill()
    with pytest.raises(DeploymentRefused, match="nothing to shift"):
        drill.deploy(world.function, "live", "1")
    with pytest.raises(DeploymentRefused, match="not a published version"):
        drill.deploy(world.function, "live", "$LATEST")
    with pytest.raises(DeploymentRefused, match="ResourceNotFound"):
        drill.deploy(world.function, "live", "7")
    lam.update_alias(FunctionName=world.function, Name="live", FunctionVersion="$LATEST")
    with pytest.raises(DeploymentRefused, match=r"\$LATEST"):
        drill.deploy(world.function, "live", "2")
    lam.update_alias(
        FunctionName=world.function,
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
    )
    with pytest.raises(DeploymentRefused, match="already weighted"):
        drill.deploy(world.function, "live", "2")
    lam.update_alias(
        FunctionName=world.function, Name="live", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    world.set_group(deploymentConfigName="CodeDeployDefault.OneAtATime")
    with pytest.raises(DeploymentRefused, match="not a deployment configuration for the Lambda"):
        drill.deploy(world.function, "live", "2")
    world.set_group(deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce")
    world.aws("iam").update_assume_role_policy(
        RoleName=world.role.rsplit("/", 1)[1], PolicyDocument=_trust("lambda.amazonaws.com")
    )
    with pytest.raises(DeploymentRefused, match="InvalidRoleException"):
        drill.deploy(world.function, "live", "2")
    assert world.alias()["FunctionVersion"] == "1"  # nothing was shifted by a refusal


def test_the_role_must_read_every_attached_alarm(world):
    """DescribeAlarms on one attached alarm but not the other is an alarm poll failure."""
    iam = world.aws("iam")
    name = world.role.rsplit("/", 1)[-1]
    policy = json.loads(json.dumps(ROLE_POLICY))
    policy["Statement"][0]["Resource"] = world.function_arn
    policy["Statement"][1]["Resource"] = (
        f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{world.alarms['errors']}"
    )
    policy["Statement"][2]["Resource"] = world.topic
    iam.put_role_policy(RoleName=name, PolicyName="deploy", PolicyDocument=json.dumps(policy))
    deployment = world.deploy()
    assert (deployment.status, deployment.error_code) == ("Failed", "ALARM_CONFIG")
    assert world.alarms["latency"] in deployment.error_message


def test_a_role_that_may_not_update_the_alias_fails_the_deployment(world):
    name = world.role.rsplit("/", 1)[1]
    doc = world.aws("iam").get_role_policy(RoleName=name, PolicyName="deploy")["PolicyDocument"]
    doc["Statement"][0]["Resource"] = world.function_arn + "-other"
    world.aws("iam").put_role_policy(
        RoleName=name, PolicyName="deploy", PolicyDocument=json.dumps(doc)
    )
    deployment = world.deploy()
    assert (deployment.status, deployment.error_code) == ("Failed", "IAM_ROLE_PERMISSIONS")
    assert not deployment.rolled_back and world.alias()["FunctionVersion"] == "1"
    # sns:Publish denied: notifications are lost, the deployment is not affected.
    doc["Statement"][0]["Resource"] = world.function_arn
    doc["Statement"][2]["Resource"] = world.topic + "-other"
    world.aws("iam").put_role_policy(
        RoleName=name, PolicyName="deploy", PolicyDocument=json.dumps(doc)
    )
    deployment = world.deploy()
    assert deployment.succeeded and deployment.notifications == []
    assert [u["event"] for u in deployment.undelivered] == ["DeploymentStart", "DeploymentSuccess"]


class _NoConfigsNoAlarms:
    """An emulator without patch 6: no deployment configs, no alarm configuration."""

    def __init__(self, aws: Any) -> None:
        self.aws = aws

    def __call__(self, service: str) -> Any:
        real = self.aws(service)
        if service != "codedeploy":
            return real

        class Wrapped:
            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

            def get_deployment_config(self, **kw: Any) -> Any:
                raise ClientError(
                    {"Error": {"Code": "500"}, "ResponseMetadata": {"HTTPStatusCode": 500}},
                    "GetDeploymentConfig",
                )

            def get_deployment_group(self, **kw: Any) -> Any:
                out = real.get_deployment_group(**kw)
                out["deploymentGroupInfo"]["alarmConfiguration"] = {}
                return out

        return Wrapped()


def test_custom_config_and_alarms_come_from_the_state_when_the_emulator_drops_them(world):
    world.set_group(deploymentConfigName=f"canary5-{world.uid}")
    stack = StackState(
        project="p",
        stack="dev",
        resources=[
            ResourceState(
                urn="urn:cfg",
                type="aws:codedeploy/deploymentConfig:DeploymentConfig",
                name="canary5",
                inputs={
                    "deploymentConfigName": f"canary5-{world.uid}",
                    "computePlatform": "Lambda",
                    "trafficRoutingConfig": {
                        "type": "TimeBasedCanary",
                        "timeBasedCanary": {"interval": 3, "percentage": 5},
                    },
                },
            ),
            ResourceState(
                urn="urn:group",
                type="aws:codedeploy/deploymentGroup:DeploymentGroup",
                name="group",
                inputs={
                    "appName": world.app,
                    "deploymentGroupName": world.group,
                    "alarmConfiguration": {"alarms": [world.alarms["errors"]], "enabled": True},
                },
            ),
        ],
    )
    drill = world.drill(stack=stack, client=_NoConfigsNoAlarms(world.aws))
    deployment = drill.deploy(world.function, "live", "2", canary=Behaviour(error_rate=0.1))
    assert deployment.shifts[0].weights == {"1": 0.95, "2": 0.05}
    assert deployment.error_code == "ALARM_ACTIVE" and deployment.rolled_back
    assert any("taken from the deployed state" in n for n in deployment.notes)


def test_an_alarm_that_cannot_be_read_fails_the_deployment_unless_ignored(world):
    missing = {"enabled": True, "alarms": [{"name": f"gone-{world.uid}"}]}
    world.set_group(alarmConfiguration=missing)
    deployment = world.deploy()
    assert (deployment.status, deployment.error_code) == ("Failed", "ALARM_CONFIG")
    assert deployment.rolled_back and world.alias()["FunctionVersion"] == "1"
    world.set_group(alarmConfiguration={**missing, "ignorePollAlarmFailure": True})
    deployment = world.deploy()
    assert deployment.succeeded and any("ignored" in n for n in deployment.notes)


def test_a_custom_config_is_read_from_the_emulator(world):
    name = f"canary5-{world.uid}"
    world.aws("codedeploy").create_deployment_config(
        deploymentConfigName=name,
        computePlatform="Lambda",
        trafficRoutingConfig={
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 5, "canaryInterval": 7},
        },
    )
    world.set_group(deploymentConfigName=name)
    deployment = world.deploy()
    assert deployment.succeeded and deployment.minutes == 7
    assert deployment.shifts[0].weights == {"1": 0.95, "2": 0.05}
    assert not deployment.notes  # nothing had to come from the state
    world.set_group(deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce")
    world.aws("codedeploy").delete_deployment_config(deploymentConfigName=name)
