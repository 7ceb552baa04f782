"""R6, R7: the service name follows the primary's health signal, within the RTO.

The region-failure drill plays the primary region's API: it publishes the availability
metric the SPEC describes (``Acme/Checkout`` ``ApiAvailability``, ``Region`` = the
primary region, in the primary region), then publishes 0 or nothing. The health alarm
is evaluated from its own deployed definition as CloudWatch would
(``harness.drills.cloudwatch``), and the name is resolved as Route 53 failover routing
answers it, the PRIMARY's health check following that alarm
(``harness.drills.route53_failover``). Nothing sets the alarm's state: an alarm on
another metric, dimension or region never sees the outage (nor the recovery).
"""

from __future__ import annotations

import pytest

from harness.emulator.capabilities import require

RTO_TTL = 60  # seconds a resolver may keep answering with the old record
DETECTION_MINUTES = 3  # SPEC R7: "below 1 for at most three minutes"
OUTAGE_LIMIT = 10  # minutes the drill waits for a failover before it gives up


def _fail_over(region_drill, outage: str, expected) -> None:
    """Serve, then fail (``outage``) until the name answers the standby, or give up."""
    for _ in range(OUTAGE_LIMIT):
        getattr(region_drill, outage)(1)
        if region_drill.resolve().values == [expected.secondary_endpoint]:
            return


@pytest.mark.requirement("R6")
def test_healthy_primary_serves_the_name(region_drill, expected, emulator):
    require(emulator, "route53-alarm-health-check")  # LocalStack drops the alarm
    region_drill.serving()
    answer = region_drill.resolve()
    assert answer.values == [expected.primary_endpoint], (
        f"R6: with the primary publishing ApiAvailability = 1 every minute, "
        f"api.{expected.domain} answers {region_drill.explain(answer)}"
    )


@pytest.mark.requirement("R6")
def test_region_failure_fails_over_and_restoring_fails_back(region_drill, expected, emulator):
    require(emulator, "route53-alarm-health-check")  # LocalStack drops the alarm
    region_drill.serving()
    _fail_over(region_drill, "failing", expected)
    down = region_drill.resolve()
    assert down.values == [expected.secondary_endpoint], (
        f"R6: after {OUTAGE_LIMIT} minutes of ApiAvailability = 0 in {expected.primary}, "
        f"api.{expected.domain} still answers {region_drill.explain(down)}"
    )
    region_drill.serving()
    back = region_drill.resolve()
    assert back.values == [expected.primary_endpoint], (
        f"R6: the primary serves again, yet api.{expected.domain} answers "
        f"{region_drill.explain(back)}"
    )


@pytest.mark.requirement("R6")
def test_ttl_keeps_failover_within_the_rto(region_drill, expected, emulator):
    require(emulator, "route53-alarm-health-check")  # LocalStack drops the alarm
    region_drill.serving()
    ttls = {"while the primary serves": region_drill.resolve().ttl}
    _fail_over(region_drill, "silent", expected)
    ttls["after failing over"] = region_drill.resolve().ttl
    too_long = {k: v for k, v in ttls.items() if v is None or v > RTO_TTL}
    assert not too_long, (
        f"R6: the answer's TTL is {too_long} s; resolvers keep a stale answer that long, "
        f"the RTO leaves {RTO_TTL} s"
    )


@pytest.mark.requirement("R7")
def test_a_region_that_stops_reporting_is_unhealthy(region_drill, expected, export, emulator):
    """Silence is detected once the alarm's evaluation range holds too few datapoints
    (CloudWatch looks back N + 2 periods), so it is judged by whether, not how fast:
    the three-minute budget applies to a metric below 1 (next check)."""
    require(emulator, "route53-alarm-health-check")  # LocalStack drops the alarm
    region_drill.serving()
    minutes = region_drill.minutes_until("ALARM", "silent", limit=OUTAGE_LIMIT)
    assert minutes is not None, (
        f"R7: the primary stopped publishing ApiAvailability for {OUTAGE_LIMIT} minutes and "
        f"its health alarm {region_drill.alarm} is still {region_drill.state()}: no data "
        "must count as down"
    )
    health = region_drill.resolver.health_check(export("healthCheckId"))
    assert not health.healthy, (
        f"R7: the primary stopped reporting and its alarm is in ALARM, yet the health "
        f"check counts it healthy ({health.why})"
    )


@pytest.mark.requirement("R7")
def test_the_alarm_detects_an_outage_within_three_minutes(region_drill, expected):
    region_drill.serving()
    assert region_drill.state() == "OK", (
        f"R7: the primary publishes ApiAvailability = 1 every minute "
        f"(Region = {expected.primary}) and its health alarm {region_drill.alarm} is "
        f"{region_drill.state()}, not OK: it does not watch that metric"
    )
    minutes = region_drill.minutes_until("ALARM", "failing")
    assert minutes is not None and minutes <= DETECTION_MINUTES, (
        f"R7: the primary's ApiAvailability is 0 and the health alarm "
        f"{region_drill.alarm} goes to ALARM "
        + (f"after {minutes} minutes" if minutes is not None else "not at all")
        + f"; the SPEC allows {DETECTION_MINUTES}"
    )


@pytest.mark.requirement("R7")
def test_the_alarm_definition_fits_the_detection_budget(aws, export, expected):
    """Read from the deployed definition, as the SPEC states it: period x datapoints
    to alarm (or evaluation periods) ≤ 180 s, missing data breaching."""
    found = aws("cloudwatch", expected.primary).describe_alarms(
        AlarmNames=[export("healthAlarmName")]
    )["MetricAlarms"]
    assert found, f"R7: there is no health alarm {export('healthAlarmName')} in {expected.primary}"
    alarm = found[0]
    periods = alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"]
    detection = alarm["Period"] * periods
    problems = []
    if detection > DETECTION_MINUTES * 60:
        problems.append(f"{periods} breaching periods of {alarm['Period']} s take {detection} s")
    if alarm.get("TreatMissingData") != "breaching":
        problems.append(
            f"missing data is treated as {alarm.get('TreatMissingData', 'missing')}, "
            "not as breaching"
        )
    assert not problems, (
        f"R7: the health alarm {alarm['AlarmName']}: " + "; ".join(problems) + " (SPEC: at most "
        f"{DETECTION_MINUTES * 60} s, no data is down)"
    )


@pytest.mark.requirement("R7")
def test_the_health_check_follows_the_alarm_and_no_data_is_unhealthy(
    aws, export, expected, region_drill, emulator
):
    require(emulator, "route53-alarm-health-check")  # LocalStack drops the alarm
    check = aws("route53").get_health_check(HealthCheckId=export("healthCheckId"))["HealthCheck"]
    config = check["HealthCheckConfig"]
    watched = config.get("AlarmIdentifier") or {}
    assert (
        config["Type"] == "CLOUDWATCH_METRIC"
        and watched.get("Name") == export("healthAlarmName")
        and watched.get("Region") == expected.primary
    ), (
        f"R7: health check {export('healthCheckId')} is {config['Type']} on "
        f"{watched or 'no alarm'}; the SPEC has it follow {export('healthAlarmName')} "
        f"in {expected.primary}"
    )
    # The health check's own input is its alarm's state: INSUFFICIENT_DATA is what a
    # new alarm, or one whose region's CloudWatch is impaired, reports.
    region_drill.serving()
    aws("cloudwatch", expected.primary).set_alarm_state(
        AlarmName=export("healthAlarmName"),
        StateValue="INSUFFICIENT_DATA",
        StateReason="kata-check: the primary's alarm has no data",
    )
    health = region_drill.resolver.health_check(export("healthCheckId"))
    assert not health.healthy, (
        f"R7: the health alarm has insufficient data and the health check counts the "
        f"primary healthy ({health.why}); insufficient data must count as Unhealthy"
    )
