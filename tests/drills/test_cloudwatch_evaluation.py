"""The alarm evaluation rules, without an emulator (harness/drills/cloudwatch/).

The missing-data cases are the two tables of the CloudWatch User Guide ("How alarm
state is evaluated when data is missing"), row by row and column by column.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harness.drills.cloudwatch import composite, metric_math, statistics
from harness.drills.cloudwatch.evaluation import Datapoint, NotEvaluable, decide
from harness.drills.cloudwatch.store import MetricStore

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
KEEP = None  # "Retain current state"


def points(pattern: str) -> list[Datapoint]:
    """``"0 - X - X"``: 0 within the threshold, X breaching, - missing (oldest first)."""
    value = {"0": 0.0, "X": 5.0, "-": None}
    return [Datapoint(T0 + timedelta(minutes=i), value[c]) for i, c in enumerate(pattern.split())]


def state(pattern: str, treat: str, n: int = 3, m: int | None = 3) -> str | None:
    return decide(
        points(pattern),
        evaluation_periods=n,
        datapoints_to_alarm=m,
        comparison="GreaterThanThreshold",
        threshold=1.0,
        treat_missing=treat,
    ).state


TREATS = ("missing", "ignore", "breaching", "notBreaching")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("0 - X - X", ("OK", "OK", "OK", "OK")),
        ("0 - - - -", ("OK", "OK", "OK", "OK")),
        ("- - - - -", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
        ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
        ("- - X - -", ("ALARM", KEEP, "ALARM", "OK")),  # the premature-alarm rule
    ],
)
def test_guide_table_3_of_3(pattern, expected):
    assert tuple(state(pattern, t) for t in TREATS) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
        ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
        ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
        ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
        ("- - - X -", ("ALARM", KEEP, "ALARM", "OK")),
    ],
)
def test_guide_table_2_of_3(pattern, expected):
    assert tuple(state(pattern, t, m=2) for t in TREATS) == expected


def test_a_fresh_breach_is_not_yet_an_alarm_under_missing():
    # "- - - - X": the next point may be within the threshold (premature transition).
    assert state("- - - - X", "missing") == "OK"
    assert state("- - - X -", "missing") == "OK"


def test_m_of_n_counts_only_the_n_most_recent_real_points():
    assert state("X X 0 0 0", "missing", m=2) == "OK"  # the breaches are older than N
    assert state("0 0 X 0 X", "missing", m=2) == "ALARM"
    assert state("0 0 X 0 X", "missing", m=3) == "OK"
    assert state("X", "missing", n=1, m=None) == "ALARM"  # DatapointsToAlarm defaults to N


def test_the_default_treatment_is_missing():
    assert state("- - - - -", None) == "INSUFFICIENT_DATA"


def test_reason_names_the_datapoints_and_threshold():
    decision = decide(
        points("0 X X X"),
        evaluation_periods=3,
        datapoints_to_alarm=2,
        comparison="GreaterThanOrEqualToThreshold",
        threshold=5.0,
        treat_missing="missing",
    )
    assert decision.state == "ALARM"
    assert decision.reason.startswith("Threshold Crossed: 3 out of the last 3 datapoints [5.0 (")
    assert "greater than or equal to the threshold (5.0)" in decision.reason


@pytest.mark.parametrize(
    ("operator", "value", "breaches"),
    [
        ("GreaterThanThreshold", 1.0, False),
        ("GreaterThanOrEqualToThreshold", 1.0, True),
        ("LessThanThreshold", 1.0, False),
        ("LessThanOrEqualToThreshold", 1.0, True),
        ("LessThanThreshold", 0.5, True),
    ],
)
def test_comparison_operators_at_the_threshold(operator, value, breaches):
    decision = decide(
        [Datapoint(T0, value)],
        evaluation_periods=1,
        datapoints_to_alarm=1,
        comparison=operator,
        threshold=1.0,
    )
    assert decision.state == ("ALARM" if breaches else "OK")


def test_anomaly_detection_is_not_evaluable_rather_than_ok():
    with pytest.raises(NotEvaluable, match="anomaly detection"):
        decide(
            points("X X X"),
            evaluation_periods=3,
            datapoints_to_alarm=3,
            comparison="LessThanLowerOrGreaterThanUpperThreshold",
            threshold=0,
        )


def test_low_sample_percentile_keeps_the_state_when_told_to_ignore():
    few = [Datapoint(T0, 900.0, low_samples=True)]
    kwargs = {"evaluation_periods": 1, "datapoints_to_alarm": 1}
    kwargs |= {"comparison": "GreaterThanThreshold", "threshold": 500.0}
    assert decide(few, ignore_low_samples=True, **kwargs).state is None
    assert decide(few, ignore_low_samples=False, **kwargs).state == "ALARM"


# --- statistics -------------------------------------------------------------------------


def period_of(*values: float, counts: list[float] | None = None) -> statistics.Period:
    p = statistics.Period()
    if counts is None:
        counts = [1.0] * len(values)
    merged: dict[float, float] = {}
    for v, c in zip(values, counts, strict=True):
        merged[v] = merged.get(v, 0.0) + c
    p.add_values(merged)
    return p


def test_plain_statistics():
    p = period_of(1, 2, 3, 10)
    got = {s: statistics.compute(p, s) for s in statistics.PLAIN}
    assert got == {"SampleCount": 4, "Sum": 16, "Average": 4, "Minimum": 1, "Maximum": 10}


def test_percentiles_interpolate_between_closest_ranks():
    ten = period_of(*range(1, 11))
    assert statistics.compute(ten, "p50") == pytest.approx(5.5)
    assert statistics.compute(ten, "p90") == pytest.approx(9.1)
    assert statistics.compute(ten, "p99.9") == pytest.approx(9.991)
    assert statistics.compute(ten, "p100") == 10 and statistics.compute(ten, "p0") == 1
    # Values with counts are the same samples: 99 fast requests and one slow one. The
    # rank of p99 is 0.99 * 99 = 98.01, between the last fast one and the slow one.
    latency = period_of(100.0, 3000.0, counts=[99, 1])
    assert statistics.compute(latency, "p50") == pytest.approx(100.0)
    assert statistics.compute(latency, "p99") == pytest.approx(100 + 0.01 * 2900)


def test_trimmed_and_winsorized_statistics():
    ten = period_of(*range(1, 11))
    assert statistics.compute(ten, "tm90") == pytest.approx(5.0)  # drops the top 10 %
    assert statistics.compute(ten, "tc90") == pytest.approx(9.0)
    assert statistics.compute(ten, "ts90") == pytest.approx(45.0)
    assert statistics.compute(ten, "IQM") == pytest.approx(5.5)
    assert statistics.compute(ten, "TM(2:8)") == pytest.approx(5.5)  # values in (2, 8]
    assert statistics.compute(ten, "wm90") == pytest.approx((45 + 9.1) / 10)
    assert statistics.compute(ten, "PR(:5)") == pytest.approx(50.0)
    assert statistics.compute(period_of(*range(1, 16)), "tc90") == pytest.approx(13.5)


def test_percentiles_are_unavailable_where_cloudwatch_has_none():
    s = statistics.Period()
    s.add_statistic_set(count=10, total=55, minimum=1, maximum=10)
    assert statistics.compute(s, "Average") == 5.5
    with pytest.raises(statistics.StatisticUnavailable, match="statistic set"):
        statistics.compute(s, "p90")
    same = statistics.Period()
    same.add_statistic_set(count=4, total=8, minimum=2, maximum=2)  # equivalent to raw values
    assert statistics.compute(same, "p90") == 2
    with pytest.raises(statistics.StatisticUnavailable, match="negative"):
        statistics.compute(period_of(-1, 5), "p50")
    with pytest.raises(statistics.UnknownStatistic):
        statistics.compute(period_of(1), "median")


def test_low_sample_count_thresholds():
    assert statistics.low_sample_count(period_of(*range(999)), "p99")  # needs 1000
    assert not statistics.low_sample_count(period_of(*range(1000)), "p99")
    assert statistics.low_sample_count(period_of(*range(99)), "p10")  # needs 10/0.1 = 100
    assert not statistics.low_sample_count(period_of(1), "Average")


def test_store_matches_the_whole_dimension_set_region_and_unit():
    store = MetricStore()
    dims = {"FunctionName": "checkout", "Resource": "checkout:live"}
    store.put("AWS/Lambda", "Errors", 4, region="us-east-1", timestamp=T0, dimensions=dims)
    store.put("AWS/Lambda", "Errors", 1, region="us-east-1", timestamp=T0, unit="Count")

    def total(region, dimensions, unit=None):
        return store.period(region, "AWS/Lambda", "Errors", dimensions, T0, 60, unit).total

    assert total("us-east-1", dims) == 4
    as_api = [
        {"Name": "Resource", "Value": "checkout:live"},
        {"Name": "FunctionName", "Value": "checkout"},
    ]
    assert total("us-east-1", as_api) == 4  # order does not matter, the set does
    assert total("us-east-1", {"FunctionName": "checkout"}) == 0  # fewer dimensions
    assert total("us-west-2", dims) == 0  # another region
    assert total("us-east-1", None) == 1  # no dimensions is its own metric
    assert total("us-east-1", None, unit="Count") == 1
    assert total("us-east-1", dims, unit="Count") == 0  # published without a unit: "None"
    with pytest.raises(ValueError, match="exactly one"):
        store.put("A", "B", 1, values=[1], region="us-east-1", timestamp=T0)


# --- metric math ------------------------------------------------------------------------

GRID = [T0 + timedelta(minutes=i) for i in range(5)]


def math_eval(expression: str, **series: dict[int, float]) -> object:
    data = {k: {GRID[i]: v for i, v in s.items()} for k, s in series.items()}
    result = metric_math.evaluate(expression, data.__getitem__, GRID)
    if isinstance(result, dict):
        return {GRID.index(t): v for t, v in result.items()}
    return result


def test_error_rate_is_errors_over_requests_where_both_have_data():
    errors = {0: 1.0, 1: 10.0, 3: 0.0}
    requests = {0: 100.0, 1: 100.0, 2: 50.0, 3: 0.0}
    # m1/m2: timestamp 2 has no errors datapoint, timestamp 3 divides by zero: no value.
    assert math_eval("100 * m1 / m2", m1=errors, m2=requests) == {0: 1.0, 1: 10.0}
    assert math_eval("100 * FILL(m1, 0) / m2", m1=errors, m2=requests) == {0: 1, 1: 10, 2: 0}
    guarded = math_eval("IF(m2 > 0, m1 / m2, 0)", m1=errors, m2=requests)
    assert guarded == {0: 0.01, 1: 0.1, 3: 0}


def test_fill_modes_and_functions():
    m1 = {1: 10.0, 3: 30.0}
    assert math_eval("FILL(m1, 0)", m1=m1) == {0: 0, 1: 10, 2: 0, 3: 30, 4: 0}
    assert math_eval("FILL(m1, REPEAT)", m1=m1) == {1: 10, 2: 10, 3: 30, 4: 30}
    assert math_eval("FILL(m1, LINEAR)", m1=m1) == {1: 10, 2: 20, 3: 30}
    assert math_eval("ABS(-m1) + 2 ^ 2", m1=m1) == {1: 14, 3: 34}
    assert math_eval("MAX(m1)", m1=m1) == 30
    assert math_eval("SUM([m1, m2])", m1=m1, m2={0: 1.0, 1: 1.0}) == {0: 1, 1: 11, 3: 30}
    assert math_eval("IF(m1 >= 20 AND NOT m1 == 25, 1)", m1=m1) == {3: 1}


def test_unknown_functions_are_not_evaluable():
    with pytest.raises(NotEvaluable, match="ANOMALY_DETECTION_BAND"):
        math_eval("ANOMALY_DETECTION_BAND(m1, 2)", m1={0: 1.0})
    queries = [
        {"Id": "m1", "MetricStat": {"Metric": {}}, "ReturnData": False},
        {"Id": "e1", "Expression": "m1 + m9"},
    ]
    with pytest.raises(NotEvaluable, match="'m9', which is not one of the alarm's queries"):
        metric_math.evaluate_queries(queries, lambda q: {}, GRID)


def test_alarm_queries_need_one_returned_expression():
    queries = [
        {"Id": "m1", "MetricStat": {"Metric": {}}, "ReturnData": False},
        {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True},
    ]
    result_id, series = metric_math.evaluate_queries(queries, lambda q: {GRID[0]: 3.0}, GRID)
    assert (result_id, series) == ("e1", {GRID[0]: 6.0})
    queries[0]["ReturnData"] = True
    with pytest.raises(NotEvaluable, match="exactly one"):
        metric_math.evaluate_queries(queries, lambda q: {}, GRID)


# --- composite alarms -------------------------------------------------------------------

ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('ALARM("api errors")', True),
        ("ALARM(latency)", False),
        ("OK(latency) AND ALARM('x')", None),  # single quotes are not AWS's quoting
        (f"ALARM({ARN}api errors) OR ALARM(latency)", True),
        ('ALARM("api errors") AND NOT OK(latency)', False),
        ("(ALARM(latency) OR INSUFFICIENT_DATA(fresh)) AND TRUE", True),
        ("NOT ALARM(latency) AND FALSE", False),
    ],
)
def test_alarm_rules(rule, expected):
    states = {"api errors": "ALARM", "latency": "OK", "fresh": "INSUFFICIENT_DATA"}

    def state_of(ref: str) -> str:
        return states[composite.resolve_reference(ref, "us-east-1", "123456789012")]

    if expected is None:
        with pytest.raises(KeyError):
            composite.holds(composite.parse_rule(rule), state_of)
        return
    assert composite.holds(composite.parse_rule(rule), state_of) is expected


def test_rules_aws_would_refuse_are_not_evaluable():
    for bad in ("ALARM(a) AND", "ALARM(a", "MAYBE(a)", "ALARM()", "ALARM(a) OK(b)"):
        with pytest.raises(NotEvaluable):
            composite.parse_rule(bad)
    with pytest.raises(NotEvaluable, match="own region and account"):
        composite.resolve_reference(ARN.replace("us-east-1", "eu-west-1") + "a", "us-east-1", "1")


def test_suppressor_in_alarm_holds_actions_until_the_extension_ends():
    s = composite.Suppression("maintenance", wait_s=120, extension_s=180)
    assert s.on_change("OK", "ALARM", "r", T0, "ALARM").startswith("suppressed")
    assert s.tick(T0 + timedelta(minutes=1), "ALARM") is None
    assert s.tick(T0 + timedelta(minutes=2), "OK") is None  # extension starts
    assert s.held is not None and s.held.by == "ExtensionPeriod"
    assert s.tick(T0 + timedelta(minutes=4), "OK") is None
    held = s.tick(T0 + timedelta(minutes=5), "OK")  # 180 s after the suppressor left ALARM
    assert held is not None and held.state == "ALARM"


def test_wait_period_runs_actions_unless_the_suppressor_fires_in_time():
    s = composite.Suppression("maintenance", wait_s=120, extension_s=0)
    assert s.on_change("OK", "ALARM", "r", T0, "OK").startswith("held")
    assert s.tick(T0 + timedelta(minutes=1), "OK") is None
    assert s.tick(T0 + timedelta(minutes=2), "OK").state == "ALARM"  # the wait ended

    s.on_change("ALARM", "OK", "r", T0, "OK")
    assert s.tick(T0 + timedelta(minutes=1), "ALARM") is None  # suppressor fired in time
    assert s.held is not None and s.held.by == "Alarm"
    assert s.tick(T0 + timedelta(minutes=2), "OK").state == "OK"  # no extension: run now


def test_a_new_state_change_drops_held_actions_and_no_suppressor_runs_at_once():
    s = composite.Suppression("maintenance", wait_s=300)
    s.on_change("OK", "ALARM", "r", T0, "OK")
    assert s.on_change("ALARM", "OK", "r", T0 + timedelta(minutes=1), "ALARM").startswith(
        "suppressed"
    )
    assert s.held is not None and s.held.state == "OK"
    assert composite.Suppression(None).on_change("OK", "ALARM", "r", T0, None) == "run"
