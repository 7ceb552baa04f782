"""Run a CodeDeploy Lambda deployment (canary, linear, all at once) against the alias.

The emulator stores CodeDeploy deployment groups and Lambda aliases with weighted
routing, but a deployment never progresses and no alarm is ever evaluated. This drill
plays CodeDeploy's part for one deployment, through the emulator's API, as AWS
documents it for the Lambda compute platform:

- **Traffic shifting** (AWS: *Deployment configurations on an AWS Lambda compute
  platform*). The deployment group's config decides the steps: ``TimeBasedCanary``
  shifts ``percentage`` of traffic, waits ``interval`` minutes, then shifts the rest;
  ``TimeBasedLinear`` adds ``percentage`` every ``interval`` minutes; ``AllAtOnce``
  shifts everything at once. Each shift is an ``UpdateAlias`` on the emulator: the
  alias keeps the current version as its ``FunctionVersion`` and weights the target in
  ``RoutingConfig.AdditionalVersionWeights``; the last shift points the alias at the
  target with no weights. The built-in ``CodeDeployDefault.Lambda*`` configs are known
  here (moto answers GetDeploymentConfig with HTTP 500 unless the harness's patch 6
  is in); a custom config is read from the emulator, else from the stack state.
- **Bake time on a virtual clock.** Waiting is a counter of minutes, so a
  30-minute canary takes no real time. Every minute the two versions serve traffic
  (``requests_per_minute`` through the alias, split by the weights), each as its
  :class:`Behaviour` says.
- **CloudWatch alarm evaluation**, which moto does not do, by the CloudWatch drill
  (``harness.drills.cloudwatch.AlarmDrill``). Each minute's invocations through the
  alias are published as Lambda publishes them in ``AWS/Lambda`` (``Invocations``,
  ``Errors``, ``Duration``) for the dimension sets ``{}``, ``{FunctionName}``,
  ``{FunctionName, Resource=fn:alias}`` and ``{FunctionName, Resource=fn:alias,
  ExecutedVersion=N}``; then every alarm of the region is evaluated from its definition
  as the emulator holds it (whole dimension set, unit, statistic or percentile, period,
  M of N, missing data, metric math) and its state set in the emulator. An alarm the
  model cannot evaluate is named in :attr:`Deployment.not_evaluable`, never taken as OK.
  Each version's error and latency shares are spread over the requests it serves
  (:func:`spread`), so they hold at every canary weight, 1 percent included.
- **Alarm monitoring** (AWS: *Monitoring deployments with CloudWatch alarms in
  CodeDeploy*). CodeDeploy polls only the alarms in the deployment group's alarm
  configuration, and only when it is enabled: at the start, after every shift and
  every minute of a bake. An alarm in ALARM stops the deployment (``ALARM_ACTIVE``);
  an alarm that cannot be read fails it (``ALARM_CONFIG``) unless
  ``ignorePollAlarmFailure`` is set. An alarm that is not attached stops nothing.
  moto drops the group's alarm configuration unless patch 6 is in: then it is read
  from the stack state (the configuration the program deployed).
- **Lifecycle hooks.** ``fail_hook="BeforeAllowTraffic"`` or ``"AfterAllowTraffic"``
  models the hook function reporting ``Failed`` (``HOOK_EXECUTION_FAILURE``), and a
  check's ``during_bake`` callback may fail the deployment the same way.
- **Rollback** (AWS: *Redeploy and roll back a deployment with CodeDeploy*). With
  ``autoRollbackConfiguration`` enabled and the matching event
  (``DEPLOYMENT_STOP_ON_ALARM`` for an alarm, ``DEPLOYMENT_FAILURE`` for a failure),
  CodeDeploy shifts all traffic back to the original version at once. Without it,
  the alias is left as the deployment left it (weights and all).
- **Notifications** (AWS: *Monitoring deployments with Amazon SNS event
  notifications*). Each trigger of the group whose events include
  ``DeploymentStart``/``Success``/``Failure``/``Stop``/``Rollback`` gets a message
  published to its SNS topic, shaped like CodeDeploy's (a JSON document with the
  application, group, deployment id and status). Subscribe an SQS queue to read it.
- **The service role** (AWS: CodeDeploy acts with the deployment group's
  ``serviceRoleArn``). The role must exist and trust ``codedeploy.amazonaws.com``, or
  the drill refuses, as CreateDeploymentGroup would. Every call CodeDeploy makes is
  authorized against the role's identity policies (inline and attached; and its
  permissions boundary) by a small evaluator: Allow/Deny, ``*``/``?`` wildcards,
  ``NotAction``/``NotResource``; conditions are treated as satisfied. Lambda alias
  calls are authorized on the function's ARN or the alias's ARN. A denied
  ``UpdateAlias`` fails the deployment (``IAM_ROLE_PERMISSIONS``; the rollback then
  fails the same way), a denied ``DescribeAlarms`` is an alarm poll failure, a denied
  ``sns:Publish`` loses that notification.

Refusals, where CodeDeploy or Lambda refuse: an alias on ``$LATEST`` or already
weighted (another deployment is shifting it), a target that is ``$LATEST``, is not a
published version or equals the current one, a config that is not a Lambda config,
a deployment style other than ``BLUE_GREEN``/``WITH_TRAFFIC_CONTROL``, an application
whose compute platform is not ``Lambda``.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from harness.drills.cloudwatch import AlarmDrill
from harness.iam import (
    Document,
    Request,
    documents_of_role,
    evaluate,
    trust_of_role,
    trusted_principals,
)
from harness.iam.document import DocumentLike

# --- deployment configurations -------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One traffic shift: the target's share afterwards, then the minutes it bakes."""

    weight: float
    bake_minutes: int


@dataclass(frozen=True)
class TrafficRouting:
    """A Lambda deployment config's traffic routing (CodeDeploy's trafficRoutingConfig)."""

    kind: str  # "AllAtOnce", "TimeBasedCanary" or "TimeBasedLinear"
    percentage: int = 0
    interval: int = 0  # minutes

    def steps(self) -> list[Step]:
        if self.kind == "TimeBasedCanary":
            return [Step(self.percentage / 100, self.interval), Step(1.0, 0)]
        if self.kind == "TimeBasedLinear":
            shifts = math.ceil(100 / self.percentage)
            return [
                Step(min(1.0, (i + 1) * self.percentage / 100), self.interval)
                for i in range(shifts - 1)
            ] + [Step(1.0, 0)]
        return [Step(1.0, 0)]

    @property
    def total_minutes(self) -> int:
        return sum(s.bake_minutes for s in self.steps())

    def api(self) -> dict[str, Any]:
        """As GetDeploymentConfig spells it."""
        if self.kind == "TimeBasedCanary":
            return {
                "type": self.kind,
                "timeBasedCanary": {
                    "canaryPercentage": self.percentage,
                    "canaryInterval": self.interval,
                },
            }
        if self.kind == "TimeBasedLinear":
            return {
                "type": self.kind,
                "timeBasedLinear": {
                    "linearPercentage": self.percentage,
                    "linearInterval": self.interval,
                },
            }
        return {"type": "AllAtOnce"}

    @classmethod
    def from_api(cls, conf: dict[str, Any]) -> TrafficRouting:
        kind = conf.get("type") or "AllAtOnce"
        if kind == "TimeBasedCanary":
            block = conf.get("timeBasedCanary") or {}
            return cls(kind, int(block["canaryPercentage"]), int(block["canaryInterval"]))
        if kind == "TimeBasedLinear":
            block = conf.get("timeBasedLinear") or {}
            return cls(kind, int(block["linearPercentage"]), int(block["linearInterval"]))
        return cls("AllAtOnce")


# The predefined configs AWS documents for Lambda (and ECS, which the emulator patch
# also answers for). Server configs use minimum healthy hosts, not traffic routing.
LAMBDA_CONFIGS: dict[str, TrafficRouting] = {
    "CodeDeployDefault.LambdaAllAtOnce": TrafficRouting("AllAtOnce"),
    "CodeDeployDefault.LambdaCanary10Percent5Minutes": TrafficRouting("TimeBasedCanary", 10, 5),
    "CodeDeployDefault.LambdaCanary10Percent10Minutes": TrafficRouting("TimeBasedCanary", 10, 10),
    "CodeDeployDefault.LambdaCanary10Percent15Minutes": TrafficRouting("TimeBasedCanary", 10, 15),
    "CodeDeployDefault.LambdaCanary10Percent30Minutes": TrafficRouting("TimeBasedCanary", 10, 30),
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute": TrafficRouting("TimeBasedLinear", 10, 1),
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes": TrafficRouting(
        "TimeBasedLinear", 10, 2
    ),
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes": TrafficRouting(
        "TimeBasedLinear", 10, 3
    ),
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": TrafficRouting(
        "TimeBasedLinear", 10, 10
    ),
}
ECS_CONFIGS: dict[str, TrafficRouting] = {
    "CodeDeployDefault.ECSAllAtOnce": TrafficRouting("AllAtOnce"),
    "CodeDeployDefault.ECSCanary10Percent5Minutes": TrafficRouting("TimeBasedCanary", 10, 5),
    "CodeDeployDefault.ECSCanary10Percent15Minutes": TrafficRouting("TimeBasedCanary", 10, 15),
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": TrafficRouting("TimeBasedLinear", 10, 1),
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": TrafficRouting("TimeBasedLinear", 10, 3),
}


def builtin_config_info(name: str) -> dict[str, Any] | None:
    """GetDeploymentConfig's deploymentConfigInfo for a predefined Lambda/ECS config."""
    for platform, table in (("Lambda", LAMBDA_CONFIGS), ("ECS", ECS_CONFIGS)):
        if name in table:
            return {
                "deploymentConfigId": f"builtin-{name}",
                "deploymentConfigName": name,
                "computePlatform": platform,
                "trafficRoutingConfig": table[name].api(),
            }
    return None


# --- what each version does with its share of traffic --------------------------------


def spread(fraction: float, first: int, last: int) -> int:
    """How many of requests ``first + 1`` … ``last`` fall on a share ``fraction``.

    Request ``k`` (counted from the version's first request of the deployment) is one of
    them when ``round(k * fraction)`` steps up, so the share is honoured over any run of
    requests, however few a minute brings: 5 percent of a 1-percent canary's 10
    requests a minute is one request every other minute, not none (a per-minute
    ``round(10 * 0.05)`` would be 0 for ever).
    """

    def upto(k: int) -> int:
        return math.floor(k * fraction + 0.5 + 1e-9)

    return max(0, upto(last) - upto(first))


@dataclass(frozen=True)
class Behaviour:
    """How one version serves requests: the fraction that fails, and how long each takes.

    ``latency_ms`` is one value or a distribution written as a tuple whose values are
    equally likely (so ``(100,) * 98 + (3000,) * 2`` is 2 percent of requests at 3 s, a
    p99 of 3 s). Each share, errors and every latency, is spread evenly over the
    requests the version serves (:func:`spread`), so it holds at any traffic weight.
    """

    error_rate: float = 0.0
    latency_ms: float | tuple[float, ...] = 100.0

    def latency_shares(self) -> list[tuple[float, float]]:
        """(latency, share of requests), the most common latency last."""
        pattern = self.latency_ms if isinstance(self.latency_ms, tuple) else (self.latency_ms,)
        counts = Counter(float(v) for v in pattern)
        return sorted(
            ((v, c / len(pattern)) for v, c in counts.items()), key=lambda vc: (vc[1], -vc[0])
        )

    def minute(self, invocations: int, served_before: int = 0) -> dict[str, Counter[float]]:
        """One minute's datapoints (value -> how many) for ``invocations`` requests, the
        version having served ``served_before`` requests earlier in the deployment."""
        if invocations <= 0:
            return {}
        first, last = served_before, served_before + invocations
        errors = min(invocations, spread(self.error_rate, first, last))
        durations: Counter[float] = Counter()
        shares = self.latency_shares()
        left = invocations
        for value, share in shares[:-1]:  # the rarer latencies, spread; the common one fills
            n = min(left, spread(share, first, last))
            durations[value] += n
            left -= n
        durations[shares[-1][0]] += left
        return {
            "Invocations": Counter({1.0: invocations}),
            "Errors": +Counter({1.0: errors, 0.0: invocations - errors}),
            "Duration": +durations,
        }


HEALTHY = Behaviour()
UNITS = {"Invocations": "Count", "Errors": "Count", "Duration": "Milliseconds"}


# --- results ------------------------------------------------------------------------


class DeploymentRefused(Exception):
    """CodeDeploy (or Lambda) would refuse to start this deployment."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class Observation:
    minute: int
    what: str  # "shift", "bake", "alarm", "rollback", …
    weights: dict[str, float] = field(default_factory=dict)  # version -> share of traffic
    detail: str = ""


@dataclass
class Deployment:
    """What happened, minute by minute, and how it ended."""

    id: str
    application: str
    group: str
    config: str
    routing: TrafficRouting
    current_version: str
    target_version: str
    status: str = "Created"  # Created, InProgress, Succeeded, Failed, Stopped
    error_code: str = ""
    error_message: str = ""
    rolled_back: bool = False
    minutes: int = 0  # the virtual clock when it ended
    observations: list[Observation] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # trigger events, in order
    notifications: list[dict[str, Any]] = field(default_factory=list)  # published
    undelivered: list[dict[str, Any]] = field(default_factory=list)  # denied sns:Publish
    alarms_polled: list[str] = field(default_factory=list)
    alarm_transitions: list[tuple[int, str, str]] = field(default_factory=list)
    not_evaluable: dict[str, str] = field(default_factory=dict)  # attached alarm -> why
    datapoints: dict[tuple[str, frozenset], dict[int, Counter[float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was modeled from state, etc.

    @property
    def shifts(self) -> list[Observation]:
        return [o for o in self.observations if o.what == "shift"]

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"


@dataclass
class Bake:
    """Handed to ``during_bake`` right after a shift, before the bake's first minute."""

    drill: LambdaCanaryDrill
    deployment: Deployment
    step: int  # 0-based index of the shift
    weight: float  # the target's share
    minute: int  # the virtual clock
    interval: int  # minutes this bake lasts
    failed: str = ""

    def alias(self) -> dict[str, Any]:
        return self.drill.alias()

    def weights(self) -> dict[str, float]:
        return alias_weights(self.drill.alias())

    def fail(self, reason: str = "the validation hook reported Failed") -> None:
        self.failed = reason


def alias_weights(alias: dict[str, Any]) -> dict[str, float]:
    """version -> share of the alias's traffic, as Lambda routes it."""
    extra = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    shares = {str(v): float(w) for v, w in extra.items() if float(w) > 0}
    shares[str(alias["FunctionVersion"])] = round(1.0 - sum(shares.values()), 6)
    return shares


# --- IAM, as CodeDeploy's service role ----------------------------------------------
# Read and judged by harness.iam, the one place that knows what a policy means (case of
# action names, wildcards, NotAction/NotResource, string-or-list), not by a look-alike.

CODEDEPLOY = "codedeploy.amazonaws.com"


def policies_allow(
    documents: Iterable[DocumentLike | tuple[str, DocumentLike]],
    action: str,
    resources: list[str],
    boundary: DocumentLike = None,
) -> bool:
    """Identity-policy evaluation as IAM does it, for a request on any one of
    ``resources`` (several names of one resource, e.g. a function's ARN and its alias's)."""
    docs = list(documents)
    caps = [boundary] if boundary is not None else None
    return any(evaluate(Request(action, r), docs, caps).allowed for r in resources)


@dataclass
class ServiceRole:
    """A role's identity policies (inline and attached, by name) and its boundary."""

    arn: str
    documents: list[tuple[str, Document]]
    boundary: Document | None

    def allows(self, action: str, *resources: str) -> bool:
        """Whether the role may ``action`` on one of ``resources`` (names of one thing)."""
        return policies_allow(self.documents, action, list(resources), self.boundary)


def load_service_role(iam: Any, arn: str) -> ServiceRole:
    """The deployment group's service role; refused unless it trusts CodeDeploy."""
    try:
        grants = documents_of_role(iam, arn)
        trust = trust_of_role(iam, arn)
    except ClientError as exc:
        raise DeploymentRefused(
            "InvalidRoleException", f"the service role {arn} does not exist"
        ) from exc
    if not any(
        p.principal_type == "Service" and p.value == CODEDEPLOY
        for p in trusted_principals(trust, "sts:AssumeRole")
    ):
        raise DeploymentRefused(
            "InvalidRoleException",
            f"AWS CodeDeploy does not have the permissions required to assume the role {arn}: "
            "its trust policy must allow codedeploy.amazonaws.com",
        )
    return ServiceRole(grants.principal_arn, grants.documents, grants.boundary)


# --- the drill ----------------------------------------------------------------------

HOOKS = ("BeforeAllowTraffic", "AfterAllowTraffic")
TRIGGER_STATUS = {
    "DeploymentStart": "CREATED",
    "DeploymentSuccess": "SUCCEEDED",
    "DeploymentFailure": "FAILED",
    "DeploymentStop": "STOPPED",
    "DeploymentRollback": "ROLLBACK",
}


class _Halt(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class LambdaCanaryDrill:
    """CodeDeploy for one Lambda deployment group, on the emulator.

    ``client`` is a boto3 client factory (``client("lambda")``) with admin rights;
    ``stack`` (a StackState) supplies what the emulator may not store: the group's
    alarm configuration and custom deployment configs.
    """

    def __init__(
        self,
        client: Callable[..., Any],
        application: str,
        group: str,
        stack: Any = None,
        region: str = "us-east-1",
    ) -> None:
        self.client, self.application, self.group_name = client, application, group
        self.stack, self.region = stack, region
        self.function = self.alias_name = ""

    # -- reading the deployment group ------------------------------------------------

    def _state_inputs(self, type_token: str, **match: str) -> dict[str, Any] | None:
        if self.stack is None:
            return None
        for res in self.stack.resources:
            if res.type == type_token and all(res.inputs.get(k) == v for k, v in match.items()):
                return res.inputs
        return None

    def group(self) -> dict[str, Any]:
        cd = self.client("codedeploy")
        try:
            app = cd.get_application(applicationName=self.application)["application"]
            info = cd.get_deployment_group(
                applicationName=self.application, deploymentGroupName=self.group_name
            )["deploymentGroupInfo"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise DeploymentRefused(code, str(exc)) from exc
        info["computePlatform"] = app.get("computePlatform")
        return info

    def alarm_configuration(self, info: dict[str, Any], deployment: Deployment) -> dict:
        conf = info.get("alarmConfiguration") or {}
        if conf:
            return conf
        state = self._state_inputs(
            "aws:codedeploy/deploymentGroup:DeploymentGroup",
            appName=self.application,
            deploymentGroupName=self.group_name,
        )
        state_conf = (state or {}).get("alarmConfiguration") or {}
        if state_conf:
            deployment.notes.append(
                "the emulator answered no alarm configuration: taken from the deployed state"
            )
            return {
                "enabled": bool(state_conf.get("enabled")),
                "ignorePollAlarmFailure": bool(state_conf.get("ignorePollAlarmFailure")),
                "alarms": [{"name": n} for n in state_conf.get("alarms") or []],
            }
        return {}

    def routing(self, name: str, notes: list[str] | None = None) -> TrafficRouting:
        if name in LAMBDA_CONFIGS:
            return LAMBDA_CONFIGS[name]
        if name.startswith("CodeDeployDefault."):
            raise DeploymentRefused(
                "InvalidDeploymentConfigNameException",
                f"{name} is not a deployment configuration for the Lambda compute platform",
            )
        try:
            info = self.client("codedeploy").get_deployment_config(deploymentConfigName=name)[
                "deploymentConfigInfo"
            ]
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status not in (500, 501):
                raise DeploymentRefused(
                    "DeploymentConfigDoesNotExistException", f"{name}: {exc}"
                ) from exc
            info = self._config_from_state(name)
            if notes is not None:
                notes.append(f"the emulator cannot read {name}: taken from the deployed state")
        if info.get("computePlatform") != "Lambda" or not info.get("trafficRoutingConfig"):
            raise DeploymentRefused(
                "InvalidDeploymentConfigNameException",
                f"{name} is not a deployment configuration for the Lambda compute platform",
            )
        return TrafficRouting.from_api(info["trafficRoutingConfig"])

    def _config_from_state(self, name: str) -> dict[str, Any]:
        from harness.adapters.codedeploy import DeploymentConfig

        inputs = self._state_inputs(
            "aws:codedeploy/deploymentConfig:DeploymentConfig", deploymentConfigName=name
        )
        if inputs is None:
            raise DeploymentRefused(
                "DeploymentConfigDoesNotExistException", f"no deployment config named {name}"
            )
        return {
            "computePlatform": inputs.get("computePlatform") or "Server",
            "trafficRoutingConfig": DeploymentConfig.traffic_routing(inputs)
            if inputs.get("trafficRoutingConfig")
            else None,
        }

    def alias(self) -> dict[str, Any]:
        return self.client("lambda").get_alias(FunctionName=self.function, Name=self.alias_name)

    # -- the deployment ----------------------------------------------------------------

    def deploy(
        self,
        function: str,
        alias: str,
        target_version: str,
        canary: Behaviour = HEALTHY,
        baseline: Behaviour = HEALTHY,
        requests_per_minute: int = 1000,
        during_bake: Callable[[Bake], None] | None = None,
        fail_hook: str | None = None,
    ) -> Deployment:
        """Shift ``alias`` of ``function`` to ``target_version`` as the group says.

        ``canary`` is how the target version behaves, ``baseline`` the current one.
        Raises DeploymentRefused where CodeDeploy would not start the deployment.
        """
        if fail_hook not in (None, *HOOKS):
            raise ValueError(f"fail_hook must be one of {HOOKS}")
        self.function, self.alias_name = function, alias
        info = self.group()
        lam = self.client("lambda")
        if info.get("computePlatform") != "Lambda":
            raise DeploymentRefused(
                "InvalidComputePlatformException",
                f"application {self.application} is for {info.get('computePlatform')}, not Lambda",
            )
        style = info.get("deploymentStyle") or {}
        if style and (
            style.get("deploymentType") != "BLUE_GREEN"
            or style.get("deploymentOption") != "WITH_TRAFFIC_CONTROL"
        ):
            raise DeploymentRefused(
                "InvalidDeploymentStyleException",
                "a Lambda deployment group must be BLUE_GREEN with WITH_TRAFFIC_CONTROL",
            )
        notes: list[str] = []
        config = info.get("deploymentConfigName") or "CodeDeployDefault.LambdaAllAtOnce"
        routing = self.routing(config, notes)
        try:
            current = self.alias()
        except ClientError as exc:
            raise DeploymentRefused("ResourceNotFoundException", str(exc)) from exc
        current_version = str(current["FunctionVersion"])
        if current_version == "$LATEST":
            raise DeploymentRefused(
                "InvalidParameterValueException",
                f"alias {alias} points at $LATEST: CodeDeploy shifts traffic between "
                "published versions, and Lambda cannot weight an alias on $LATEST",
            )
        if (current.get("RoutingConfig") or {}).get("AdditionalVersionWeights"):
            raise DeploymentRefused(
                "DeploymentAlreadyStartedException",
                f"alias {alias} is already weighted "
                f"({current['RoutingConfig']['AdditionalVersionWeights']}): "
                "another deployment is shifting its traffic",
            )
        target_version = str(target_version)
        if target_version == "$LATEST" or not target_version.isdigit():
            raise DeploymentRefused(
                "InvalidParameterValueException",
                f"target version {target_version!r} is not a published version",
            )
        if target_version == current_version:
            raise DeploymentRefused(
                "InvalidParameterValueException",
                f"the target version {target_version} is the alias's current version: "
                "there is nothing to shift",
            )
        try:
            lam.get_function(FunctionName=function, Qualifier=target_version)
        except ClientError as exc:
            raise DeploymentRefused(
                "ResourceNotFoundException", f"version {target_version} of {function}: {exc}"
            ) from exc
        role = load_service_role(self.client("iam"), info["serviceRoleArn"])

        deployment = Deployment(
            id="d-" + uuid.uuid4().hex[:9].upper(),
            application=self.application,
            group=self.group_name,
            config=config,
            routing=routing,
            current_version=current_version,
            target_version=target_version,
            notes=notes,
        )
        alarms = self.alarm_configuration(info, deployment)
        run = _Run(self, deployment, info, alarms, role, function, alias, canary, baseline)
        run.execute(requests_per_minute, during_bake, fail_hook)
        return deployment


class _Run:
    """One deployment's mutable progress (the drill object itself stays reusable)."""

    def __init__(
        self,
        drill: LambdaCanaryDrill,
        deployment: Deployment,
        info: dict[str, Any],
        alarms: dict[str, Any],
        role: ServiceRole,
        function: str,
        alias: str,
        canary: Behaviour,
        baseline: Behaviour,
    ) -> None:
        self.drill, self.d, self.info, self.role = drill, deployment, info, role
        self.alarm_names = (
            [a["name"] for a in alarms.get("alarms") or []] if alarms.get("enabled") else []
        )
        self.ignore_poll_failure = bool(alarms.get("ignorePollAlarmFailure"))
        self.function, self.alias_name = function, alias
        self.canary, self.baseline = canary, baseline
        self.clock = 0
        self.served: Counter[str] = Counter()  # requests each version served so far
        lam = drill.client("lambda")
        fn_arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
        self.function_arn = fn_arn.rsplit(":", 1)[0] if fn_arn.count(":") > 6 else fn_arn
        self.alias_arn = f"{self.function_arn}:{alias}"
        # CloudWatch's side: metric data in, alarms decided by their definitions.
        self.alarms = AlarmDrill(self._client, regions=[drill.region], account=self._account())

    def _client(self, service: str, region: str | None = None) -> Any:
        """The drill's client factory, which may not take a region (the drill's is used)."""
        if region in (None, self.drill.region):
            return self.drill.client(service)
        return self.drill.client(service, region)

    # -- calls CodeDeploy makes as its role --------------------------------------------

    def _shift(self, weight: float) -> dict[str, float]:
        if not self.role.allows("lambda:UpdateAlias", self.function_arn, self.alias_arn):
            raise _Halt(
                "Failed",
                "IAM_ROLE_PERMISSIONS",
                f"the service role {self.role.arn} may not lambda:UpdateAlias on {self.alias_arn}",
            )
        current, target = self.d.current_version, self.d.target_version
        lam = self.drill.client("lambda")
        if weight >= 1.0:
            lam.update_alias(
                FunctionName=self.function,
                Name=self.alias_name,
                FunctionVersion=target,
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
            return {target: 1.0}
        if weight <= 0.0:
            lam.update_alias(
                FunctionName=self.function,
                Name=self.alias_name,
                FunctionVersion=current,
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
            return {current: 1.0}
        lam.update_alias(
            FunctionName=self.function,
            Name=self.alias_name,
            FunctionVersion=current,
            RoutingConfig={"AdditionalVersionWeights": {target: round(weight, 6)}},
        )
        return {current: round(1.0 - weight, 6), target: round(weight, 6)}

    def _poll_alarms(self) -> None:
        if not self.alarm_names:
            return
        arns = [
            f"arn:aws:cloudwatch:{self.drill.region}:{self._account()}:alarm:{n}"
            for n in self.alarm_names
        ]
        unreadable = [a for a in arns if not self.role.allows("cloudwatch:DescribeAlarms", a)]
        if unreadable:
            self._poll_failure(f"the service role may not cloudwatch:DescribeAlarms {unreadable}")
            return
        found = self.drill.client("cloudwatch").describe_alarms(AlarmNames=self.alarm_names)
        states = {a["AlarmName"]: a["StateValue"] for a in found["MetricAlarms"]}
        states.update({a["AlarmName"]: a["StateValue"] for a in found.get("CompositeAlarms", [])})
        self.d.alarms_polled = list(self.alarm_names)
        missing = [n for n in self.alarm_names if n not in states]
        if missing:
            self._poll_failure(f"alarms not found: {missing}")
        active = [n for n in self.alarm_names if states.get(n) == "ALARM"]
        if active:
            raise _Halt(
                "Stopped",
                "ALARM_ACTIVE",
                "One or more alarms have been activated according to the Amazon CloudWatch "
                f"metrics you selected, and the affected deployments have been stopped. "
                f"Activated alarms: <{', '.join(active)}>",
            )

    def _poll_failure(self, why: str) -> None:
        if self.ignore_poll_failure:
            self.d.notes.append(f"alarm poll failed and was ignored: {why}")
            return
        raise _Halt("Failed", "ALARM_CONFIG", f"the alarm configuration is invalid: {why}")

    def _account(self) -> str:
        return self.function_arn.split(":")[4]

    def _notify(self, event: str) -> None:
        self.d.events.append(event)
        for trigger in self.info.get("triggerConfigurations") or []:
            if event not in (trigger.get("triggerEvents") or []):
                continue
            topic = trigger["triggerTargetArn"]
            status = TRIGGER_STATUS[event]
            message = {
                "region": self.drill.region,
                "accountId": self._account(),
                "eventTriggerName": trigger.get("triggerName"),
                "applicationName": self.d.application,
                "deploymentId": self.d.id,
                "deploymentGroupName": self.d.group,
                "deploymentConfigName": self.d.config,
                "createTime": datetime.now(UTC).isoformat(),
                "status": status,
                "errorInformation": json.dumps(
                    {"ErrorCode": self.d.error_code, "ErrorMessage": self.d.error_message}
                )
                if self.d.error_code
                else None,
            }
            record = {"topic": topic, "event": event, "message": message}
            if not self.role.allows("sns:Publish", topic):
                self.d.undelivered.append(record)
                continue
            subject = f"{status}: AWS CodeDeploy {self.d.id} in {self.drill.region} to "
            self.drill.client("sns").publish(
                TopicArn=topic,
                Subject=(subject + self.d.application)[:100],
                Message=json.dumps(message),
            )
            self.d.notifications.append(record)

    # -- traffic and the alarm model -----------------------------------------------------

    def _serve_minute(self, weights: dict[str, float], rpm: int) -> None:
        """One minute of traffic through the alias, published as Lambda publishes it,
        then every alarm of the region evaluated from its definition (``AlarmDrill``)."""
        self.clock += 1
        target = self.d.target_version
        fn = self.function
        resource = f"{fn}:{self.alias_name}"
        served = 0
        versions = sorted(weights, key=lambda v: v != target)  # target first, rest after
        per_dims: dict[tuple[str, frozenset], Counter[float]] = {}
        for i, version in enumerate(versions):
            share = weights[version]
            n = rpm - served if i == len(versions) - 1 else round(rpm * share)
            served += n
            behaviour = self.canary if version == target else self.baseline
            samples = behaviour.minute(n, self.served[version])
            self.served[version] += n
            dims_sets = [
                frozenset(),
                frozenset({("FunctionName", fn)}),
                frozenset({("FunctionName", fn), ("Resource", resource)}),
                frozenset(
                    {("FunctionName", fn), ("Resource", resource), ("ExecutedVersion", version)}
                ),
            ]
            for metric, counter in samples.items():
                for dims in dims_sets:
                    per_dims.setdefault((metric, dims), Counter()).update(counter)
                    series = self.d.datapoints.setdefault((metric, dims), {})
                    series.setdefault(self.clock, Counter()).update(counter)

        def publish(cw: AlarmDrill) -> None:
            for (metric, dims), counter in per_dims.items():
                values = sorted(counter)
                cw.put(
                    "AWS/Lambda",
                    metric,
                    values=values,
                    counts=[counter[v] for v in values],
                    dimensions=dict(dims),
                    unit=UNITS[metric],
                )

        for event in self.alarms.advance(1, each_minute=publish):
            if event.kind == "transition":
                self.d.alarm_transitions.append((self.clock, event.alarm, event.new_state))
        for key, why in self.alarms.not_evaluable.items():
            note = f"not evaluable: {why}"
            if key[1] in self.alarm_names and note not in self.d.notes:
                self.d.notes.append(note)
                self.d.not_evaluable[key[1]] = str(why)

    # -- the run ---------------------------------------------------------------------------

    def _observe(self, what: str, weights: dict[str, float], detail: str = "") -> None:
        self.d.observations.append(Observation(self.clock, what, dict(weights), detail))

    def execute(
        self,
        rpm: int,
        during_bake: Callable[[Bake], None] | None,
        fail_hook: str | None,
    ) -> None:
        d = self.d
        d.status = "InProgress"
        self._notify("DeploymentStart")
        weights = {d.current_version: 1.0}
        try:
            self._poll_alarms()
            if fail_hook == "BeforeAllowTraffic":
                raise _Halt("Failed", "HOOK_EXECUTION_FAILURE", "BeforeAllowTraffic failed")
            for index, step in enumerate(d.routing.steps()):
                weights = self._shift(step.weight)
                self._observe("shift", weights)
                if during_bake is not None and step.bake_minutes:
                    bake = Bake(self.drill, d, index, step.weight, self.clock, step.bake_minutes)
                    during_bake(bake)
                    if bake.failed:
                        raise _Halt("Failed", "HOOK_EXECUTION_FAILURE", bake.failed)
                self._poll_alarms()
                for _ in range(step.bake_minutes):
                    self._serve_minute(weights, rpm)
                    self._observe("bake", weights)
                    self._poll_alarms()
            if fail_hook == "AfterAllowTraffic":
                raise _Halt("Failed", "HOOK_EXECUTION_FAILURE", "AfterAllowTraffic failed")
        except _Halt as halt:
            self._halt(halt, weights)
        else:
            d.status = "Succeeded"
            self._notify("DeploymentSuccess")
        d.minutes = self.clock

    def _halt(self, halt: _Halt, weights: dict[str, float]) -> None:
        d = self.d
        d.status, d.error_code, d.error_message = halt.status, halt.code, halt.message
        self._observe("halt", weights, f"{halt.code}: {halt.message}")
        self._notify("DeploymentStop" if halt.status == "Stopped" else "DeploymentFailure")
        auto = self.info.get("autoRollbackConfiguration") or {}
        wanted = "DEPLOYMENT_STOP_ON_ALARM" if halt.code == "ALARM_ACTIVE" else "DEPLOYMENT_FAILURE"
        if not (auto.get("enabled") and wanted in (auto.get("events") or [])):
            d.notes.append(f"no automatic rollback on {wanted}: the alias is left as it was")
            return
        try:
            weights = self._shift(0.0)
        except _Halt as failed:
            d.notes.append(f"the rollback failed too: {failed.message}")
            return
        d.rolled_back = True
        self._observe("rollback", weights)
        self._notify("DeploymentRollback")
