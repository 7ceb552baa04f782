"""The alarm evaluation drill against the embedded emulator (harness/drills/cloudwatch/).

Each test defines its alarms through the emulator's API, publishes metric data to the
drill and lets the virtual clock run: states come from the alarms' definitions, are
written back to the emulator, and pages arrive in an SQS queue subscribed to the topic.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.drills.cloudwatch import AlarmDrill, Event, NotEvaluable
from harness.drills.notifications import Inbox

EAST, WEST = "us-east-1", "us-west-2"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NS = "Acme/Shop"
API = {"Service": "api", "Stage": "prod"}
API_DIMS = [{"Name": k, "Value": v} for k, v in API.items()]


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def alarms(aws_client: Callable[..., Any]) -> Iterator[Callable[..., str]]:
    """``alarms(name, region=..., composite=False, **PutMetricAlarm)``; deleted afterwards."""
    made: list[tuple[str, str]] = []

    def make(name: str, region: str = EAST, composite: bool = False, **kwargs: Any) -> str:
        cw = aws_client("cloudwatch", region)
        if composite:
            cw.put_composite_alarm(AlarmName=name, **kwargs)
        else:
            cw.put_metric_alarm(AlarmName=name, **kwargs)
        made.append((region, name))
        return name

    yield make
    for region, name in made:
        aws_client("cloudwatch", region).delete_alarms(AlarmNames=[name])


@pytest.fixture
def topic(aws_client: Callable[..., Any], uid: str) -> Iterator[tuple[str, Inbox]]:
    sns = aws_client("sns", EAST)
    arn = sns.create_topic(Name=f"pages-{uid}")["TopicArn"]
    with Inbox.subscribe(aws_client, arn) as inbox:
        yield arn, inbox
    sns.delete_topic(TopicArn=arn)


def errors_alarm(**overrides: Any) -> dict[str, Any]:
    spec = {
        "Namespace": NS,
        "MetricName": "Errors",
        "Dimensions": API_DIMS,
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 2,
        "Threshold": 5,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "missing",
    }
    return spec | overrides


def emulator_state(aws_client: Callable[..., Any], name: str, region: str = EAST) -> str:
    found = aws_client("cloudwatch", region).describe_alarms(
        AlarmNames=[name], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    [alarm] = found["MetricAlarms"] + found["CompositeAlarms"]
    return alarm["StateValue"]


def test_two_of_three_breaching_minutes_alarm_and_page(aws_client, alarms, topic, uid):
    arn, inbox = topic
    name = alarms(f"errors-{uid}", AlarmActions=[arn], OKActions=[arn], **errors_alarm())
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name])
    assert drill.state(name) == "INSUFFICIENT_DATA"  # as AWS creates it (moto says OK)

    def errors(n: int) -> Callable[[AlarmDrill], None]:
        return lambda d: d.put(NS, "Errors", n, dimensions=API, unit="Count")

    [ok] = drill.advance(minutes=2, each_minute=errors(0))
    assert (ok.old_state, ok.new_state, ok.notified) == ("INSUFFICIENT_DATA", "OK", [arn])
    assert drill.advance(minutes=1, each_minute=errors(9)) == []  # 1 of the last 3
    [fired] = drill.advance(minutes=1, each_minute=errors(9))  # 2 of the last 3
    assert fired.new_state == "ALARM" and drill.minutes_since(fired) == 4
    assert fired.reason.startswith("Threshold Crossed: 2 out of the last 3 datapoints [9.0")
    assert emulator_state(aws_client, name) == "ALARM"  # what Route 53 or CodeDeploy read

    pages = inbox.receive(wait_s=1)
    assert [(p["OldStateValue"], p["NewStateValue"]) for p in pages] == [
        ("INSUFFICIENT_DATA", "OK"),
        ("OK", "ALARM"),
    ]
    assert pages[1]["AlarmName"] == name and pages[1]["Trigger"]["MetricName"] == "Errors"
    assert pages[1]["StateChangeTime"].startswith("2026-11-30T09:04:00")
    assert [e.new_state for e in drill.history(name)] == ["OK", "ALARM"]


def test_an_alarm_sees_only_its_region_dimensions_and_unit(aws_client, alarms, uid):
    right = alarms(f"right-{uid}", **errors_alarm())
    fewer = alarms(f"fewer-dims-{uid}", **errors_alarm(Dimensions=API_DIMS[:1]))
    other = alarms(
        f"other-value-{uid}",
        **errors_alarm(Dimensions=[API_DIMS[0], {"Name": "Stage", "Value": "dev"}]),
    )
    unit = alarms(f"unit-{uid}", **errors_alarm(Unit="Milliseconds"))
    west = alarms(f"west-{uid}", region=WEST, **errors_alarm())
    names = [right, fewer, other, unit, west]
    drill = AlarmDrill(aws_client, [EAST, WEST], start=START, alarms=names)

    drill.advance(
        minutes=3,
        each_minute=lambda d: d.put(NS, "Errors", 50, dimensions=API, unit="Count", region=EAST),
    )
    assert drill.state(right) == "ALARM"
    for blind in (fewer, other, unit):
        assert drill.state(blind) == "INSUFFICIENT_DATA", blind
    assert drill.state(west, WEST) == "INSUFFICIENT_DATA"  # us-east-1 data is not us-west-2's
    assert emulator_state(aws_client, west, WEST) == "INSUFFICIENT_DATA"


def test_silence_treated_as_breaching_alarms_once_the_range_holds_no_real_data(
    aws_client, alarms, uid
):
    # A health signal: Minimum availability < 1 over 3 one-minute periods, no data = down.
    name = alarms(
        f"health-{uid}",
        Namespace=NS,
        MetricName="ApiAvailability",
        Dimensions=[{"Name": "Region", "Value": EAST}],
        Statistic="Minimum",
        Period=60,
        EvaluationPeriods=3,
        Threshold=1,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching",
    )
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name])

    def up(d: AlarmDrill) -> None:
        d.put(NS, "ApiAvailability", 1, dimensions={"Region": EAST})

    def down(d: AlarmDrill) -> None:
        d.put(NS, "ApiAvailability", 0, dimensions={"Region": EAST})

    drill.advance(minutes=5, each_minute=up)
    assert drill.state(name) == "OK"
    silent = drill.now
    events = drill.run(until=lambda d: d.state(name) == "ALARM", max_minutes=10)
    # Real datapoints older than the missing ones still count while the evaluation
    # range (N + 2 periods) holds N of them; then 1, then 2 fills are not 3 of 3.
    assert [e.new_state for e in events] == ["ALARM"]
    assert drill.minutes_between(silent, drill.first(name, "ALARM", after=silent)) == 5

    drill.advance(minutes=3, each_minute=up)
    assert drill.state(name) == "OK"
    failing = drill.now
    drill.run(until=lambda d: d.state(name) == "ALARM", max_minutes=10, each_minute=down)
    fired = drill.first(name, "ALARM", after=failing)
    assert drill.minutes_between(failing, fired) == 3  # a probe reporting 0: N periods
    assert "ApiAvailability" in drill.explain(name) and "OK->ALARM" in drill.explain(name)


def test_error_rate_metric_math_alarm(aws_client, alarms, topic, uid):
    arn, inbox = topic

    def lambda_metric(metric: str, qid: str) -> dict[str, Any]:
        dims = [{"Name": "FunctionName", "Value": "checkout"}]
        return {
            "Id": qid,
            "MetricStat": {
                "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dims},
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        }

    name = alarms(
        f"error-rate-{uid}",
        Metrics=[
            lambda_metric("Errors", "m1"),
            lambda_metric("Invocations", "m2"),
            {"Id": "e1", "Expression": "100 * m1 / m2", "Label": "error %", "ReturnData": True},
        ],
        EvaluationPeriods=2,
        DatapointsToAlarm=2,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[arn],
    )
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name], mirror=True)

    def traffic(errors: int, invocations: int = 200) -> Callable[[AlarmDrill], None]:
        def publish(d: AlarmDrill) -> None:
            d.put("AWS/Lambda", "Invocations", invocations, dimensions={"FunctionName": "checkout"})
            d.put("AWS/Lambda", "Errors", errors, dimensions={"FunctionName": "checkout"})

        return publish

    drill.advance(minutes=3, each_minute=traffic(errors=8))  # 4 %: under the threshold
    assert drill.state(name) == "OK"
    fn = {"FunctionName": "checkout"}
    assert drill.read("AWS/Lambda", "Errors", dimensions=fn) == 8  # the last minute
    assert drill.read("AWS/Lambda", "Errors", dimensions=fn, start=START, period=180) == 24
    assert drill.read("AWS/Lambda", "Errors") is None  # no dimensions: another metric
    events = drill.advance(minutes=2, each_minute=traffic(errors=12))  # 6 %
    assert [e.new_state for e in events] == ["ALARM"]
    [page] = inbox.receive(wait_s=1)
    assert [m["id"] for m in page["Trigger"]["Metrics"]] == ["m1", "m2", "e1"]
    # The mirrored data is in the emulator too.
    stats = aws_client("cloudwatch", EAST).get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "checkout"}],
        StartTime=START,
        EndTime=drill.now,
        Period=300,
        Statistics=["Sum"],
    )
    assert sum(p["Sum"] for p in stats["Datapoints"]) == 3 * 8 + 2 * 12


def test_percentile_alarm_on_latency(aws_client, alarms, uid):
    spec = errors_alarm(MetricName="Latency", ExtendedStatistic="p99", Threshold=1000)
    del spec["Statistic"]
    name = alarms(f"p99-{uid}", **spec | {"EvaluationPeriods": 1, "DatapointsToAlarm": 1})
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name])

    def latency(slow: int) -> Callable[[AlarmDrill], None]:
        return lambda d: d.put(
            NS, "Latency", values=[120, 2500], counts=[1000 - slow, slow], dimensions=API
        )

    drill.advance(minutes=1, each_minute=latency(slow=5))  # 0.5 % slow: p99 is fast
    assert drill.state(name) == "OK"
    drill.advance(minutes=1, each_minute=latency(slow=30))  # 3 % slow
    assert drill.state(name) == "ALARM"


def test_disabled_actions_change_state_and_page_nobody(aws_client, alarms, topic, uid):
    arn, inbox = topic
    name = alarms(
        f"muted-{uid}",
        ActionsEnabled=False,
        AlarmActions=[arn],
        **errors_alarm(EvaluationPeriods=1, DatapointsToAlarm=1),
    )
    with AlarmDrill(aws_client, EAST, start=START, alarms=[name]) as drill:
        [event] = drill.advance(each_minute=lambda d: d.put(NS, "Errors", 50, dimensions=API))
        assert (event.new_state, event.actions, event.notified) == ("ALARM", "disabled", [])
        assert event.skipped == [(arn, "the alarm's actions are disabled")]
        assert inbox.receive(wait_s=1) == []
        assert emulator_state(aws_client, name) == "ALARM"
    assert emulator_state(aws_client, name) == "OK"  # restored as the program left it


def test_composite_alarm_with_an_actions_suppressor(aws_client, alarms, topic, uid):
    arn, inbox = topic
    quick = {"EvaluationPeriods": 1, "DatapointsToAlarm": 1, "TreatMissingData": "notBreaching"}
    errors = alarms(f"errors-{uid}", **errors_alarm(**quick))
    maintenance = alarms(
        f"maintenance-{uid}",
        **errors_alarm(MetricName="Maintenance", Statistic="Maximum", Threshold=0, **quick),
    )
    name = alarms(
        f"page-{uid}",
        composite=True,
        AlarmRule=f'ALARM("{errors}") OR FALSE',
        AlarmActions=[arn],
        OKActions=[arn],
        ActionsSuppressor=maintenance,
        ActionsSuppressorWaitPeriod=60,
        ActionsSuppressorExtensionPeriod=120,
    )
    # Naming the composite brings in the alarms it watches and its suppressor.
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name])
    assert drill.state(name) == "INSUFFICIENT_DATA"
    assert drill.state(maintenance) == "INSUFFICIENT_DATA"

    def of_composite(events: list[Event]) -> list[Event]:
        return [e for e in events if e.alarm == name]

    [ok] = of_composite(drill.advance())  # no data: children OK, so is the composite;
    assert (ok.alarm, ok.new_state, ok.notified) == (name, "OK", [])
    assert ok.actions.startswith("held: waiting 60 s")  # its actions wait for the suppressor
    [sent] = of_composite(drill.advance())  # the suppressor did not fire within the wait
    assert (sent.kind, sent.new_state, sent.notified) == ("actions", "OK", [arn])

    def incident(d: AlarmDrill, in_maintenance: bool = True) -> None:
        d.put(NS, "Errors", 50, dimensions=API)
        # Maintenance ends with a 0, not with silence: with no new data the alarm would
        # keep evaluating the last real 1s of its evaluation range for two more minutes.
        d.put(NS, "Maintenance", 1 if in_maintenance else 0, dimensions=API)

    events = drill.advance(minutes=3, each_minute=incident)
    fired = [e for e in events if e.alarm == name]
    assert [(e.new_state, e.notified) for e in fired] == [("ALARM", [])]
    assert fired[0].actions.startswith("suppressed: the suppressor")
    assert fired[0].reason == (
        f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{errors} transitioned to ALARM "
        "at Monday 30 November, 2026 09:03:00 UTC"
    )
    assert emulator_state(aws_client, name) == "ALARM"  # the state changes, actions do not run

    events = drill.advance(minutes=2, each_minute=lambda d: incident(d, in_maintenance=False))
    assert [e.alarm for e in events] == [maintenance]  # maintenance over; extension runs
    [late] = of_composite(
        drill.advance(minutes=1, each_minute=lambda d: incident(d, in_maintenance=False))
    )
    assert (late.kind, late.new_state, late.notified) == ("actions", "ALARM", [arn])
    assert late.actions == "sent after ExtensionPeriod"
    assert drill.minutes_since(late) == 8  # maintenance left ALARM at minute 6, + 120 s

    pages = inbox.receive(wait_s=1)
    assert [(p["AlarmName"], p["NewStateValue"]) for p in pages] == [(name, "OK"), (name, "ALARM")]
    assert pages[1]["AlarmRule"].startswith(f'ALARM("{errors}")')
    assert pages[1]["TriggeringChildren"] == [
        {
            "Arn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{errors}",
            "State": {"Value": "ALARM"},
        }
    ]


def test_what_the_model_cannot_evaluate_is_said(aws_client, alarms, uid):
    band = alarms(
        f"band-{uid}",
        Metrics=[
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {"Namespace": NS, "MetricName": "Errors", "Dimensions": API_DIMS},
                    "Period": 60,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            },
            {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "ReturnData": True},
        ],
        ThresholdMetricId="ad1",
        EvaluationPeriods=1,
        ComparisonOperator="GreaterThanUpperThreshold",
    )
    fast = alarms(f"ten-seconds-{uid}", **errors_alarm(Period=10))
    broken = alarms(
        f"broken-{uid}", composite=True, AlarmRule=f"ALARM({band}) OR ALARM(nope-{uid})"
    )
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[band, fast, broken])
    drill.advance(minutes=2, each_minute=lambda d: d.put(NS, "Errors", 50, dimensions=API))
    with pytest.raises(NotEvaluable, match="anomaly detection"):
        drill.state(band)
    with pytest.raises(NotEvaluable, match="period of 10 s"):
        drill.state(fast)
    with pytest.raises(NotEvaluable, match="do not exist"):
        drill.state(broken)
    assert drill.explain(band).startswith("not evaluable: alarm band-")
    assert drill.history(band) == []  # nothing was set in its name


def test_describe_alarms_lists_composites_only_when_asked(aws_client, alarms, uid):
    # Emulator patch 10: PutCompositeAlarm is stored; AlarmTypes decides what is listed.
    child = alarms(f"child-{uid}", **errors_alarm())
    parent = alarms(
        f"parent-{uid}",
        composite=True,
        AlarmRule=f"ALARM({child})",
        ActionsSuppressor=child,
        ActionsSuppressorWaitPeriod=60,
        ActionsSuppressorExtensionPeriod=60,
    )
    cw = aws_client("cloudwatch", EAST)
    default = cw.describe_alarms(AlarmNames=[child, parent])
    assert [a["AlarmName"] for a in default["MetricAlarms"]] == [child]
    assert default["CompositeAlarms"] == []
    [described] = cw.describe_alarms(AlarmNames=[parent], AlarmTypes=["CompositeAlarm"])[
        "CompositeAlarms"
    ]
    assert described["AlarmRule"] == f"ALARM({child})"
    assert described["StateValue"] == "INSUFFICIENT_DATA"
    assert (described["ActionsSuppressor"], described["ActionsSuppressorWaitPeriod"]) == (
        child,
        60,
    )


def test_dynamodb_alarms_ignore_missing_data(aws_client, alarms, uid):
    # The User Guide: AWS/DynamoDB alarms keep their state on missing data, whatever
    # TreatMissingData says.
    name = alarms(
        f"throttles-{uid}",
        **errors_alarm(
            Namespace="AWS/DynamoDB",
            MetricName="ThrottledRequests",
            Dimensions=[{"Name": "TableName", "Value": "orders"}],
            EvaluationPeriods=1,
            DatapointsToAlarm=1,
            TreatMissingData="breaching",
        ),
    )
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name])
    assert drill.run(until=START + timedelta(minutes=5)) == []
    assert drill.now == START + timedelta(minutes=5)
    assert drill.state(name) == "INSUFFICIENT_DATA"


def test_a_five_minute_window_slides_with_each_evaluation(aws_client, alarms, uid):
    """*Alarm evaluation windows*: by default the window ends at each evaluation (sliding),
    so a 5-minute alarm sees a burst at 09:02 at the 09:03 evaluation, not at 09:05."""
    name = alarms(
        f"slide-{uid}", **errors_alarm(Period=300, EvaluationPeriods=1, DatapointsToAlarm=1)
    )
    drill = AlarmDrill(aws_client, EAST, start=START, alarms=[name])
    drill.advance(minutes=2)
    drill.advance(minutes=1, each_minute=lambda d: d.put(NS, "Errors", 10, dimensions=API))
    fired = drill.first(name, "ALARM")
    assert fired and fired.at == START + timedelta(minutes=3), drill.explain(name)
    (alarm,) = aws_client("cloudwatch", EAST).describe_alarms(AlarmNames=[name])["MetricAlarms"]
    drill.advance(minutes=3)  # 09:06
    sliding = [p.start for p in drill.datapoints(alarm, EAST)[0]]
    assert sliding[-1] == START + timedelta(minutes=1)  # [09:01, 09:06)
    wall_clock = alarm | {"EvaluationWindow": {"WallClockWindow": {}}}
    aligned = [p.start for p in drill.datapoints(wall_clock, EAST)[0]]
    assert aligned[-1] == START  # [09:00, 09:05): the last period that has ended


def test_the_store_reads_a_period_whatever_order_data_came_in(aws_client):
    """A check may publish history after the present: periods still add up."""
    drill = AlarmDrill(aws_client, EAST, start=START)
    for minute in (5, 1, 3, 0, 4):
        drill.put(NS, "Errors", minute, dimensions=API, timestamp=START + timedelta(minutes=minute))
    assert drill.read(NS, "Errors", dimensions=API, start=START, period=180) == 0 + 1
    assert drill.read(NS, "Errors", dimensions=API, start=START, period=360) == 13


def test_definitions_read_once_unless_asked(aws_client, alarms, uid):
    """``reread=False``: the definitions of the first evaluation hold until ``reload()``;
    the default reads them every minute."""
    name = alarms(f"once-{uid}", **errors_alarm(EvaluationPeriods=1, DatapointsToAlarm=1))
    cached = AlarmDrill(aws_client, EAST, start=START, alarms=[name], reread=False)
    fresh = AlarmDrill(aws_client, EAST, start=START, alarms=[name])
    cached.advance(1)
    aws_client("cloudwatch", EAST).put_metric_alarm(
        AlarmName=name, **errors_alarm(EvaluationPeriods=1, DatapointsToAlarm=1, Threshold=50)
    )

    def errors(d: AlarmDrill) -> None:
        d.put(NS, "Errors", 10, dimensions=API)

    cached.advance(1, each_minute=errors)
    fresh.advance(2, each_minute=errors)
    assert (cached.state(name), fresh.state(name)) == ("ALARM", "OK")
    cached.reload()
    cached.advance(1, each_minute=errors)
    assert cached.state(name) == "OK"
