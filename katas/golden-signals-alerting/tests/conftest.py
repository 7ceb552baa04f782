"""Fixtures shared by the golden-signals-alerting checks.

The emulator stores alarms and never evaluates them. The checks play the checkout API's
traffic (SPEC, *The metrics*) into the harness's CloudWatch evaluation drill
(``harness.drills.cloudwatch.AlarmDrill``), which evaluates every deployed alarm from its
own definition each virtual minute — namespace, metric, whole dimension set, unit,
sliding period, statistic or percentile, M of N, missing data, metric math, composite
rules and actions suppressors — and publishes each transition's notification to the
alarm's SNS actions. Pages and tickets are read from SQS queues subscribed to the topics
the SPEC names (found by name in the emulator, not through the program's exports).

Each incident runs on its own virtual clock: six hours of normal traffic published as
history (the SLO's longest window), a few minutes of it evaluated so the alarms settle
(those notifications are drained, not counted), then the incident. Incidents several
checks judge are run once per session (``incident`` caches them by name). Every alarm is
put back to the state it was found in, and the queues are removed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.drills.cloudwatch import AlarmDrill, Event, NotEvaluable
from harness.drills.notifications import Inbox
from harness.pytest_plugin import not_evaluable

NAMESPACE = "golden-signals-alerting"
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday morning
HISTORY_MINUTES = 6 * 60  # the SLO's longest window
SETTLE_MINUTES = 10
STAGE = "prod"


@dataclass(frozen=True)
class Expected:
    """The stack config the program was given (kata.yaml): what the SPEC demands."""

    region: str
    api_name: str
    function_name: str
    service: str
    owner: str
    pager_topic: str
    ticket_topic: str
    oncall_dashboard: str
    executive_dashboard: str


@pytest.fixture(scope="session")
def expected() -> Expected:
    raw = yaml.safe_load((Path(__file__).resolve().parent.parent / "kata.yaml").read_text())
    cfg = {k.split(":", 1)[1]: str(v) for k, v in raw["config"].items()}
    return Expected(
        region=cfg["region"],
        api_name=cfg["apiName"],
        function_name=cfg["functionName"],
        service=cfg["service"],
        owner=cfg["owner"],
        pager_topic=cfg["pagerTopicName"],
        ticket_topic=cfg["ticketTopicName"],
        oncall_dashboard=cfg["oncallDashboardName"],
        executive_dashboard=cfg["executiveDashboardName"],
    )


@dataclass(frozen=True)
class Topics:
    pager: str | None
    ticket: str | None


@pytest.fixture(scope="session")
def topics(aws: Callable[..., Any], expected: Expected) -> Topics:
    """The pager and ticket topics, by the names the SPEC gives them."""
    arns = [
        t["TopicArn"]
        for page in aws("sns").get_paginator("list_topics").paginate()
        for t in page["Topics"]
    ]

    def named(name: str) -> str | None:
        return next((a for a in arns if a.rsplit(":", 1)[1] == name), None)

    return Topics(named(expected.pager_topic), named(expected.ticket_topic))


@pytest.fixture(scope="session")
def alarms(aws: Callable[..., Any]) -> Callable[[], list[dict[str, Any]]]:
    """``alarms()``: every metric and composite alarm as the emulator holds it."""

    def read() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        pages = aws("cloudwatch").get_paginator("describe_alarms")
        for page in pages.paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
            out += [{**a, "_composite": False} for a in page.get("MetricAlarms", [])]
            out += [{**a, "_composite": True} for a in page.get("CompositeAlarms", [])]
        return out

    return read


def actions_of(alarm: dict[str, Any]) -> set[str]:
    """Every topic among an alarm's actions (ALARM, OK and INSUFFICIENT_DATA)."""
    return {
        *alarm.get("AlarmActions", []),
        *alarm.get("OKActions", []),
        *alarm.get("InsufficientDataActions", []),
    }


def metrics_watched(alarm: dict[str, Any]) -> set[str]:
    """The metric names an alarm's definition reads (plain or metric math)."""
    names = {alarm.get("MetricName")} | {
        q["MetricStat"]["Metric"].get("MetricName")
        for q in alarm.get("Metrics") or []
        if q.get("MetricStat")
    }
    return {n for n in names if n}


@pytest.fixture(scope="session")
def require_topics(topics: Topics, expected: Expected) -> Topics:
    missing = [
        name
        for name, arn in (
            (expected.pager_topic, topics.pager),
            (expected.ticket_topic, topics.ticket),
        )
        if arn is None
    ]
    assert not missing, f"no SNS topic named {', '.join(missing)} (SPEC: stack config)"
    return topics


# --- the traffic model (SPEC, *The metrics*) ---------------------------------------------


@dataclass(frozen=True)
class Minute:
    """One minute of the checkout API, as AWS publishes it.

    ``slow``: the share of requests answered in 2.5 s; otherwise 2 % take 400 ms (the
    normal p99) and the rest 120 ms. No requests: API Gateway publishes nothing.
    """

    requests: int
    failures: int = 0
    slow: float = 0.0
    concurrency: float | None = 30
    maintenance: bool = False


DAY = Minute(requests=2000, failures=1)
NIGHT = Minute(requests=30, failures=0)
SILENCE = Minute(requests=0, concurrency=None)


def publish(drill: AlarmDrill, m: Minute, expected: Expected, at: datetime | None = None) -> None:
    # API Gateway publishes each metric per API and stage and per API; Lambda publishes
    # concurrency per function and for the account (SPEC, *The metrics*).
    for api in ({"ApiName": expected.api_name, "Stage": STAGE}, {"ApiName": expected.api_name}):
        _publish_api(drill, m, api, at)
    if m.concurrency is not None:
        for dims in ({"FunctionName": expected.function_name}, None):
            drill.put("AWS/Lambda", "ConcurrentExecutions", m.concurrency, unit="Count",
                      dimensions=dims, timestamp=at)  # fmt: skip
    if m.maintenance:
        drill.put("Checkout/Operations", "MaintenanceWindow", 1, unit="Count",
                  dimensions={"Service": expected.service}, timestamp=at)  # fmt: skip


def _publish_api(drill: AlarmDrill, m: Minute, api: dict[str, str], at: datetime | None) -> None:
    if m.requests <= 0:
        return  # no requests: API Gateway publishes nothing
    drill.put("AWS/ApiGateway", "Count", values=[1], counts=[m.requests], dimensions=api,
              unit="Count", timestamp=at)  # fmt: skip
    ok = m.requests - m.failures
    values, counts = zip(*[(v, c) for v, c in ((0, ok), (1, m.failures)) if c > 0], strict=True)
    drill.put("AWS/ApiGateway", "5XXError", values=values, counts=counts, dimensions=api,
              unit="Count", timestamp=at)  # fmt: skip
    slow = round(m.requests * m.slow)
    p99 = round(m.requests * 0.02)
    fast = m.requests - slow - p99
    latency = [(v, c) for v, c in ((120, fast), (400, p99), (2500, slow)) if c > 0]
    values, counts = zip(*latency, strict=True)
    drill.put("AWS/ApiGateway", "Latency", values=values, counts=counts, dimensions=api,
              unit="Milliseconds", timestamp=at)  # fmt: skip


# --- incidents --------------------------------------------------------------------------


@dataclass
class Notice:
    """A notification read from a topic's queue."""

    alarm: str
    state: str
    description: str
    message: dict[str, Any]


@dataclass
class Incident:
    """What happened during one incident: the drill (its events, its clock) and what
    reached the pager and ticket queues, from the incident's start on."""

    name: str
    drill: AlarmDrill
    start: datetime
    pager_arn: str
    ticket_arn: str
    pages: list[Notice] = field(default_factory=list)
    tickets: list[Notice] = field(default_factory=list)
    error: NotEvaluable | None = None

    def minute(self, event: Event) -> float:
        return self.drill.minutes_between(self.start, event)

    def notified(self, topic: str, state: str = "ALARM") -> list[Event]:
        """Events whose actions published to ``topic`` on entering ``state``, in order."""
        return [e for e in self.drill.events if topic in e.notified and e.new_state == state]

    def alarm_pages(self) -> list[Notice]:
        return [p for p in self.pages if p.state == "ALARM"]

    def alarm_tickets(self) -> list[Notice]:
        return [t for t in self.tickets if t.state == "ALARM"]

    def describe_pages(self) -> str:
        events = self.notified(self.pager_arn) + self.notified(self.pager_arn, "OK")
        if not events:
            return "nothing reached the pager topic"
        return "; ".join(
            f"{e.new_state} from {e.alarm} at minute {self.minute(e):g}"
            for e in sorted(events, key=lambda e: e.at)
        )

    def check_evaluable(self) -> None:
        """An alarm the drill could not evaluate is said, never taken as quiet."""
        if self.error is not None:
            not_evaluable("moto", f"incident {self.name}: {self.error}")
        if self.drill.not_evaluable:
            why = "; ".join(str(e) for e in self.drill.not_evaluable.values())
            not_evaluable("moto", f"incident {self.name}: {why}")


def _notices(inbox: Inbox) -> list[Notice]:
    out = []
    for msg in inbox.receive():
        if isinstance(msg, dict) and "NewStateValue" in msg:
            out.append(
                Notice(
                    msg.get("AlarmName", ""),
                    msg["NewStateValue"],
                    str(msg.get("AlarmDescription") or ""),
                    msg,
                )
            )
    return out


Timeline = list[tuple[int, Minute]] | Callable[[AlarmDrill, int], Minute | None]


@pytest.fixture(scope="session")
def incident(
    aws: Callable[..., Any], expected: Expected, require_topics: Topics
) -> Callable[..., Incident]:
    """``incident(name, base, timeline)``: run an incident once per session.

    ``base`` is the normal traffic before it (history and settling); ``timeline`` is a
    list of (minutes, Minute) played in order, or a function ``(drill, minute) -> Minute``
    that returns None to stop (at most ``max_minutes``; ``until_paged``: or at the first
    page). ``burning=(minutes, Minute)``: the incident began that long ago (published as
    history after the normal six hours); evaluation starts now, without settling, and
    every notification counts (its time is measured from the incident's start).
    """
    cache: dict[str, Incident] = {}

    def run(
        name: str,
        base: Minute,
        timeline: Timeline,
        max_minutes: int = 400,
        until_paged: bool = False,
        burning: tuple[int, Minute] | None = None,
    ) -> Incident:
        if name in cache:
            return cache[name]
        assert require_topics.pager and require_topics.ticket
        # The program does not change during an incident: read its alarms once.
        drill = AlarmDrill(aws, expected.region, start=START, reread=False)
        before, during = burning or (0, base)
        for k in range(HISTORY_MINUTES + before, 0, -1):
            publish(
                drill, during if k <= before else base, expected, at=START - timedelta(minutes=k)
            )
        with contextlib.ExitStack() as stack:
            stack.callback(drill.restore)
            pager = stack.enter_context(Inbox.subscribe(aws, require_topics.pager))
            ticket = stack.enter_context(Inbox.subscribe(aws, require_topics.ticket))
            each = _each(base, expected)
            if burning is None:
                drill.advance(SETTLE_MINUTES, each_minute=each)
                pager.drain()
                ticket.drain()
            start = drill.now - timedelta(minutes=before)
            result = Incident(name, drill, start, require_topics.pager, require_topics.ticket)
            try:
                if callable(timeline):
                    for minute in range(max_minutes):
                        m = timeline(drill, minute)
                        if m is None:
                            break
                        drill.advance(1, each_minute=_each(m, expected))
                        if until_paged and result.notified(result.pager_arn):
                            break
                else:
                    for minutes, m in timeline:
                        drill.advance(minutes, each_minute=_each(m, expected))
            except NotEvaluable as why:
                result.error = why
            result.pages = _notices(pager)
            result.tickets = _notices(ticket)
        cache[name] = result
        return result

    return run


def _each(m: Minute, expected: Expected) -> Callable[[AlarmDrill], None]:
    return lambda d: publish(d, m, expected)


# Incidents judged by several checks (SPEC, *How it is graded*).
SPIKE = replace(DAY, slow=0.03)


@pytest.fixture(scope="session")
def latency_spike(incident: Callable[..., Incident]) -> Incident:
    """A 10-minute latency spike (3 % of requests at 2.5 s), then 10 normal minutes."""
    return incident("latency-spike", DAY, [(10, SPIKE), (10, DAY)])


@pytest.fixture(scope="session")
def silence(incident: Callable[..., Incident]) -> Incident:
    """The API serves nothing for 15 minutes (API Gateway publishes nothing)."""
    return incident("silence", DAY, [(15, SILENCE)])


@pytest.fixture(scope="session")
def fast_burn(incident: Callable[..., Incident]) -> Incident:
    """20 % of requests fail for 6 minutes at day traffic, then 15 normal minutes."""
    burning = replace(DAY, failures=400)
    return incident("fast-burn", DAY, [(6, burning), (15, DAY)])


SEVERITY = re.compile(r"\bSEV[12]\b")
URL = re.compile(r"https://\S+")
