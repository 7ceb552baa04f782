"""Fixtures shared by the cost-guardrails checks.

Everything is read back from the emulator, never from the program's outputs: the stack's
state only says *which* resources the program created (by type), the emulator says what
they are. The SPEC's numbers are written once below (the load profile, the budget, the
tags), and the drills of ``harness.drills.cost`` model what AWS would do with the
deployed definitions:

- the **scaling drill** replays the SPEC's weeks against the Auto Scaling group (sizes,
  target tracking, recurring schedules) and says how many instances run each hour;
- the **lifecycle drill** ages the SPEC's objects against the media bucket's rules;
- the **cost model** turns both, the log retention and the table's billing into the
  month's itemized bill, written to ``cost-report.md`` next to the run's results.

What a drill cannot model (a rule by Date, an instance type without a price) makes the
checks that need it *not evaluable*, never a pass.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from harness.drills.cost import lifecycle as lifecycle_drill
from harness.drills.cost import scaling as scaling_drill
from harness.drills.cost.lifecycle import Lifecycle, deployed_newer_noncurrent, read_lifecycle
from harness.drills.cost.model import (
    Bill,
    Capacity,
    LoadProfile,
    NotPriced,
    Prices,
    TableBilling,
    compute_items,
    logs_items,
    storage_items,
    table_items,
)
from harness.drills.cost.scaling import Fleet, Hour, read_fleet, replay, steady_weeks
from harness.emulator import TEST_CREDENTIALS
from harness.pytest_plugin import ENV_STATE, not_evaluable

KATA_DIR = Path(__file__).resolve().parents[1]
PRICES = Prices.load(KATA_DIR / "prices.yaml")

# The SPEC's numbers.
BUDGET_USD = 4000.0
BUCKET = "acme-media-uploads"
TAGS = {"Team": "media", "CostCenter": "CC-4127", "Service": "transcoder"}
ALLOWED_FAMILIES = ("c6g", "c7g", "c7i")
JOBS_PER_VCPU_HOUR = 30.0
PROFILE = LoadProfile(
    jobs_per_hour=(40,) * 6 + (120, 300) + (600,) * 4 + (720,) * 5 + (480,) * 3 + (120,) * 4,
    jobs_per_vcpu_hour=JOBS_PER_VCPU_HOUR,
    upload_gb_per_day=500,
    upload_key="uploads/2026/01/clip-0001.mov",
    upload_bytes=512 * 1024 * 1024,
    noncurrent_gb_per_day=50,
    noncurrent_key="renditions/clip-0001/1080p.mp4",
    abandoned_multipart_gb_per_day=20,
    multipart_key="uploads/2026/01/clip-0002.mov",
    days_of_operation=395,
    log_gb_per_day=20,
    writes_per_job=3,
    reads_per_job=10,
    item_kb=2,
    item_useful_days=30,
)
# "Any object": a key of every prefix the profile writes, and one it does not.
ANY_KEYS = (PROFILE.upload_key, PROFILE.noncurrent_key, "exports/2026/01/report.csv")

GROUP = "aws:autoscaling/group:Group"
BUDGET = "aws:budgets/budget:Budget"
TOPIC = "aws:sns/topic:Topic"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LIFECYCLES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
TABLE = "aws:dynamodb/table:Table"


def ids_of(stack: Any, *types: str) -> list[str]:
    return [r.id for r in stack.resources if r.type in types and r.id]


@dataclass
class Workers:
    """The stack's Auto Scaling group, as deployed, and its replayed weeks (``hours``:
    the first week, then one week of each further UTC offset of its schedules)."""

    name: str | None = None
    problem: str | None = None  # why there is no single group to judge
    group: dict[str, Any] = field(default_factory=dict)
    instance_type: str | None = None
    fleet: Fleet | None = None
    hours: list[Hour] = field(default_factory=list)
    not_modeled: str | None = None  # why the week could not be replayed

    def need_judged(self) -> None:
        """Fail the check (no group to judge) or make it not evaluable (not modeled)."""
        assert self.problem is None, self.problem
        if self.not_modeled:
            not_evaluable("moto", self.not_modeled)

    @property
    def hourly_price(self) -> float:
        return PRICES.instance(self.instance_type or "")[0]

    @property
    def throughput(self) -> float:
        return PRICES.instance(self.instance_type or "")[1] * JOBS_PER_VCPU_HOUR


def _instance_type(aws: Any, group: dict[str, Any]) -> str | None:
    spec = group.get("LaunchTemplate") or {}
    if not spec:
        return None
    key = (
        {"LaunchTemplateId": spec["LaunchTemplateId"]}
        if spec.get("LaunchTemplateId")
        else {"LaunchTemplateName": spec["LaunchTemplateName"]}
    )
    versions = aws("ec2").describe_launch_template_versions(
        **key, Versions=[str(spec.get("Version") or "$Default")]
    )["LaunchTemplateVersions"]
    return versions[0]["LaunchTemplateData"].get("InstanceType") if versions else None


def replay_week(fleet: Fleet) -> datetime:
    """The SPEC's replayed week: the first whole week (from a Monday, 00:00 UTC) after
    the deployment and after every scheduled action's StartTime: the schedules' steady
    state, not the week they begin in."""
    latest = max([datetime.now(UTC), *(a.start for a in fleet.actions if a.start)])
    monday = (latest + timedelta(days=7 - latest.weekday())).date()
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


@pytest.fixture(scope="session")
def workers(stack: Any, aws: Any) -> Workers:
    names = ids_of(stack, GROUP)
    if len(names) != 1:
        return Workers(
            problem=f"R4/R7: the stack must run its workers in one Auto Scaling group; "
            f"it created {len(names)} ({', '.join(names) or 'none'})"
        )
    (name,) = names
    scaling = aws("autoscaling")
    (group,) = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    found = Workers(name=name, group=group, instance_type=_instance_type(aws, group))
    if found.instance_type is None:
        found.problem = f"R4: group {name} has no launch template with an instance type"
        return found
    try:
        found.fleet = read_fleet(scaling, name, found.throughput)
        # Every UTC offset the schedules' time zones take in the year: a London
        # schedule fires an hour earlier in UTC during British Summer Time.
        for week in steady_weeks(found.fleet, replay_week(found.fleet)):
            found.hours += replay(found.fleet, PROFILE.jobs_per_hour, week)
    except NotPriced as exc:
        found.not_modeled = f"{exc}: the fleet's throughput and price are unknown"
    except scaling_drill.NotModeled as exc:
        found.not_modeled = f"the scaling drill does not model group {name}: {exc}"
    return found


def media_lifecycle_of(stack: Any, aws: Any) -> Lifecycle:
    """The media bucket's rules from the emulator, with the NewerNoncurrentVersions moto
    drops taken from the deployed lifecycle configuration of that bucket."""
    newer: dict[str, int] = {}
    for r in stack.resources:
        if r.type in LIFECYCLES and r.outputs.get("bucket", r.inputs.get("bucket")) == BUCKET:
            newer.update(deployed_newer_noncurrent(r.outputs.get("rules") or []))
            newer.update(deployed_newer_noncurrent(r.inputs.get("rules") or []))
    return read_lifecycle(aws("s3"), BUCKET, newer)


@pytest.fixture(scope="session")
def media_lifecycle(stack: Any, aws: Any) -> Lifecycle:
    try:
        return media_lifecycle_of(stack, aws)
    except lifecycle_drill.NotModeled as exc:
        not_evaluable("moto", f"the lifecycle drill does not model bucket {BUCKET}: {exc}")
    except ClientError as exc:
        pytest.fail(f"R2: the media bucket {BUCKET} cannot be read: {exc}")


def _retention(stack: Any, aws: Any) -> int | None:
    """The longest retention of the stack's log groups (None: one never expires)."""
    days: list[int | None] = []
    logs = aws("logs")
    for name in ids_of(stack, LOG_GROUP):
        found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        group = next((g for g in found if g["logGroupName"] == name), {})
        days.append(group.get("retentionInDays"))
    if not days or None in days:
        return None
    return max(d for d in days if d is not None)


def _capacity(aws: Any, table: dict[str, Any], kind: str) -> Capacity:
    provisioned = int((table.get("ProvisionedThroughput") or {}).get(f"{kind}CapacityUnits", 0))
    resource = f"table/{table['TableName']}"
    dimension = f"dynamodb:table:{kind}CapacityUnits"
    client = aws("application-autoscaling")
    targets = client.describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[resource], ScalableDimension=dimension
    )["ScalableTargets"]
    policies = client.describe_scaling_policies(
        ServiceNamespace="dynamodb", ResourceId=resource, ScalableDimension=dimension
    )["ScalingPolicies"]
    tracking = [
        p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        for p in policies
        if p.get("PolicyType") == "TargetTrackingScaling"
    ]
    if not targets or not tracking:
        return Capacity(provisioned)
    target = targets[0]
    return Capacity(
        provisioned, (int(target["MinCapacity"]), int(target["MaxCapacity"]), float(tracking[0]))
    )


def billing_of(aws: Any, name: str) -> TableBilling:
    """How a table bills, read from the emulator (and its Application Auto Scaling)."""
    ddb = aws("dynamodb")
    table = ddb.describe_table(TableName=name)["Table"]
    mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return TableBilling(
        name=name,
        on_demand=mode == "PAY_PER_REQUEST",
        ttl=ttl.get("TimeToLiveStatus") == "ENABLED",
        reads=_capacity(aws, table, "Read"),
        writes=_capacity(aws, table, "Write"),
    )


@dataclass
class CostReport:
    bill: Bill | None
    why_not: str | None  # the bill cannot be computed: not evaluable, with the reason
    problem: str | None  # the stack lacks what the bill needs: a failure


@pytest.fixture(scope="session")
def cost_report(stack: Any, aws: Any, workers: Workers) -> CostReport:
    if workers.problem:
        return CostReport(None, None, workers.problem)
    if workers.not_modeled:
        return CostReport(None, workers.not_modeled, None)
    try:
        life = media_lifecycle_of(stack, aws)
    except lifecycle_drill.NotModeled as exc:
        return CostReport(None, f"the lifecycle drill does not model bucket {BUCKET}: {exc}", None)
    except ClientError as exc:
        return CostReport(None, None, f"R7: the media bucket {BUCKET} cannot be read: {exc}")
    try:
        items = compute_items(workers.hours, workers.instance_type or "", PRICES)
        items += storage_items(life, PROFILE, PRICES)
        items += logs_items(_retention(stack, aws), PROFILE, PRICES)
        for name in ids_of(stack, TABLE):
            items += table_items(billing_of(aws, name), PROFILE, PRICES)
    except NotPriced as exc:
        return CostReport(None, str(exc), None)
    bill = Bill(tuple(items), PRICES.source)
    _write_report(bill, workers)
    return CostReport(bill, None, None)


def _write_report(bill: Bill, workers: Workers) -> None:
    """cost-report.md beside the run's results: the bill, then capacity over a day."""
    lines = [
        "# cost-guardrails: the modeled monthly bill",
        "",
        f"Budget: USD {BUDGET_USD:,.0f} a month. Modeled: {bill.summary()}.",
        "",
        bill.markdown(),
        "",
        f"## Capacity over Monday (group {workers.name}, {workers.instance_type})",
        "",
        "| hour (UTC) | jobs | min | max | target tracking asks | running | can process |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for h in workers.hours[:24]:
        asked = "—" if h.asked is None else str(h.asked)
        lines.append(
            f"| {h.start:%H:%M} | {h.load:g} | {h.min_size} | {h.max_size} | {asked} "
            f"| {h.running} | {h.running * workers.throughput:g} |"
        )
    state_file = os.environ.get(ENV_STATE, "")
    if state_file and Path(state_file).parent.is_dir():
        (Path(state_file).parent / "cost-report.md").write_text("\n".join(lines) + "\n")


def need_per_hour(workers: Workers, h: Hour) -> int:
    """What target tracking asks for; without a policy, what the load needs at 100 %."""
    if h.asked is not None:
        return h.asked
    return math.ceil(h.load / workers.throughput)


@pytest.fixture(scope="session")
def kata() -> SimpleNamespace:
    """The SPEC's numbers and the helpers the checks share (checks import nothing)."""
    return SimpleNamespace(
        budget_usd=BUDGET_USD,
        bucket=BUCKET,
        tags=TAGS,
        allowed_families=ALLOWED_FAMILIES,
        profile=PROFILE,
        any_keys=ANY_KEYS,
        prices=PRICES,
        ids_of=ids_of,
        billing_of=billing_of,
        need_per_hour=need_per_hour,
        GROUP=GROUP,
        BUDGET=BUDGET,
        TOPIC=TOPIC,
        LOG_GROUP=LOG_GROUP,
        TABLE=TABLE,
    )


@pytest.fixture(scope="session")
def budgets(emulator: Any) -> Any:
    """A Budgets client on the emulator (Budgets is global: its endpoint is us-east-1).
    The ``aws`` fixture's session does not know the service."""
    return boto3.client(
        "budgets", endpoint_url=emulator.endpoint, region_name="us-east-1", **TEST_CREDENTIALS
    )
