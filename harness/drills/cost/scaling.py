"""Replay an hourly load profile against an EC2 Auto Scaling group, as deployed.

What it models (EC2 Auto Scaling user guide, "Scheduled scaling" and "Target tracking
scaling policies"):

- **Sizes in force.** The group starts from its own MinSize/MaxSize/DesiredCapacity one
  week before the replayed week; every *recurring* scheduled action (``Recurrence``, Unix
  cron with five fields, evaluated in its ``TimeZone`` or UTC, within its
  ``StartTime``/``EndTime``) fires at each minute its cron matches, in time order, and
  sets only the sizes it names. An action that would leave MinSize above MaxSize fails,
  as AWS fails it, and changes nothing. An hour is judged by the sizes in force at its
  first minute (an action at 07:00 counts for the 07:00 hour).
- **Target tracking at steady state.** Jobs are CPU-bound, so the group's average CPU is
  load ÷ (running x per-instance throughput). A target tracking policy on
  ``ASGAverageCPUUtilization`` asks for ceil(load ÷ (throughput x target ÷ 100))
  instances; the group runs that, clamped to MinSize and MaxSize. With ``DisableScaleIn``
  the policy only adds instances: the group keeps what ran the hour before (or a desired
  capacity a scheduled action set) unless MaxSize forces it down. Without such a policy
  the group runs its desired capacity (else MinSize), clamped.

- **Every UTC offset of the year.** A schedule in a time zone with daylight saving time
  fires at a different UTC hour in summer than in winter, so one week is not enough:
  ``steady_weeks`` picks, after the first week, the first whole week of each further
  combination of the schedules' UTC offsets in the following year (e.g. a British
  Summer Time week for ``Europe/London``), and each is replayed.

Not modeled, said out loud: the minutes a scale-out takes (instance warm-up, cooldowns,
the alarms' evaluation periods), scale-in protection, step and simple policies, target
tracking on other metrics, predictive scaling, one-time scheduled actions (no
``Recurrence``), warm pools and instance refresh.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
CPU_METRIC = "ASGAverageCPUUtilization"

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}


class NotModeled(Exception):
    """The deployed definition uses something this drill does not model."""


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?"):
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = int(names.get(a, a)), int(names.get(b, b))
        else:
            first = int(names.get(part, part))
            last = high if step > 1 else first
        if first < low or last > high or first > last or step < 1:
            raise NotModeled(f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A five-field Unix cron expression (minute hour day-of-month month day-of-week)."""

    expression: str
    minutes: frozenset[int] = field(init=False)
    hours: frozenset[int] = field(init=False)
    days: frozenset[int] = field(init=False)
    months: frozenset[int] = field(init=False)
    weekdays: frozenset[int] = field(init=False)
    any_day: bool = field(init=False)
    any_weekday: bool = field(init=False)

    def __post_init__(self) -> None:
        parts = self.expression.split()
        if len(parts) != 5:
            raise NotModeled(f"recurrence {self.expression!r} is not a five-field cron expression")
        minute, hour, dom, month, dow = parts
        set_ = object.__setattr__
        set_(self, "minutes", _field(minute, 0, 59, {}))
        set_(self, "hours", _field(hour, 0, 23, {}))
        set_(self, "days", _field(dom, 1, 31, {}))
        set_(self, "months", _field(month, 1, 12, _MONTHS))
        # Unix cron: 0 and 7 are both Sunday.
        set_(self, "weekdays", frozenset(d % 7 for d in _field(dow, 0, 7, _DAYS)))
        set_(self, "any_day", dom in ("*", "?"))
        set_(self, "any_weekday", dow in ("*", "?"))

    def matches(self, local: datetime) -> bool:
        if local.minute not in self.minutes or local.hour not in self.hours:
            return False
        if local.month not in self.months:
            return False
        day_ok = local.day in self.days
        weekday_ok = (local.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:  # cron: both restricted means either matches
            return day_ok and weekday_ok
        return day_ok or weekday_ok


@dataclass(frozen=True)
class ScheduledAction:
    name: str
    recurrence: str | None
    time_zone: str | None = None
    min_size: int | None = None
    max_size: int | None = None
    desired: int | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Fleet:
    """A group as deployed: its sizes, its CPU target (None without one) and schedules."""

    min_size: int
    max_size: int
    desired: int | None
    cpu_target: float | None
    throughput: float  # jobs an hour one instance processes at 100 % CPU
    actions: tuple[ScheduledAction, ...] = ()
    scale_in: bool = True  # False: the target tracking policy has DisableScaleIn


@dataclass(frozen=True)
class Hour:
    start: datetime  # UTC
    load: float
    min_size: int
    max_size: int
    asked: int | None  # what target tracking asks for (None: no policy)
    running: int


@dataclass
class _Sizes:
    min_size: int
    max_size: int
    desired: int | None
    desired_set: bool = False  # a scheduled action set the desired capacity this hour

    def apply(self, action: ScheduledAction) -> None:
        new_min = self.min_size if action.min_size is None else action.min_size
        new_max = self.max_size if action.max_size is None else action.max_size
        if new_min > new_max:
            return  # AWS fails the action: MinSize above MaxSize
        self.min_size, self.max_size = new_min, new_max
        if action.desired is not None:
            self.desired = action.desired
            self.desired_set = True


def replay(fleet: Fleet, profile: Sequence[float], week_start: datetime) -> list[Hour]:
    """One week, hour by hour; ``profile`` is the 24 loads of a day (jobs an hour, UTC)."""
    if len(profile) != 24:
        raise ValueError("the profile is 24 hourly loads")
    crons = [
        (a, Cron(a.recurrence), ZoneInfo(a.time_zone or "UTC"))
        for a in fleet.actions
        if a.recurrence
    ]
    sizes = _Sizes(fleet.min_size, fleet.max_size, fleet.desired)
    running: int | None = fleet.desired if fleet.desired is not None else fleet.min_size
    clock = week_start - timedelta(days=7)
    hours: list[Hour] = []
    end = week_start + timedelta(days=7)
    while clock < end:
        due = [
            a
            for a, cron, tz in crons
            if (a.start is None or clock >= a.start)
            and (a.end is None or clock < a.end)
            and cron.matches(clock.astimezone(tz))
        ]
        for action in sorted(due, key=lambda a: a.name):
            sizes.apply(action)
        if clock.minute == 0:  # the week before runs too: it sets where the week starts
            load = float(profile[clock.hour])
            asked = None
            if fleet.cpu_target:
                asked = math.ceil(load / (fleet.throughput * fleet.cpu_target / 100.0))
                wanted = asked
                if not fleet.scale_in:  # the policy never removes instances
                    kept = sizes.desired if sizes.desired_set else running
                    wanted = max(asked, kept if kept is not None else 0)
            else:
                wanted = sizes.desired if sizes.desired is not None else sizes.min_size
            running = max(sizes.min_size, min(sizes.max_size, wanted))
            sizes.desired_set = False
            if clock >= week_start:
                hours.append(Hour(clock, load, sizes.min_size, sizes.max_size, asked, running))
        clock += timedelta(minutes=1)
    return hours


def _offsets(zones: Sequence[ZoneInfo], week_start: datetime) -> tuple | None:
    """The zones' UTC offsets throughout the week (hourly); None if one changes in it."""
    seen = set()
    for hour in range(0, 7 * 24 + 1):
        at = week_start + timedelta(hours=hour)
        seen.add(tuple(at.astimezone(z).utcoffset() for z in zones))
        if len(seen) > 1:
            return None
    return seen.pop()


def steady_weeks(fleet: Fleet, first_week: datetime) -> list[datetime]:
    """``first_week``, then the first week of each further combination of the recurring
    schedules' UTC offsets in the 52 weeks after it (only weeks without a clock change)."""
    names = sorted({a.time_zone or "UTC" for a in fleet.actions if a.recurrence})
    zones = [ZoneInfo(n) for n in names]
    weeks = [first_week]
    seen = {_offsets(zones, first_week)}
    for n in range(1, 53):
        start = first_week + timedelta(weeks=n)
        offsets = _offsets(zones, start)
        if offsets is not None and offsets not in seen:
            seen.add(offsets)
            weeks.append(start)
    return weeks


def _datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def read_fleet(autoscaling: Any, group_name: str, throughput: float) -> Fleet:
    """The group's sizes, CPU target and recurring schedules, read from the emulator."""
    (group,) = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])[
        "AutoScalingGroups"
    ]
    target, scale_in = None, True
    for policy in autoscaling.describe_policies(AutoScalingGroupName=group_name)["ScalingPolicies"]:
        config = policy.get("TargetTrackingConfiguration") or {}
        metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
        enabled = policy.get("Enabled", True) is not False
        if policy.get("PolicyType") == "TargetTrackingScaling" and metric == CPU_METRIC and enabled:
            target = float(config["TargetValue"])
            scale_in = not config.get("DisableScaleIn", False)
    actions = tuple(
        ScheduledAction(
            name=a["ScheduledActionName"],
            recurrence=a.get("Recurrence"),
            time_zone=a.get("TimeZone"),
            min_size=a.get("MinSize"),
            max_size=a.get("MaxSize"),
            desired=a.get("DesiredCapacity"),
            start=_datetime(a.get("StartTime")) if a.get("Recurrence") else None,
            end=_datetime(a.get("EndTime")),
        )
        for a in autoscaling.describe_scheduled_actions(AutoScalingGroupName=group_name)[
            "ScheduledUpdateGroupActions"
        ]
    )
    return Fleet(
        min_size=int(group["MinSize"]),
        max_size=int(group["MaxSize"]),
        desired=group.get("DesiredCapacity"),
        cpu_target=target,
        throughput=throughput,
        actions=actions,
        scale_in=scale_in,
    )
