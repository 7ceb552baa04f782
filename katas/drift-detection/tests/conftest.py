"""Fixtures shared by the drift-detection checks.

The checks find the baseline by resource type in the deployed stack (any logical
names will do), make out-of-band changes with ``harness.drills.out_of_band`` as a
console user would, read the stack back with the run's engine, and hand the refresh
report to the candidate's ``drift.py`` (in its own process).

Every drill scenario runs once per session (``observed``): apply the drills, refresh,
undo them; the candidate classifies all the reports in one call afterwards. The
detection (R6), classification (R7) and guard (R9) checks judge those observations,
so each out-of-band change is made once. The last scenario makes them all at once and
is not undone but remediated: the program is applied again with a refresh, which the
R8 checks judge (``remediated``); the stack is the program's again for the converge and
teardown stages.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.drift_report import drift_report
from harness.drills.notifications import Inbox
from harness.drills.out_of_band import OutOfBand, OutOfBandChange
from harness.engines.state import ResourceState, StackState
from harness.iam import parse_document

BUCKET = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
VERSIONING = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
PUBLIC_ACCESS = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
BUCKET_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
GROUP = ("aws:ec2/securityGroup:SecurityGroup",)
ROLE = ("aws:iam/role:Role",)
ROLE_POLICY = ("aws:iam/rolePolicy:RolePolicy",)
EXCLUSIVE = ("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",)
PARAMETER = ("aws:ssm/parameter:Parameter",)
TAGGABLE = (
    *BUCKET,
    *GROUP,
    *ROLE,
    *PARAMETER,
    "aws:sns/topic:Topic",
    "aws:cloudwatch/eventRule:EventRule",
)
REQUIRED_TAGS = {"owner": "team-orders", "service": "orders", "cost-center": "cc-4417"}
SERVICE_ROLE_SESSION = "orders-service"

# R3, the service role's allow-list, written once from the SPEC: "Its policies allow
# exactly ssm:GetParameter (and ssm:GetParameters) on
# arn:aws:ssm:<region>:<account>:parameter/<service>/*, ssm:PutParameter on the checkpoint
# parameter's ARN only, and s3:GetObject / s3:PutObject on the data bucket's objects."
# Every grant outside it, however spelled, is a violation; a narrower grant is not.
SERVICE_ROLE_MAY = (
    (
        ("ssm:GetParameter", "ssm:GetParameters"),
        "arn:aws:ssm:{region}:{account}:parameter/{service}/*",
    ),
    (("ssm:PutParameter",), "arn:aws:ssm:{region}:{account}:parameter/{service}/checkpoint"),
    (("s3:GetObject", "s3:PutObject"), "arn:aws:s3:::{bucket}/*"),
)
# The same sentence read as a minimum: "may only read its configuration and objects, write
# objects and advance its checkpoint" — what the service does, so its role must allow it.
SERVICE_ROLE_NEEDS = (
    ("ssm:GetParameter", "arn:aws:ssm:{region}:{account}:parameter/{service}/log-level"),
    ("ssm:GetParameter", "arn:aws:ssm:{region}:{account}:parameter/{service}/payments-url"),
    ("ssm:PutParameter", "arn:aws:ssm:{region}:{account}:parameter/{service}/checkpoint"),
    ("s3:GetObject", "arn:aws:s3:::{bucket}/orders/2026/11/30.json"),
    ("s3:PutObject", "arn:aws:s3:::{bucket}/orders/2026/11/30.json"),
)
# R3: "Trust: ecs-tasks.amazonaws.com only."
SERVICE_ROLE_TRUSTS = frozenset({("Service", "ecs-tasks.amazonaws.com")})
# R9: "The topic's policy must allow events.amazonaws.com to sns:Publish to it."
PUBLISHER = "events.amazonaws.com"

SECURITY, HOUSEKEEPING, IGNORED = "security", "housekeeping", "ignored"
PAGE, TICKET, NOTHING = "remediate-and-page", "ticket", "none"
HOUSEKEEPING_PROPERTIES = frozenset({"tags", "tagsAll", "description", "tier"})


def expected_verdict(entry: dict[str, Any]) -> tuple[str, str]:
    """SPEC.md's severity policy, applied to one report entry."""
    if entry.get("ignored"):
        return IGNORED, NOTHING
    if entry["kind"] == "changed" and entry["property"] in HOUSEKEEPING_PROPERTIES:
        return HOUSEKEEPING, TICKET
    return SECURITY, PAGE


# -- the baseline, found by type ----------------------------------------------------------


@dataclass
class Baseline:
    stack: StackState
    config: dict[str, str]
    bucket: ResourceState | None = None
    group: ResourceState | None = None
    role: ResourceState | None = None

    def of(self, types: tuple[str, ...], **inputs: Any) -> list[ResourceState]:
        found = [r for r in self.stack.resources if r.type in types and r.custom]
        for key, value in inputs.items():
            found = [r for r in found if r.inputs.get(key) == value]
        return found

    def one(self, what: str, types: tuple[str, ...], **inputs: Any) -> ResourceState | None:
        found = self.of(types, **inputs)
        if len(found) > 1:
            pytest.fail(f"the SPEC asks for one {what}; the stack has {len(found)}")
        return found[0] if found else None

    def need(self, what: str, resource: ResourceState | None) -> ResourceState:
        if resource is None:
            pytest.fail(f"the stack has no {what}")
        return resource

    @property
    def prefix(self) -> str:
        return f"/{self.config['service']}"

    def parameter(self, short: str) -> ResourceState | None:
        name = f"{self.prefix}/{short}"
        return next((p for p in self.of(PARAMETER) if p.id == name), None)

    def label(self, types: tuple[str, ...], what: str, **inputs: Any) -> str:
        """The logical name the report must use for the resource, or a description of it."""
        found = self.of(types, **inputs)
        return found[0].name if found else f"<{what}: not in the stack>"


@pytest.fixture(scope="session")
def spec() -> Any:
    """The SPEC's tables above, for the test modules (they share fixtures, not imports)."""

    class Spec:
        required_tags = REQUIRED_TAGS
        taggable = TAGGABLE
        role_may = SERVICE_ROLE_MAY
        role_needs = SERVICE_ROLE_NEEDS
        role_trusts = SERVICE_ROLE_TRUSTS
        publisher = PUBLISHER

    return Spec


@pytest.fixture(scope="session")
def account(stack: StackState) -> str:
    """The emulator's account, read from the ARNs the deploy returned."""
    arns = [str(r.outputs.get("arn", "")) for r in stack.resources]
    return next((a.split(":")[4] for a in arns if a.count(":") >= 5 and a.split(":")[4]), "")


@pytest.fixture(scope="session")
def kata_config(region: str) -> dict[str, str]:
    return {"service": "orders", "internalCidr": "10.20.0.0/16", "region": region}


@pytest.fixture(scope="session")
def baseline(stack: StackState, kata_config: dict[str, str]) -> Baseline:
    b = Baseline(stack=stack, config=kata_config)
    b.bucket = b.one("bucket", BUCKET)
    b.group = b.one("security group", GROUP)
    b.role = b.one("role", ROLE)
    return b


@pytest.fixture(scope="session")
def drills(aws: Callable[..., Any], account: str, region: str, emulator: Any) -> OutOfBand:
    # Emulators other than moto deliver EventBridge targets after PutEvents answers.
    settle = 0.0 if emulator.kind == "moto" else 3.0
    return OutOfBand(aws, region=region, account=account or "123456789012", settle_s=settle)


# -- refresh, report, classify --------------------------------------------------------------


@pytest.fixture(scope="session")
def refresh_report(engine: Any, stack: StackState) -> Callable[[], dict[str, Any]]:
    def report() -> dict[str, Any]:
        return drift_report(engine.refresh(include_ignored=True), stack.project, stack.stack)

    return report


@pytest.fixture(scope="session")
def fresh_report(refresh_report: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The report right after deploy, before any check touched the stack."""
    return refresh_report()


@dataclass
class Remediation:
    before: dict[str, Any]  # the report with every drill in place
    after: dict[str, Any]  # the report after redeploy
    error: str = ""


@dataclass
class Scenario:
    """Out-of-band changes made together, and what refresh must then report."""

    name: str
    make: Callable[[], list[OutOfBandChange]]
    # (resource label, property, kind, ignored) the report must hold, exactly
    expected: set[tuple[str, str, str, bool]]
    changes: list[OutOfBandChange] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    decisions: Any = None  # what drift.py returned, or the error it raised
    error: str = ""
    remediation: Remediation | None = None  # all-at-once only: what the redeploy did

    def found(self) -> set[tuple[str, str, str, bool]]:
        return {(e["name"], e["property"], e["kind"], e["ignored"]) for e in self.report["drift"]}


def _scenarios(b: Baseline, drills: OutOfBand) -> dict[str, Scenario]:
    bucket = b.need("bucket", b.bucket)
    group = b.need("security group", b.group)
    role = b.need("role", b.role)
    log_level = b.need(f"parameter {b.prefix}/log-level", b.parameter("log-level"))
    checkpoint = b.need(f"parameter {b.prefix}/checkpoint", b.parameter("checkpoint"))
    service_role = role.outputs.get("arn")
    on_bucket = {"bucket": bucket.id}

    def label(types: tuple[str, ...], what: str, **inputs: Any) -> str:
        return b.label(types, what, **inputs)

    versioning = label(VERSIONING, "bucket versioning", **on_bucket)
    encryption = label(ENCRYPTION, "bucket encryption configuration", **on_bucket)
    public_access = label(PUBLIC_ACCESS, "public access block", **on_bucket)
    policy = label(BUCKET_POLICY, "bucket policy", **on_bucket)
    exclusive = label(EXCLUSIVE, "exclusive inline policies of the role", roleName=role.id)

    singles = {
        "open-security-group": (
            lambda: [drills.open_security_group(group, port=22)],
            {(group.name, "ingress", "changed", False)},
        ),
        "suspend-versioning": (
            lambda: [drills.suspend_versioning(bucket)],
            {(versioning, "versioningConfiguration", "changed", False)},
        ),
        "delete-encryption": (
            lambda: [drills.delete_bucket_encryption(bucket)],
            {(encryption, "", "deleted", False)},
        ),
        "make-bucket-public": (
            lambda: [
                drills.delete_public_access_block(bucket),
                drills.put_public_bucket_policy(bucket),
            ],
            {(public_access, "", "deleted", False), (policy, "policy", "changed", False)},
        ),
        "extra-inline-policy": (
            lambda: [drills.put_inline_role_policy(role)],
            {(exclusive, "policyNames", "changed", False)},
        ),
        "change-tag": (
            lambda: [drills.change_tag(group, "owner", "someone-else")],
            {(group.name, "tags", "changed", False)},
        ),
        "delete-tag": (
            lambda: [drills.delete_tag(role, "cost-center")],
            {(role.name, "tags", "changed", False)},
        ),
        "delete-parameter": (
            lambda: [drills.delete_parameter(log_level)],
            {(log_level.name, "", "deleted", False)},
        ),
        "service-advances-checkpoint": (
            lambda: [drills.service_writes_parameter(checkpoint, "81723", service_role)],
            {(checkpoint.name, "value", "changed", True)},
        ),
    }
    scenarios = {name: Scenario(name, make, expected) for name, (make, expected) in singles.items()}

    def everything() -> list[OutOfBandChange]:
        return [c for s in singles.values() for c in s[0]()]

    scenarios["all-at-once"] = Scenario(
        "all-at-once", everything, set().union(*(s[1] for s in singles.values()))
    )
    return scenarios


def _undo(changes: list[OutOfBandChange]) -> None:
    for change in reversed(changes):
        with contextlib.suppress(ClientError):
            change.undo()


@pytest.fixture(scope="session")
def observed(
    baseline: Baseline,
    drills: OutOfBand,
    refresh_report: Callable[[], dict[str, Any]],
    fresh_report: dict[str, Any],
    candidate: Any,
    redeploy: Callable[..., Any],
) -> dict[str, Scenario]:
    scenarios = _scenarios(baseline, drills)
    for scenario in scenarios.values():
        if scenario.name == "all-at-once":
            continue
        changes: list[OutOfBandChange] = []
        try:
            changes = scenario.make()
            scenario.changes = changes
            scenario.report = refresh_report()
        finally:
            _undo(changes)
    # Every drill at once: observed like the others, then remediated (R8) instead of undone.
    everything = scenarios["all-at-once"]
    everything.changes = everything.make()
    everything.report = refresh_report()
    try:
        redeploy()  # pulumi up --refresh
        everything.remediation = Remediation(everything.report, refresh_report())
    except Exception as exc:
        _undo(everything.changes)
        everything.remediation = Remediation(
            everything.report, refresh_report(), error=f"redeploy failed: {exc}"
        )
    order = list(scenarios.values())
    fresh = Scenario("fresh", lambda: [], set(), report=fresh_report)
    try:
        results = candidate.call_each(
            "drift", "classify", [fresh.report] + [s.report for s in order]
        )
    except Exception as exc:  # the candidate's error fails every classification check
        results = []
        for scenario in [fresh, *order]:
            scenario.error = str(exc)
    for scenario, decisions in zip([fresh, *order], results, strict=False):
        scenario.decisions = decisions
    return {"fresh": fresh, **scenarios}


def decision_problems(scenario: Scenario) -> list[str]:
    """Everything wrong with drift.py's answer to one report, per the SPEC."""
    if scenario.error:
        return [f"drift.classify failed: {scenario.error}"]
    decisions, entries = scenario.decisions, scenario.report["drift"]
    if not isinstance(decisions, list) or not all(isinstance(d, dict) for d in decisions):
        return [f"classify must return a list of decisions (dicts), got {decisions!r:.200}"]
    problems = []
    if len(decisions) != len(entries):
        problems.append(
            f"{len(entries)} drift entries but {len(decisions)} decisions: one decision per entry"
        )
    by_key = {(d.get("name"), d.get("property"), d.get("kind")): d for d in decisions}
    for entry in entries:
        key = (entry["name"], entry["property"], entry["kind"])
        what = f"{entry['name']}.{entry['property'] or '(resource)'} {entry['kind']}"
        decision = by_key.get(key)
        if decision is None:
            problems.append(f"no decision for {what}")
            continue
        want = expected_verdict(entry)
        got = (decision.get("severity"), decision.get("action"))
        if got != want:
            problems.append(f"{what}: decided {got}, the severity policy says {want}")
    stray = set(by_key) - {(e["name"], e["property"], e["kind"]) for e in entries}
    if stray:
        problems.append(f"decisions for drift the report does not hold: {sorted(stray)}")
    return problems


# -- guards ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def inbox(aws: Callable[..., Any], stack: StackState) -> Iterator[Inbox]:
    topic = stack.outputs.get("alertTopicArn")
    if not topic:
        pytest.fail("the stack exports no alertTopicArn: the checks cannot read the pages")
    with Inbox.subscribe(aws, topic) as inbox:
        yield inbox


@pytest.fixture(scope="session")
def quiet_changes(baseline: Baseline, drills: OutOfBand, observed: dict[str, Scenario]) -> list:
    """Changes that must not page: tag edits on each taggable type, the service's write."""
    changes = list(observed["change-tag"].changes) + list(observed["delete-tag"].changes)
    changes += observed["service-advances-checkpoint"].changes
    for resource in (baseline.bucket, baseline.parameter("log-level")):
        if resource is not None:
            change = drills.change_tag(resource, "owner", "someone-else")
            change.undo()
            changes.append(change)
    return changes


# -- remediation ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def remediated(observed: dict[str, Scenario]) -> Remediation:
    """Every drill at once, then the program applied again with a refresh (``up --refresh``)."""
    remediation = observed["all-at-once"].remediation
    assert remediation is not None
    return remediation


@pytest.fixture(scope="session")
def judge() -> Any:
    """The severity policy and the decision checks, for the test modules."""

    class Judge:
        verdict = staticmethod(expected_verdict)
        problems = staticmethod(decision_problems)

        @staticmethod
        def found(scenario: Scenario) -> set[tuple[str, str, str, bool]]:
            return scenario.found()

    return Judge


@pytest.fixture(scope="session")
def live_bucket_policy(aws: Callable[..., Any]) -> Callable[[str], dict[str, Any] | None]:
    def read(bucket: str) -> dict[str, Any] | None:
        try:
            return json.loads(aws("s3").get_bucket_policy(Bucket=bucket)["Policy"])
        except ClientError:
            return None

    return read


def public_grants(policy: dict[str, Any] | None) -> list[str]:
    """Allow statements of a resource policy that name every principal ("*" in any form).

    ``"*"``, ``{"AWS": "*"}`` and ``{"AWS": ["*"]}`` mean the same; a NotPrincipal
    allow grants to everyone but the ones it lists. Conditions do not make a statement
    private (R1: "no statement that allows anything to "*"").
    """
    found = []
    for statement in parse_document(policy).allow_statements:
        to_all = "*" in (statement.principals or {}).get("AWS", ())
        if to_all or statement.not_principals is not None:
            label = f"statement {statement.sid}" if statement.sid else "a statement"
            actions = sorted(statement.actions or statement.not_actions or ())
            found.append(f"{label} allows {', '.join(actions)} to everyone")
    return found


@pytest.fixture(scope="session")
def bucket_policy_semantics() -> Any:
    """What a bucket policy means, for the R1 and R8 checks."""

    class Semantics:
        public = staticmethod(public_grants)

    return Semantics
