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
3. **Roles.** What each role may do is read by meaning (``harness.iam``): the SPEC's
   allow-list for each role is written once below (``ALLOWED``), and every grant of
   the deployed policies outside it, however it is spelled, is a violation.

Traffic during a rollout (the SPEC states the same numbers): 1000 requests a minute
through ``live``; the current version fails 2 in 1000 (its accepted baseline) and
answers in 120 ms; a healthy canary fails none in 120 ms; the erroring canary fails
5 percent; the slow canary answers 5 percent of its requests in 2.5 s. The drill
spreads each share over the requests a version serves, so they hold at every canary
weight the SPEC allows (1 to 10 percent).

Deployment notifications are read from an SQS queue the checks subscribe to the
exported topic (``harness.drills.notifications.Inbox``).

What the program deployed is found by meaning in the state (the function named
``serviceName``, the bucket named ``artifactBucketName``, the alias named ``live``),
whatever resource class or logical name declared it, so a wrong export fails R9 alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.drills.codedeploy_canary import (
    Behaviour,
    Deployment,
    DeploymentRefused,
    LambdaCanaryDrill,
    alias_weights,
)
from harness.drills.notifications import Inbox
from harness.iam import (
    Allowed,
    Document,
    Request,
    TrustedPrincipal,
    documents_of_role,
    evaluate,
    trust_of_role,
    trusted_principals,
)

RELEASE_KEY = "canary-release:releaseVersion"
SERVICE_KEY = "canary-release:serviceName"
BUCKET_KEY = "canary-release:artifactBucketName"
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
# pulumi-aws 7 offers the bucket and the object under two classes each; both deploy the same.
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
OBJECTS = ("aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject")


# --- R8: what each role may do, as the SPEC says it --------------------------------------
#
# Each entry is one line of an allow-list: (actions, resources). Resources are ARN
# templates filled from the deployment; a grant is within the list when its action is
# one of the entry's (after expanding wildcards and case) and its resource pattern
# lies within one of the entry's ARNs.
ALLOWED: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    # "The function's role trusts only lambda.amazonaws.com and may only write its own
    # logs (logs:CreateLogStream, logs:PutLogEvents on its log group
    # /aws/lambda/<serviceName>): no access to the artifacts, to Lambda, to IAM."
    "function": [
        (
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            ("{log_group}", "{log_group}:*"),
        ),
    ],
    # "CodeDeploy's role trusts only codedeploy.amazonaws.com and may do exactly its
    # job: lambda:GetAlias/lambda:UpdateAlias on this function (its ARN or the live
    # alias's), cloudwatch:DescribeAlarms on the alarms attached to the group, and
    # sns:Publish to the notification topic. Nothing else: not updating or invoking the
    # function, not another function's alias, not changing alarms, not S3, not IAM."
    "codedeploy": [
        (("lambda:GetAlias", "lambda:UpdateAlias"), ("{function_arn}", "{function_arn}:live")),
        (("cloudwatch:DescribeAlarms",), ("{attached_alarm_arns}",)),
        (("sns:Publish",), ("{topic_arns}",)),
    ],
}


def allowed_for(role: str, values: dict[str, list[str]]) -> list[Allowed]:
    """The role's allow-list with the deployment's ARNs filled in."""
    out = []
    for actions, templates in ALLOWED[role]:
        resources: list[str] = []
        for template in templates:
            for key, arns in values.items():
                if "{" + key + "}" in template:
                    resources += [template.replace("{" + key + "}", arn) for arn in arns]
        if resources:
            out.append(Allowed(actions, resources))
    return out


def fail(message: str) -> None:
    """A failing check: one sentence, no pytest diff."""
    pytest.fail(message, pytrace=False)


def _of_type(stack: Any, *tokens: str) -> list[Any]:
    return [r for r in stack.resources if r.type in tokens]


def _one(stack: Any, *tokens: str, what: str = "") -> Any:
    found = _of_type(stack, *tokens)
    if not found:
        fail(f"the stack has no {what or tokens[0].rsplit(':', 1)[-1]}")
    return found[0]


def _function(stack: Any, service: str) -> Any:
    """The service's function: the one named serviceName (a hook function may be next to it)."""
    functions = _of_type(stack, FUNCTION)
    named = [f for f in functions if f.id == service or f.outputs.get("name") == service]
    if named:
        return named[0]
    if not functions:
        fail("the stack has no Lambda function")
    fail(
        f"no Lambda function is named {service!r} (serviceName); the stack's functions: "
        f"{sorted(f.id for f in functions)}"
    )


def _artifacts(stack: Any, bucket: str) -> list[Any]:
    """The objects the program uploaded to the artifact bucket."""
    return [
        o
        for o in _of_type(stack, *OBJECTS)
        if o.outputs.get("bucket", o.inputs.get("bucket")) == bucket
    ]


@pytest.fixture(scope="session")
def kata_config(engine: Any) -> dict[str, str]:
    """The kata's stack config (kata.yaml `config`), as the program got it."""
    return {k: str(v) for k, v in engine.spec.config.items()}


@dataclass
class Pipeline:
    """The deployed pipeline, as the state names it."""

    function: str
    function_arn: str
    alias: str  # the alias's name (the SPEC says "live")
    application: str
    group: str
    bucket: str  # the bucket named artifactBucketName
    release: str  # releaseVersion at deploy time (stack config)
    production_version: str  # what `live` served right after the deploy


@pytest.fixture(scope="session")
def pipeline(stack: Any, aws: Callable[..., Any], kata_config: dict[str, str]) -> Pipeline:
    fn = _function(stack, kata_config[SERVICE_KEY])
    aliases = [
        a
        for a in _of_type(stack, ALIAS)
        if a.inputs.get("functionName") in (fn.id, fn.outputs.get("arn"))
    ]
    alias = next(
        (a for a in aliases if a.inputs.get("name") == "live"), aliases[0] if aliases else None
    )
    alias_name = alias.inputs["name"] if alias else "live"
    live = {}
    if alias:
        with contextlib.suppress(ClientError):
            live = aws("lambda").get_alias(FunctionName=fn.id, Name=alias_name)
    group = _one(stack, GROUP, what="CodeDeploy deployment group")
    return Pipeline(
        function=fn.id,
        function_arn=fn.outputs["arn"],
        alias=alias_name,
        application=group.inputs["appName"],
        group=group.inputs["deploymentGroupName"],
        bucket=kata_config[BUCKET_KEY],
        release=kata_config[RELEASE_KEY],
        production_version=str(live.get("FunctionVersion", "")),
    )


@pytest.fixture(scope="session")
def account(pipeline: Pipeline) -> str:
    return pipeline.function_arn.split(":")[4]


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

    def artifacts(self, bucket: str) -> list[Any]:
        return _artifacts(self.state, bucket)


def _versions(lam: Any, function: str) -> list[str]:
    pages = lam.get_paginator("list_versions_by_function").paginate(FunctionName=function)
    return [v["Version"] for page in pages for v in page["Versions"]]


@pytest.fixture(scope="session")
def released(
    pipeline: Pipeline,
    aws: Callable[..., Any],
    redeploy: Callable[..., Any],
    kata_config: dict[str, str],
) -> Any:
    lam = aws("lambda")
    versions_before = _versions(lam, pipeline.function)
    alias_before = lam.get_alias(FunctionName=pipeline.function, Name=pipeline.alias)
    state = redeploy({RELEASE_KEY: NEXT_RELEASE}, refresh=False)  # as CI would: `pulumi up`
    try:
        fn = _function(state, kata_config[SERVICE_KEY])
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


@dataclass
class Role:
    """A role's trust policy and its identity policies, read by meaning (harness.iam)."""

    key: str  # "function" or "codedeploy"
    arn: str
    trust: Document
    documents: list[tuple[str, Document]]
    boundary: Document | None

    @property
    def label(self) -> str:
        return f"the {'function' if self.key == 'function' else 'CodeDeploy'} role"

    def trusted(self) -> list[TrustedPrincipal]:
        return trusted_principals(self.trust)

    def may(self, action: str, *resources: str) -> bool:
        """Whether IAM allows ``action`` on any of ``resources`` (names of one thing)."""
        caps = [self.boundary] if self.boundary is not None else None
        return any(evaluate(Request(action, r), self.documents, caps).allowed for r in resources)


def load_role(aws: Callable[..., Any], key: str, arn: str) -> Role:
    iam = aws("iam")
    try:
        grants = documents_of_role(iam, arn)
        trust = trust_of_role(iam, arn)
    except ClientError as exc:
        fail(f"the {key} role {arn} cannot be read from the emulator: {exc}")
    return Role(key, grants.principal_arn, trust, grants.documents, grants.boundary)


@pytest.fixture(scope="session")
def roles(stack: Any, aws: Callable[..., Any], kata_config: dict[str, str]) -> dict[str, Role]:
    """ "function" and "codedeploy": the roles the function and the deployment group use."""
    fn = _function(stack, kata_config[SERVICE_KEY])
    group = _one(stack, GROUP, what="CodeDeploy deployment group")
    return {
        "function": load_role(aws, "function", fn.inputs["role"]),
        "codedeploy": load_role(aws, "codedeploy", group.inputs["serviceRoleArn"]),
    }


def attached_alarms(released: Released) -> list[str]:
    """The names in the group's enabled alarm configuration (emulator, else deployed state)."""
    conf = released.group.get("alarmConfiguration") or {}
    if not conf.get("alarms"):  # an emulator that drops it: as the program deployed it
        inputs = released.group_inputs.get("alarmConfiguration") or {}
        conf = {
            "enabled": inputs.get("enabled"),
            "alarms": [{"name": n} for n in inputs.get("alarms") or []],
        }
    return [a["name"] for a in conf.get("alarms") or []] if conf.get("enabled") else []


def notification_topics(released: Released, exported: str = "") -> list[str]:
    """The notification topic: the one exported, and every topic the group's triggers
    notify (a group that notifies none still has the topic its role may publish to)."""
    triggers = released.group.get("triggerConfigurations") or []
    topics = {t["triggerTargetArn"] for t in triggers if t.get("triggerTargetArn")}
    return sorted(topics | ({exported} if exported.startswith("arn:aws:sns:") else set()))


@pytest.fixture(scope="session")
def role_arns(
    pipeline: Pipeline, released: Released, account: str, region: str, stack: Any
) -> dict[str, list[str]]:
    """The deployment's ARNs the allow-lists (``ALLOWED``) are written in."""
    return {
        "log_group": [f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{pipeline.function}"],
        "function_arn": [pipeline.function_arn],
        "attached_alarm_arns": [
            f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
            for name in attached_alarms(released)
        ],
        "topic_arns": notification_topics(
            released, str(stack.outputs.get("notificationTopicArn") or "")
        ),
        "trigger_topic_arns": notification_topics(released),  # what its job needs
    }


@pytest.fixture(scope="session")
def allow_list(role_arns: dict[str, list[str]]) -> Callable[[str], list[Allowed]]:
    """``allow_list("codedeploy")``: the role's allow-list (``ALLOWED``) for this deployment."""
    return lambda key: allowed_for(key, role_arns)
