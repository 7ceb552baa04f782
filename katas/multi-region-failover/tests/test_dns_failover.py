"""R6, R7: the service name follows the primary's health signal, within the RTO.

The drill takes the primary down by setting its health alarm's state (what CloudWatch
would do once the availability metric breaches, or stops arriving) and resolves the
service name as Route 53 failover routing would answer it.
"""

from __future__ import annotations

import pytest

RTO_TTL = 60  # seconds a resolver may keep answering with the old record
DETECTION = 180  # seconds from the first bad minute to ALARM


@pytest.mark.requirement("R6")
def test_healthy_primary_serves_the_name(failover, expected):
    failover.healthy()
    answer = failover.resolve()
    assert answer.values == [expected.primary_endpoint], failover.explain(answer)


@pytest.mark.requirement("R6")
def test_region_failure_fails_over_and_restoring_fails_back(failover, expected):
    failover.healthy()
    failover.take_down()
    down = failover.resolve()
    assert down.values == [expected.secondary_endpoint], (
        f"primary down, the name still answers {failover.explain(down)}"
    )
    failover.healthy()
    back = failover.resolve()
    assert back.values == [expected.primary_endpoint], (
        f"primary restored, the name answers {failover.explain(back)}"
    )


@pytest.mark.requirement("R6")
def test_ttl_keeps_failover_within_the_rto(failover):
    failover.healthy()
    ttls = {"healthy": failover.resolve().ttl}
    failover.take_down()
    ttls["failed over"] = failover.resolve().ttl
    too_long = {k: v for k, v in ttls.items() if v is None or v > RTO_TTL}
    assert not too_long, (
        f"TTL {too_long}: resolvers keep the old answer that long; the RTO leaves {RTO_TTL} s"
    )


@pytest.mark.requirement("R7")
def test_no_data_from_the_primary_counts_as_down(failover, expected):
    failover.healthy()
    failover.alarm_state("INSUFFICIENT_DATA", "kata-check: the primary stopped reporting")
    answer = failover.resolve()
    assert answer.values == [expected.secondary_endpoint], (
        f"the primary's metrics stopped arriving and the name still answers "
        f"{failover.explain(answer)}"
    )


@pytest.mark.requirement("R7")
def test_the_alarm_detects_an_outage_within_three_minutes(aws, export, expected):
    alarm = aws("cloudwatch", expected.primary).describe_alarms(
        AlarmNames=[export("healthAlarmName")]
    )["MetricAlarms"]
    assert alarm, f"no alarm {export('healthAlarmName')} in {expected.primary}"
    alarm = alarm[0]
    periods = alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"]
    detection = alarm["Period"] * periods
    problems = []
    if detection > DETECTION:
        problems.append(f"{periods} breaching periods of {alarm['Period']} s = {detection} s")
    if alarm.get("TreatMissingData") != "breaching":
        problems.append(
            f"missing data is treated as {alarm.get('TreatMissingData', 'missing')}: a region "
            "that stops reporting never alarms"
        )
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("R7")
def test_the_primary_record_follows_the_alarm(aws, export, expected):
    check = aws("route53").get_health_check(HealthCheckId=export("healthCheckId"))["HealthCheck"]
    config = check["HealthCheckConfig"]
    assert config["Type"] == "CLOUDWATCH_METRIC", f"health check type {config['Type']}"
    assert config.get("AlarmIdentifier") == {
        "Name": export("healthAlarmName"),
        "Region": expected.primary,
    }, f"the health check watches {config.get('AlarmIdentifier')}"
