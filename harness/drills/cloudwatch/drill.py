"""The alarm evaluation drill: CloudWatch's alarm loop on a virtual clock.

moto stores metric and (with patch 10) composite alarms but never evaluates one. This
drill plays CloudWatch's part, through the emulator's API:

- Metric data is published to the drill (:meth:`AlarmDrill.put`), per region, and can
  be mirrored into the emulator with PutMetricData so that a user sees it.
- Every virtual minute each alarm of the drill's regions is read *as the emulator
  holds it* (DescribeAlarms in its region) and evaluated as CloudWatch would
  (``evaluation.decide``, ``statistics``, ``metric_math``; composites after their
  children, ``composite``). An alarm whose definition watches another metric, other
  dimensions, another unit or another region sees no data.
- A state change is written to the emulator (SetAlarmState, so Route 53 alarm-backed
  health checks, CodeDeploy polls and other readers see it) and runs the new state's
  SNS actions with the notification CloudWatch sends
  (``harness.drills.cloudwatch_alarms.run_actions``), unless the alarm's actions are
  disabled or, for a composite, suppressed.
- A new alarm starts in INSUFFICIENT_DATA in AWS; moto starts it in OK ("Unchecked:
  Initial alarm creation"), so the drill puts such an alarm back to INSUFFICIENT_DATA
  (no notification, as at creation) before its first evaluation.
- What the model cannot evaluate (anomaly detection bands, an unknown statistic or
  metric math function, cross-account metrics, periods under a minute) is recorded in
  :attr:`AlarmDrill.not_evaluable` and :meth:`AlarmDrill.state` raises
  :class:`NotEvaluable` for that alarm; its state is never silently kept as OK.

Example (a kata check; ``aws`` is the checks' client factory)::

    drill = AlarmDrill(aws, regions=["us-east-1", "us-west-2"])

    def primary_up(d: AlarmDrill) -> None:  # what the primary's probe publishes
        d.put("Acme/Shop", "ApiAvailability", 1, dimensions={"Region": "us-east-1"},
              region="us-east-1")

    drill.advance(minutes=5, each_minute=primary_up)      # the primary serves
    assert drill.state("primary-health") == "OK", drill.history("primary-health")
    outage = drill.now                                     # the probe goes silent
    drill.run(until=lambda d: d.state("primary-health") == "ALARM", max_minutes=10)
    fired = drill.first("primary-health", "ALARM", after=outage)
    assert fired, "the health alarm never went to ALARM: " + drill.explain("primary-health")
    assert drill.minutes_between(outage, fired.at) <= 5
    assert fired.notified, "no SNS topic of its AlarmActions was paged"

Times are virtual: the clock starts at the current hour (or ``start``) and moves a
minute per evaluation; nothing sleeps. ``with AlarmDrill(...) as drill:`` puts every
alarm back to the state it had when the drill first read it.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from harness.drills import cloudwatch_alarms
from harness.drills.cloudwatch import composite, metric_math, statistics
from harness.drills.cloudwatch.evaluation import EXTRA_PERIODS, Datapoint, NotEvaluable, decide
from harness.drills.cloudwatch.store import Dimensions, MetricStore, dimension_set

ACCOUNT_ID = "123456789012"  # moto's default account
INITIAL_REASON = "Unchecked: Initial alarm creation"
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")

AlarmKey = tuple[str, str]  # (region, alarm name)


@dataclass
class Event:
    """A state change of one alarm, or held composite actions that ran later."""

    at: datetime
    alarm: str
    region: str
    old_state: str
    new_state: str
    reason: str
    kind: str = "transition"  # "transition" or "actions" (held actions that ran)
    actions: str = "none"  # "sent", "none", "disabled", or why they are held
    notified: list[str] = field(default_factory=list)  # SNS topics published to
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (action, why not)
    message: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Alarm:
    region: str
    definition: dict[str, Any]
    composite: bool

    @property
    def name(self) -> str:
        return str(self.definition["AlarmName"])

    @property
    def key(self) -> AlarmKey:
        return (self.region, self.name)


class AlarmDrill:
    """CloudWatch alarm evaluation for the alarms of ``regions`` on the emulator.

    ``client(service, region)`` is an admin client factory on the emulator (the ``aws``
    fixture of a kata's checks). ``alarms`` limits the drill to those names (default:
    every alarm of the regions). ``mirror`` also writes each datum to the emulator.
    ``reread=False`` reads the alarms' definitions once (the first evaluation) instead of
    every minute: for checks that run hours of virtual time against a program that does
    not change meanwhile (DescribeAlarms is most of a minute's cost); :meth:`reload` reads
    them again.
    """

    def __init__(
        self,
        client: Callable[..., Any],
        regions: Iterable[str] | str = ("us-east-1",),
        *,
        start: datetime | None = None,
        alarms: Iterable[str] | None = None,
        mirror: bool = False,
        account: str = ACCOUNT_ID,
        reread: bool = True,
    ) -> None:
        self.client = client
        self.regions = [regions] if isinstance(regions, str) else list(regions)
        if not self.regions:
            raise ValueError("give at least one region")
        now = start or datetime.now(UTC)
        self.now = (now if now.tzinfo else now.replace(tzinfo=UTC)).replace(
            minute=0 if start is None else now.minute, second=0, microsecond=0
        )
        self.started = self.now
        self.only = set(alarms) if alarms is not None else None
        self.mirror = mirror
        self.reread = reread
        self.account = account
        self.store = MetricStore()
        self.events: list[Event] = []
        self.not_evaluable: dict[AlarmKey, NotEvaluable] = {}
        self._states: dict[AlarmKey, str] = {}
        self._suppression: dict[AlarmKey, composite.Suppression] = {}
        self._alarms: dict[AlarmKey, _Alarm] = {}
        self._found: dict[AlarmKey, tuple[str, str]] = {}  # state and reason as first read
        self._changed_at: dict[AlarmKey, datetime] = {}  # last transition the drill made

    def __enter__(self) -> AlarmDrill:
        return self

    def __exit__(self, *_: object) -> None:
        self.restore()

    def restore(self) -> None:
        """Put every alarm the drill read back to the state (and reason) the emulator had
        for it then, without notifications: the checks leave the program's resources as
        they found them. Mirrored metric data stays (the emulator cannot delete it)."""
        for (region, name), (state, reason) in self._found.items():
            if self._states.get((region, name)) == state:
                continue
            with contextlib.suppress(ClientError):  # deleted meanwhile: nothing to restore
                self.client("cloudwatch", region).set_alarm_state(
                    AlarmName=name, StateValue=state, StateReason=reason
                )

    # -- metric data --------------------------------------------------------------------

    def put(
        self,
        namespace: str,
        metric: str,
        value: float | None = None,
        *,
        dimensions: Dimensions = None,
        values: Iterable[float] | None = None,
        counts: Iterable[float] | None = None,
        statistics: Mapping[str, float] | None = None,
        unit: str | None = None,
        region: str | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        """Publish one datum (PutMetricData) at ``timestamp`` (default: the drill's now)."""
        where = region or self.regions[0]
        when = timestamp or self.now
        values = list(values) if values is not None else None
        counts = list(counts) if counts is not None else None
        self.store.put(
            namespace,
            metric,
            value,
            region=where,
            timestamp=when,
            dimensions=dimensions,
            values=values,
            counts=counts,
            statistics=statistics,
            unit=unit,
        )
        if self.mirror:
            datum: dict[str, Any] = {
                "MetricName": metric,
                "Timestamp": when,
                "Dimensions": [
                    {"Name": k, "Value": v} for k, v in sorted(dimension_set(dimensions))
                ],
            }
            if unit:
                datum["Unit"] = unit
            if value is not None:
                datum["Value"] = value
            elif values is not None:
                datum["Values"] = values
                if counts is not None:
                    datum["Counts"] = counts
            else:
                datum["StatisticValues"] = dict(statistics or {})
            self.client("cloudwatch", where).put_metric_data(
                Namespace=namespace, MetricData=[datum]
            )

    def read(
        self,
        namespace: str,
        metric: str,
        stat: str = "Sum",
        *,
        dimensions: Dimensions = None,
        start: datetime | None = None,
        period: int = 60,
        unit: str | None = None,
        region: str | None = None,
    ) -> float | None:
        """The statistic of one period of a metric, as GetMetricStatistics would give it
        (default: the last minute that has ended); None when the period has no value."""
        begin = start or self.now - timedelta(seconds=period)
        data = self.store.period(
            region or self.regions[0], namespace, metric, dimensions, begin, period, unit
        )
        try:
            return statistics.compute(data, stat)
        except statistics.StatisticUnavailable:
            return None

    # -- the clock -----------------------------------------------------------------------

    def advance(
        self, minutes: int = 1, *, each_minute: Callable[[AlarmDrill], Any] | None = None
    ) -> list[Event]:
        """Let ``minutes`` pass; each minute ``each_minute(drill)`` may publish data for
        the minute that starts at ``drill.now``, then every alarm is evaluated at its end.
        Returns the events of those minutes."""
        out: list[Event] = []
        for _ in range(minutes):
            if each_minute is not None:
                each_minute(self)
            self.now += timedelta(minutes=1)
            out.extend(self.evaluate())
        return out

    def run(
        self,
        until: datetime | Callable[[AlarmDrill], bool],
        *,
        max_minutes: int = 180,
        each_minute: Callable[[AlarmDrill], Any] | None = None,
    ) -> list[Event]:
        """Advance minute by minute until the time ``until``, or until ``until(drill)`` is
        true (checked before each minute), for at most ``max_minutes``; returns the events.
        It does not fail when the condition never held: the caller checks the state."""
        out: list[Event] = []
        for minute in range(max_minutes + 1):
            reached = self.now >= until if isinstance(until, datetime) else self._done(until)
            if reached or minute == max_minutes:
                break
            out.extend(self.advance(1, each_minute=each_minute))
        return out

    def _done(self, until: Callable[[AlarmDrill], bool]) -> bool:
        try:
            return bool(until(self))
        except KeyError:
            return False

    def minutes_since(self, event: Event | datetime) -> float:
        """Minutes from the drill's start to an event (or a time)."""
        return self.minutes_between(self.started, event)

    @staticmethod
    def minutes_between(start: Event | datetime, end: Event | datetime) -> float:
        first = start.at if isinstance(start, Event) else start
        last = end.at if isinstance(end, Event) else end
        return (last - first).total_seconds() / 60

    # -- reading results -----------------------------------------------------------------

    def state(self, name: str, region: str | None = None) -> str:
        """The alarm's state after the last evaluation; NotEvaluable if the model cannot
        evaluate it; KeyError if the drill's regions have no such alarm."""
        key = self._key(name, region)
        if key in self.not_evaluable:
            raise self.not_evaluable[key]
        if key not in self._states:
            self._load()
        if key not in self._states:
            raise KeyError(f"no CloudWatch alarm {name!r} in {key[0]}")
        return self._states[key]

    def history(self, name: str, region: str | None = None) -> list[Event]:
        """Every event of the alarm so far, oldest first."""
        key = self._key(name, region)
        return [e for e in self.events if (e.region, e.alarm) == key]

    def first(
        self, name: str, state: str, *, after: datetime | None = None, region: str | None = None
    ) -> Event | None:
        """The alarm's first transition into ``state`` (at or after ``after``), if any."""
        for event in self.history(name, region):
            entered = event.kind == "transition" and event.new_state == state
            if entered and (after is None or event.at >= after):
                return event
        return None

    def explain(self, name: str, region: str | None = None) -> str:
        """One line a failing check can show: the alarm's state, why, and its last events."""
        key = self._key(name, region)
        if key in self.not_evaluable:
            return f"not evaluable: {self.not_evaluable[key]}"
        alarm = self._alarms.get(key)
        if alarm is None:
            return f"no alarm {name!r} in {key[0]}"
        d = alarm.definition
        watches = d.get("AlarmRule") or (
            f"{d.get('Namespace')}/{d.get('MetricName')} {d.get('Dimensions') or []}"
            if d.get("MetricName")
            else "metric math " + ", ".join(str(q.get("Id")) for q in d.get("Metrics") or [])
        )
        events = "; ".join(
            f"{e.at:%H:%M} {e.old_state}->{e.new_state}" for e in self.history(name, region)
        )
        return (
            f"{name} ({key[0]}) watches {watches}: {self._states.get(key)} "
            f"at {self.now:%H:%M}; transitions: {events or 'none'}"
        )

    def _key(self, name: str, region: str | None) -> AlarmKey:
        if region is not None:
            return (region, name)
        found = [k for k in {*self._states, *self.not_evaluable} if k[1] == name]
        if not found:
            self._load()
            found = [k for k in {*self._states, *self.not_evaluable} if k[1] == name]
        if len(found) > 1:
            regions = sorted(k[0] for k in found)
            raise KeyError(f"alarm {name!r} exists in {regions}: say which region")
        return found[0] if found else (self.regions[0], name)

    # -- evaluation ------------------------------------------------------------------------

    def _load(self) -> dict[AlarmKey, _Alarm]:
        alarms: dict[AlarmKey, _Alarm] = {}
        for region in self.regions:
            cw = self.client("cloudwatch", region)
            pages = cw.get_paginator("describe_alarms").paginate(
                AlarmTypes=["MetricAlarm", "CompositeAlarm"]
            )
            for page in pages:
                for kind, is_composite in (("MetricAlarms", False), ("CompositeAlarms", True)):
                    for definition in page.get(kind, []):
                        alarm = _Alarm(region, definition, is_composite)
                        alarms[alarm.key] = alarm
        if self.only is not None:
            alarms = self._with_dependencies(alarms)
        for key, alarm in alarms.items():
            state = str(alarm.definition.get("StateValue") or "INSUFFICIENT_DATA")
            self._found.setdefault(key, (state, str(alarm.definition.get("StateReason") or "")))
            if (
                key not in self._states
                and state == "OK"
                and (alarm.definition.get("StateReason") == INITIAL_REASON)
            ):
                # AWS creates alarms in INSUFFICIENT_DATA; moto in OK.
                self.client("cloudwatch", alarm.region).set_alarm_state(
                    AlarmName=alarm.name, StateValue="INSUFFICIENT_DATA", StateReason=INITIAL_REASON
                )
                state = "INSUFFICIENT_DATA"
            self._states[key] = state
        for key in [k for k in self._states if k not in alarms]:
            del self._states[key]  # deleted alarms
        self._alarms = alarms
        return alarms

    def reload(self) -> None:
        """Read the alarms' definitions from the emulator again (see ``reread``)."""
        self._load()

    def evaluate(self) -> list[Event]:
        """Evaluate every alarm at the drill's current time (advance calls this)."""
        alarms = self._alarms if self._alarms and not self.reread else self._load()
        out: list[Event] = []
        for alarm in alarms.values():
            if not alarm.composite:
                out.extend(self._evaluate_metric_alarm(alarm))
        for alarm in self._composite_order(alarms):
            out.extend(self._evaluate_composite(alarm))
        self.events.extend(out)
        return out

    def _evaluate_metric_alarm(self, alarm: _Alarm) -> list[Event]:
        key = alarm.key
        try:
            points, ignore_low = self.datapoints(alarm.definition, alarm.region)
            d = alarm.definition
            decision = decide(
                points,
                evaluation_periods=int(d.get("EvaluationPeriods") or 1),
                datapoints_to_alarm=d.get("DatapointsToAlarm"),
                comparison=str(d.get("ComparisonOperator") or ""),
                threshold=float(d.get("Threshold") or 0.0),
                treat_missing=_treat_missing(d),
                ignore_low_samples=ignore_low,
            )
        except NotEvaluable as why:
            self.not_evaluable[key] = NotEvaluable(f"alarm {alarm.name} ({alarm.region}): {why}")
            return []
        self.not_evaluable.pop(key, None)
        if decision.state is None or decision.state == self._states[key]:
            return []
        data = {
            "version": "1.0",
            "queryDate": cloudwatch_alarms.iso_timestamp(self.now),
            "recentDatapoints": [p.value for p in decision.evaluated],
            "threshold": alarm.definition.get("Threshold"),
        }
        return [self._transition(alarm, decision.state, decision.reason, data)]

    def datapoints(self, definition: dict[str, Any], region: str) -> tuple[list[Datapoint], bool]:
        """The alarm's evaluation range at the current time: one datapoint per period,
        oldest first, and whether low-sample percentiles keep the state."""
        n = int(definition.get("EvaluationPeriods") or 1)
        queries = definition.get("Metrics") or []
        if definition.get("ThresholdMetricId"):
            raise NotEvaluable("anomaly detection bands (ThresholdMetricId) are not modeled")
        if queries:
            stats = [q["MetricStat"] for q in queries if q.get("MetricStat")]
            periods = {int(s.get("Period") or 0) for s in stats} or {
                int(q.get("Period") or 60) for q in queries
            }
            if len(periods) != 1:
                raise NotEvaluable(f"the alarm's metrics have different periods {sorted(periods)}")
            period = self._period(periods.pop())
            grid = self._grid(period, n, aligned=not _sliding(definition))
            for q in queries:
                if q.get("AccountId") and q["AccountId"] != self.account:
                    raise NotEvaluable(
                        f"query {q.get('Id')} reads account {q['AccountId']}: cross-account "
                        "metrics are not modeled"
                    )

            def series(query: Mapping[str, Any]) -> metric_math.Series:
                stat = query["MetricStat"]
                metric = stat["Metric"]
                out: metric_math.Series = {}
                for start in grid:
                    value, _ = self._statistic(
                        region, metric, stat.get("Stat") or "", stat.get("Unit"), start, period
                    )
                    if value is not None:
                        out[start] = value
                return out

            _, result = metric_math.evaluate_queries(queries, series, grid)
            return [Datapoint(t, result.get(t)) for t in grid], False

        if not definition.get("MetricName"):
            raise NotEvaluable("the alarm names neither a metric nor Metrics")
        period = self._period(int(definition.get("Period") or 0))
        stat = definition.get("ExtendedStatistic") or definition.get("Statistic") or ""
        metric = {
            "Namespace": definition.get("Namespace"),
            "MetricName": definition["MetricName"],
            "Dimensions": definition.get("Dimensions") or [],
        }
        points = []
        for start in self._grid(period, n, aligned=not _sliding(definition)):
            value, low = self._statistic(
                region, metric, stat, definition.get("Unit"), start, period
            )
            points.append(Datapoint(start, value, low))
        ignore_low = definition.get("EvaluateLowSampleCountPercentile") == "ignore"
        return points, ignore_low

    def _period(self, seconds: int) -> int:
        if seconds < 60 or seconds % 60:
            raise NotEvaluable(
                f"a period of {seconds} s is not modeled (high-resolution alarms evaluate "
                "every 10 seconds; the drill's clock moves by minutes)"
            )
        return seconds

    def _grid(self, period: int, n: int, aligned: bool = True) -> list[datetime]:
        """Starts of the periods of the evaluation range: the last ``n + 2`` periods that
        have ended, aligned on multiples of the period since the epoch (``aligned``, a
        wall-clock window) or ending now (a sliding window, AWS's default; see
        :func:`_sliding`). With one-minute periods on the drill's minute clock the two
        are the same."""
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        ended = math.floor((self.now - epoch).total_seconds() / period)
        starts = [
            epoch + timedelta(seconds=(ended - k) * period) for k in range(n + EXTRA_PERIODS, 0, -1)
        ]
        if not aligned:
            starts = [
                self.now - timedelta(seconds=k * period) for k in range(n + EXTRA_PERIODS, 0, -1)
            ]
        return [s for s in starts if s + timedelta(seconds=period) > self.started]

    def _statistic(
        self,
        region: str,
        metric: Mapping[str, Any],
        stat: str,
        unit: str | None,
        start: datetime,
        period: int,
    ) -> tuple[float | None, bool]:
        data = self.store.period(
            region,
            str(metric.get("Namespace")),
            str(metric.get("MetricName")),
            metric.get("Dimensions") or [],
            start,
            period,
            unit,
        )
        try:
            return statistics.compute(data, stat), statistics.low_sample_count(data, stat)
        except statistics.StatisticUnavailable:
            return None, False
        except statistics.UnknownStatistic as why:
            raise NotEvaluable(str(why)) from None

    def _with_dependencies(self, alarms: dict[AlarmKey, _Alarm]) -> dict[AlarmKey, _Alarm]:
        """The alarms named in ``alarms=`` and every alarm their composites depend on."""
        wanted = [k for k in alarms if k[1] in (self.only or set())]
        kept: set[AlarmKey] = set()
        while wanted:
            key = wanted.pop()
            if key in kept:
                continue
            kept.add(key)
            if alarms[key].composite:
                refs = self._dependencies(alarms[key])
                wanted.extend((key[0], r) for r in refs if (key[0], r) in alarms)
        return {k: a for k, a in alarms.items() if k in kept}

    # -- composites ----------------------------------------------------------------------

    def _composite_order(self, alarms: dict[AlarmKey, _Alarm]) -> list[_Alarm]:
        """Composites after the composites they watch (or are suppressed by)."""
        ordered: list[_Alarm] = []
        done: set[AlarmKey] = set()
        visiting: set[AlarmKey] = set()

        def visit(alarm: _Alarm) -> None:
            if alarm.key in done:
                return
            if alarm.key in visiting:
                raise NotEvaluable(f"composite alarm {alarm.name} watches itself")
            visiting.add(alarm.key)
            try:
                for ref in self._dependencies(alarm):
                    child = alarms.get((alarm.region, ref))
                    if child is not None and child.composite:
                        visit(child)
            finally:
                visiting.discard(alarm.key)
            done.add(alarm.key)
            ordered.append(alarm)

        for alarm in alarms.values():
            if alarm.composite:
                try:
                    visit(alarm)
                except NotEvaluable as why:
                    self.not_evaluable[alarm.key] = NotEvaluable(f"{why} (through its rule)")
        return ordered

    def _dependencies(self, alarm: _Alarm) -> list[str]:
        try:
            rule = composite.parse_rule(str(alarm.definition.get("AlarmRule") or ""))
            refs = [
                composite.resolve_reference(r, alarm.region, self.account)
                for r in composite.children(rule)
            ]
        except NotEvaluable:
            return []
        suppressor = alarm.definition.get("ActionsSuppressor")
        if suppressor:
            with contextlib.suppress(NotEvaluable):  # reported when the composite is evaluated
                refs.append(composite.resolve_reference(suppressor, alarm.region, self.account))
        return refs

    def _evaluate_composite(self, alarm: _Alarm) -> list[Event]:
        key, d = alarm.key, alarm.definition
        try:
            rule = composite.parse_rule(str(d.get("AlarmRule") or ""))
            refs = {
                r: composite.resolve_reference(r, alarm.region, self.account)
                for r in composite.children(rule)
            }
            missing = sorted({n for n in refs.values() if (alarm.region, n) not in self._states})
            if missing:
                raise NotEvaluable(f"its rule names alarms that do not exist: {missing}")
            broken = sorted({n for n in refs.values() if (alarm.region, n) in self.not_evaluable})
            if broken:
                raise NotEvaluable(f"its rule watches alarms the drill cannot evaluate: {broken}")
            suppressor = d.get("ActionsSuppressor")
            suppressor_name = (
                composite.resolve_reference(suppressor, alarm.region, self.account)
                if suppressor
                else None
            )
        except NotEvaluable as why:
            self.not_evaluable[key] = NotEvaluable(f"composite alarm {alarm.name}: {why}")
            return []
        self.not_evaluable.pop(key, None)
        true = composite.holds(rule, lambda ref: self._states[(alarm.region, refs[ref])])
        new = "ALARM" if true else "OK"
        suppression = self._suppression.setdefault(key, composite.Suppression(None))
        suppression.suppressor = suppressor_name
        suppression.wait_s = int(d.get("ActionsSuppressorWaitPeriod") or 0)
        suppression.extension_s = int(d.get("ActionsSuppressorExtensionPeriod") or 0)
        suppressor_state = (
            self._states.get((alarm.region, suppressor_name)) if suppressor_name else None
        )
        old = self._states[key]
        if new == old:
            held = suppression.tick(self.now, suppressor_state)
            if held is None:
                return []
            return [self._held_actions(alarm, held)]
        watched = sorted(set(refs.values()))
        reason, data = self._composite_reason(alarm, watched, true)
        verdict = suppression.on_change(old, new, reason, self.now, suppressor_state)
        if suppression.held is not None:
            suppression.held.children = watched
        return [
            self._transition(
                alarm, new, reason, data, run=verdict == "run", held=verdict, children=watched
            )
        ]

    def _composite_reason(
        self, alarm: _Alarm, watched: list[str], true: bool
    ) -> tuple[str, dict[str, Any]]:
        """CloudWatch's wording: the child whose transition decided it, e.g. ``arn:…:alarm:
        errors transitioned to ALARM at Monday 30 November, 2026 09:03:00 UTC``."""
        changed = [
            (self._changed_at[(alarm.region, n)], n)
            for n in watched
            if (alarm.region, n) in self._changed_at
        ]
        arn = f"arn:aws:cloudwatch:{alarm.region}:{self.account}:alarm:"
        if not changed:
            rule = alarm.definition.get("AlarmRule")
            return f"The rule {rule!r} is {'true' if true else 'false'}", {}
        at, child = max(changed)
        state = self._states[(alarm.region, child)]
        reason = f"{arn}{child} transitioned to {state} at {at:%A %d %B, %Y %H:%M:%S} UTC"
        triggering = {
            "arn": f"{arn}{child}",
            "state": {"value": state, "timestamp": cloudwatch_alarms.iso_timestamp(at)},
        }
        return reason, {"triggeringAlarms": [triggering]}

    def _held_actions(self, alarm: _Alarm, held: composite.Held) -> Event:
        message = self._message(alarm, held.old_state, held.state, held.reason, held.children)
        notified, skipped = cloudwatch_alarms.run_actions(
            self.client, alarm.definition, alarm.region, held.state, message
        )
        return Event(
            self.now,
            alarm.name,
            alarm.region,
            held.old_state,
            held.state,
            held.reason,
            kind="actions",
            actions=f"sent after {held.by}",
            notified=notified,
            skipped=skipped,
            message=message,
        )

    # -- transitions -----------------------------------------------------------------------

    def _transition(
        self,
        alarm: _Alarm,
        new: str,
        reason: str,
        data: dict[str, Any] | None,
        *,
        run: bool = True,
        held: str = "",
        children: list[str] | None = None,
    ) -> Event:
        old = self._states[alarm.key]
        self._changed_at[alarm.key] = self.now
        kwargs: dict[str, Any] = {}
        if data:
            kwargs["StateReasonData"] = json.dumps(data)
        self.client("cloudwatch", alarm.region).set_alarm_state(
            AlarmName=alarm.name, StateValue=new, StateReason=reason[:1023], **kwargs
        )
        self._states[alarm.key] = new
        event = Event(self.now, alarm.name, alarm.region, old, new, reason)
        event.message = self._message(alarm, old, new, reason, children)
        if not run:
            event.actions = held
            return event
        event.notified, event.skipped = cloudwatch_alarms.run_actions(
            self.client, alarm.definition, alarm.region, new, event.message
        )
        if not alarm.definition.get("ActionsEnabled", True):
            event.actions = "disabled"
        elif event.notified:
            event.actions = "sent"
        return event

    def _message(
        self, alarm: _Alarm, old: str, new: str, reason: str, children: list[str] | None = None
    ) -> dict[str, Any]:
        message = cloudwatch_alarms.notification(
            alarm.definition, old, new, reason, alarm.region, self.now
        )
        if alarm.composite:
            message["TriggeringChildren"] = [
                {
                    "Arn": f"arn:aws:cloudwatch:{alarm.region}:{self.account}:alarm:{name}",
                    "State": {"Value": self._states.get((alarm.region, name))},
                }
                for name in children or []
            ]
        return message


def _treat_missing(definition: Mapping[str, Any]) -> str:
    """AWS/DynamoDB alarms always ignore missing data (*Configuring how CloudWatch
    alarms treat missing data*); others follow TreatMissingData (default missing)."""
    namespaces = {definition.get("Namespace")} | {
        q["MetricStat"]["Metric"].get("Namespace")
        for q in definition.get("Metrics") or []
        if q.get("MetricStat")
    }
    if "AWS/DynamoDB" in namespaces:
        return "ignore"
    return str(definition.get("TreatMissingData") or "missing")


def _sliding(definition: Mapping[str, Any]) -> bool:
    """*Alarm evaluation windows* (CloudWatch User Guide): an alarm evaluates a sliding
    window that ends at each evaluation unless its ``EvaluationWindow`` is a
    ``WallClockWindow`` (aligned to clock boundaries of its period); sliding is the
    default. A time zone of a wall-clock window is not modeled (UTC boundaries)."""
    window = definition.get("EvaluationWindow") or {}
    return not window.get("WallClockWindow") and "WallClockWindow" not in window
