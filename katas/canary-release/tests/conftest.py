"""Fixtures shared by the canary-release checks.

The checks act as the release pipeline would, on the deployed stack:

1. **Release 1.1.0 by config.** ``released`` runs the program again with
   ``releaseVersion: 1.1.0`` (the ``redeploy`` fixture, the local engine's update
   path) and records what changed: the published versions, the ``live`` alias, the
   alarms. At the end of the session the program runs once more with the kata's own
   config, so that the converge stage judges the program and not the checks.
2. **Rollouts of 1.1.0.** Each drill (``harness.drills.codedeploy_canary``) plays
   CodeDeploy for one deployment of the new version through the deployment group the
   program built, with bake time on a virtual clock and CloudWatch's alarm evaluation
   modeled on the traffic each version serves. Every rollout starts from production
   as the release left it (``live`` entirely on the previous version, the canary's
   alarms back to OK: the last incident is over), so a rollout that leaves the alias
   half-shifted fails its own check and not the next ones.

Traffic during a rollout (the SPEC states the same numbers): 1000 requests a minute
through ``live``; the current version fails 2 in 1000 (its accepted baseline) and
answers in 120 ms; a healthy canary fails none in 120 ms; the erroring canary fails
5 percent; the slow canary answers 5 percent of its requests in 2.5 s.

Deployment notifications are read from an SQS queue the checks subscribe to the
exported topic (``harness.drills.notifications.Inbox``).

What the program deployed is found by resource type in the state, so a wrong export
fails R9 alone.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from harness.drills.codedeploy_canary import (
    Behaviour,
    Deployment,
    DeploymentRefused,
    LambdaCanaryDrill,
    ServiceRole,
    alias_weights,
    load_service_role,
)
from harness.drills.notifications import Inbox

RELEASE_KEY = "canary-release:releaseVersion"
NEXT_RELEASE = "1.1.0"
RELEASE_WINDOW_MINUTES = 15
MARK = "kata-check"

BASELINE = Behaviour(error_rate=0.002, latency_ms=120.0)
HEALTHY = Behaviour(error_rate=0.0, latency_ms=120.0)
ERRORING = Behaviour(error_rate=0.05, latency_ms=120.0)
SLOW = Behaviour(error_rate=0.0, latency_ms=(120.0,) * 95 + (2500.0,) * 5)

FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
APPLICATION = "aws:codedeploy/application:Application"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
BUCKET = "aws:s3/bucket:Bucket"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"


def _one(stack: Any, token: str) -> Any:
    found = [r for r in stack.resources if r.type == token]
    if not found:
        pytest.fail(f"the stack has no {token.rsplit(':', 1)[-1]}")
    return found[0]


@dataclass
class Pipeline:
    """The deployed pipeline, as the state names it."""

    function: str
    function_arn: str
    alias: str  # the alias's name (the SPEC says "live")
    application: str
    group: str
    bucket: str
    release: str  # releaseVersion at deploy time
    production_version: str  # what `live` served right after the deploy

    def alarm_arn(self, region: str, account: str, name: str) -> str:
        return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


@pytest.fixture(scope="session")
def pipeline(stack: Any, aws: Callable[..., Any]) -> Pipeline:
    fn = _one(stack, FUNCTION)
    alias = next((r for r in stack.resources if r.type == ALIAS), None)
    alias_name = alias.inputs["name"] if alias else "live"
    live = aws("lambda").get_alias(FunctionName=fn.id, Name=alias_name) if alias else {}
    return Pipeline(
        function=fn.id,
        function_arn=fn.outputs["arn"],
        alias=alias_name,
        application=_one(stack, APPLICATION).outputs["name"],
        group=_one(stack, GROUP).inputs["deploymentGroupName"],
        bucket=_one(stack, BUCKET).id,
        release=stack.outputs.get("releaseVersion", ""),
        production_version=str(live.get("FunctionVersion", "")),
    )


@pytest.fixture(scope="session")
def account(stack: Any) -> str:
    return _one(stack, FUNCTION).outputs["arn"].split(":")[4]


# --- release 1.1.0 by changing config ---


@dataclass
class Released:
    """Before and after ``releaseVersion: 1.1.0`` was deployed."""

    state: Any
    versions_before: list[str]
    versions_after: list[str]
    alias_before: dict[str, Any]
    alias_after: dict[str, Any]
    new_version: str  # the function's published version after the release
    alarms: list[dict[str, Any]]  # every CloudWatch alarm, after the release
    group: dict[str, Any]  # the deployment group as the emulator has it
    group_inputs: dict[str, Any]  # and as the program deployed it

    def resource(self, token: str) -> Any:
        return _one(self.state, token)


def _versions(lam: Any, function: str) -> list[str]:
    pages = lam.get_paginator("list_versions_by_function").paginate(FunctionName=function)
    return [v["Version"] for page in pages for v in page["Versions"]]


@pytest.fixture(scope="session")
def released(pipeline: Pipeline, aws: Callable[..., Any], redeploy: Callable[..., Any]) -> Any:
    lam = aws("lambda")
    versions_before = _versions(lam, pipeline.function)
    alias_before = lam.get_alias(FunctionName=pipeline.function, Name=pipeline.alias)
    state = redeploy({RELEASE_KEY: NEXT_RELEASE}, refresh=False)  # as CI would: `pulumi up`
    try:
        fn = _one(state, FUNCTION)
        cw = aws("cloudwatch")
        alarms = [
            a
            for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
            for a in page["MetricAlarms"]
        ]
        group = aws("codedeploy").get_deployment_group(
            applicationName=pipeline.application, deploymentGroupName=pipeline.group
        )["deploymentGroupInfo"]
        yield Released(
            state=state,
            versions_before=versions_before,
            versions_after=_versions(lam, pipeline.function),
            alias_before=alias_before,
            alias_after=lam.get_alias(FunctionName=pipeline.function, Name=pipeline.alias),
            new_version=str(fn.outputs.get("version", "")),
            alarms=alarms,
            group=group,
            group_inputs=_one(state, GROUP).inputs,
        )
    finally:
        redeploy(refresh=False)  # the kata's own release again: converge judges the program


# --- rollouts of the new version ---


@dataclass
class Rollout:
    name: str
    deployment: Deployment | None = None
    refused: DeploymentRefused | None = None
    messages: list[Any] = field(default_factory=list)  # what the topic published
    alias_after: dict[str, Any] = field(default_factory=dict)
    bake_weights: list[dict[str, float]] = field(default_factory=list)  # read during bakes

    def require(self) -> Deployment:
        assert self.refused is None, f"CodeDeploy would refuse this deployment: {self.refused}"
        assert self.deployment is not None
        return self.deployment

    @property
    def weights_after(self) -> dict[str, float]:
        return alias_weights(self.alias_after)

    def statuses(self) -> list[str]:
        return [m.get("status") for m in self.messages if isinstance(m, dict)]


def _alarm_names_of(aws: Callable[..., Any], function: str) -> list[str]:
    cw = aws("cloudwatch")
    return [
        a["AlarmName"]
        for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
        for a in page["MetricAlarms"]
        if any(d["Value"] == function for d in a.get("Dimensions") or [])
        and a["StateValue"] != "OK"
    ]


@pytest.fixture(scope="session")
def inbox(stack: Any, aws: Callable[..., Any]) -> Iterator[Inbox | None]:
    """An SQS queue subscribed to the exported notification topic, for the session."""
    topic = stack.outputs.get("notificationTopicArn") or ""
    with contextlib.ExitStack() as scope:
        box = None
        # Not a topic: R9 reports the export; the rollouts then hear nothing.
        with contextlib.suppress(ClientError):
            box = scope.enter_context(Inbox.subscribe(aws, topic)) if topic else None
        yield box


@pytest.fixture(scope="session")
def rollout(
    pipeline: Pipeline,
    released: Released,
    aws: Callable[..., Any],
    inbox: Inbox | None,
    region: str,
) -> Callable[..., Rollout]:
    """``rollout("bad canary", canary=ERRORING)``: one deployment of the new version."""
    done: dict[str, Rollout] = {}
    lam, cw = aws("lambda"), aws("cloudwatch")

    def run(name: str, **kwargs: Any) -> Rollout:
        if name in done:
            return done[name]
        result = Rollout(name)
        # Production as the release left it: `live` on the previous version, alarms OK.
        previous = str(released.alias_before["FunctionVersion"])
        with contextlib.suppress(ClientError):
            lam.update_alias(
                FunctionName=pipeline.function,
                Name=pipeline.alias,
                FunctionVersion=previous,
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
        for alarm in _alarm_names_of(aws, pipeline.function):
            cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason=f"{MARK}: reset")

        def observe(bake: Any) -> None:
            result.bake_weights.append(bake.weights())

        drill = LambdaCanaryDrill(
            aws, pipeline.application, pipeline.group, stack=released.state, region=region
        )
        if inbox is not None:
            inbox.drain()  # only this rollout's notifications
        try:
            result.deployment = drill.deploy(
                pipeline.function,
                pipeline.alias,
                released.new_version,
                baseline=kwargs.pop("baseline", BASELINE),
                during_bake=observe,
                **kwargs,
            )
        except DeploymentRefused as refused:
            result.refused = refused
        if inbox is not None:
            result.messages = inbox.receive()
        result.alias_after = lam.get_alias(FunctionName=pipeline.function, Name=pipeline.alias)
        done[name] = result
        return result

    return run


@pytest.fixture(scope="session")
def healthy_rollout(rollout: Callable[..., Rollout]) -> Rollout:
    return rollout("healthy canary", canary=HEALTHY)


@pytest.fixture(scope="session")
def erroring_rollout(rollout: Callable[..., Rollout]) -> Rollout:
    return rollout("erroring canary", canary=ERRORING)


@pytest.fixture(scope="session")
def slow_rollout(rollout: Callable[..., Rollout]) -> Rollout:
    return rollout("slow canary", canary=SLOW)


@pytest.fixture(scope="session")
def failed_validation(rollout: Callable[..., Rollout]) -> Rollout:
    """The post-traffic validation hook reports Failed after all traffic has shifted."""
    return rollout("failed validation", canary=HEALTHY, fail_hook="AfterAllowTraffic")


# --- roles, as deployed ---


def _doc(value: Any) -> dict[str, Any]:
    return json.loads(unquote(value)) if isinstance(value, str) else value


@dataclass
class Role:
    """A role's trust policy and its identity policies, judged as IAM would."""

    arn: str
    trust: dict[str, Any]
    policies: ServiceRole

    def trusted_services(self) -> list[Any]:
        out = []
        for s in self.trust.get("Statement") or []:
            if s.get("Effect") == "Allow":
                out.append(s.get("Principal"))
        return out

    def may(self, action: str, *resources: str) -> bool:
        return self.policies.allows(action, *resources)

    def statements(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for doc in self.policies.documents:
            statements = doc.get("Statement") or []
            out += statements if isinstance(statements, list) else [statements]
        return out


def load_role(aws: Callable[..., Any], arn: str) -> Role:
    iam = aws("iam")
    role = iam.get_role(RoleName=arn.rsplit("/", 1)[-1])["Role"]
    trust = _doc(role.get("AssumeRolePolicyDocument") or {})
    try:
        policies = load_service_role(iam, arn)
    except DeploymentRefused:
        # Not trusted by CodeDeploy (the function's role): read its policies all the same.
        policies = _policies_of(iam, arn)
    return Role(arn, trust, policies)


def _policies_of(iam: Any, arn: str) -> ServiceRole:
    name = arn.rsplit("/", 1)[-1]
    docs = [
        _doc(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        docs.append(
            _doc(
                iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)[
                    "PolicyVersion"
                ]["Document"]
            )
        )
    return ServiceRole(arn, docs, None)


@pytest.fixture(scope="session")
def roles(stack: Any, aws: Callable[..., Any]) -> dict[str, Role]:
    """ "function" and "codedeploy": the roles the function and the deployment group use."""
    fn = _one(stack, FUNCTION)
    group = _one(stack, GROUP)
    return {
        "function": load_role(aws, fn.inputs["role"]),
        "codedeploy": load_role(aws, group.inputs["serviceRoleArn"]),
    }
