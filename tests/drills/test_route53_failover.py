"""The Route 53 failover drill: answers from the emulator's records, health as Route 53
decides it (harness/drills/route53_failover.py). Records and checks are made directly
in moto, including groups Route 53 itself would refuse, so the drill's refusals show.
"""

from __future__ import annotations

import uuid

import pytest

from harness.drills.route53_failover import FailoverResolver, ResolutionRefused

PRIMARY_IP, SECONDARY_IP = "203.0.113.10", "198.51.100.10"
REGION = "us-east-1"


@pytest.fixture
def zone(aws_client):
    """A fresh zone and a helper to add records: ``add(name, role=…, check=…, …)``."""
    r53 = aws_client("route53")
    name = f"z{uuid.uuid4().hex[:8]}.example.com"
    zone_id = r53.create_hosted_zone(Name=name, CallerReference=uuid.uuid4().hex)["HostedZone"][
        "Id"
    ].rsplit("/", 1)[-1]

    def add(label, values=None, role=None, check=None, ttl=60, alias=None, ident=None, **extra):
        rr = {"Name": f"{label}.{name}", "Type": "A", **extra}
        if alias:
            rr["AliasTarget"] = {
                "HostedZoneId": zone_id,
                "DNSName": f"{alias[0]}.{name}",
                "EvaluateTargetHealth": alias[1],
            }
        else:
            rr["TTL"] = ttl
            rr["ResourceRecords"] = [{"Value": v} for v in values]
        if role:
            rr["Failover"] = role
            rr["SetIdentifier"] = ident or role.lower()
        if check:
            rr["HealthCheckId"] = check
        r53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rr}]},
        )
        return f"{label}.{name}"

    return zone_id, add


@pytest.fixture
def alarm(aws_client):
    """``alarm()`` -> name of a fresh metric alarm in us-east-1, in INSUFFICIENT_DATA
    (where AWS starts an alarm; moto starts it in OK)."""
    cw = aws_client("cloudwatch", region=REGION)
    made = []

    def make():
        name = f"health-{uuid.uuid4().hex[:8]}"
        cw.put_metric_alarm(
            AlarmName=name,
            MetricName="Up",
            Namespace="Kata",
            Statistic="Minimum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="LessThanThreshold",
        )
        cw.set_alarm_state(AlarmName=name, StateValue="INSUFFICIENT_DATA", StateReason="new")
        made.append(name)
        return name

    yield make
    cw.delete_alarms(AlarmNames=made)


def _alarm_check(aws_client, alarm_name, insufficient=None, **config):
    cfg = {
        "Type": "CLOUDWATCH_METRIC",
        "AlarmIdentifier": {"Name": alarm_name, "Region": REGION},
        **config,
    }
    if insufficient:
        cfg["InsufficientDataHealthStatus"] = insufficient
    return aws_client("route53").create_health_check(
        CallerReference=uuid.uuid4().hex, HealthCheckConfig=cfg
    )["HealthCheck"]["Id"]


def _http_check(aws_client, **config):
    cfg = {"Type": "HTTPS", "FullyQualifiedDomainName": "api.example.com", "Port": 443, **config}
    return aws_client("route53").create_health_check(
        CallerReference=uuid.uuid4().hex, HealthCheckConfig=cfg
    )["HealthCheck"]["Id"]


def test_alarm_drives_failover_and_failback(aws_client, zone, alarm):
    zone_id, add = zone
    name = alarm()
    check = _alarm_check(aws_client, name, insufficient="Unhealthy")
    api = add("api", [PRIMARY_IP], role="PRIMARY", check=check, ttl=30)
    add("api", [SECONDARY_IP], role="SECONDARY", ttl=30)
    resolver = FailoverResolver(aws_client)

    resolver.restore(name, REGION)
    healthy = resolver.resolve(zone_id, api)
    assert (healthy.values, healthy.failover, healthy.ttl) == ([PRIMARY_IP], "PRIMARY", 30)

    change = resolver.take_down(name, REGION)
    assert (change.old_state, change.new_state) == ("OK", "ALARM")
    down = resolver.resolve(zone_id, api)
    assert (down.values, down.failover, down.set_identifier) == (
        [SECONDARY_IP],
        "SECONDARY",
        "secondary",
    )
    assert "which is ALARM" in down.trace[0] and "failing over" in down.trace[-1]

    resolver.restore(name, REGION)
    assert resolver.resolve(zone_id, api + ".").values == [PRIMARY_IP]  # fails back


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("Unhealthy", SECONDARY_IP), ("Healthy", PRIMARY_IP), (None, PRIMARY_IP)],
)
def test_insufficient_data_follows_the_checks_setting(aws_client, zone, alarm, mode, expected):
    zone_id, add = zone
    name = alarm()
    check = _alarm_check(aws_client, name, insufficient=mode)
    api = add("api", [PRIMARY_IP], role="PRIMARY", check=check)
    add("api", [SECONDARY_IP], role="SECONDARY")
    # LastKnownStatus (the default): a new check counts as healthy.
    assert FailoverResolver(aws_client).resolve(zone_id, api).values == [expected]


def test_last_known_status_keeps_the_status_before_data_stopped(aws_client, zone, alarm):
    zone_id, add = zone
    name = alarm()
    check = _alarm_check(aws_client, name, insufficient="LastKnownStatus")
    api = add("api", [PRIMARY_IP], role="PRIMARY", check=check)
    add("api", [SECONDARY_IP], role="SECONDARY")
    resolver = FailoverResolver(aws_client)
    resolver.take_down(name, REGION)
    assert resolver.resolve(zone_id, api).values == [SECONDARY_IP]
    aws_client("cloudwatch", region=REGION).set_alarm_state(
        AlarmName=name, StateValue="INSUFFICIENT_DATA", StateReason="no data"
    )
    answer = resolver.resolve(zone_id, api)
    assert answer.values == [SECONDARY_IP] and "last known status (unhealthy)" in answer.trace[0]


def test_records_without_health_checks_are_always_healthy(aws_client, zone):
    zone_id, add = zone
    # A PRIMARY without a check never fails over, whatever happens to the endpoint.
    api = add("api", [PRIMARY_IP], role="PRIMARY")
    add("api", [SECONDARY_IP], role="SECONDARY", check=_http_check(aws_client))
    answer = FailoverResolver(aws_client).resolve(zone_id, api)
    assert answer.values == [PRIMARY_IP]
    assert "has no health check: always healthy" in answer.trace[0]


def test_endpoint_checks_are_marked_by_the_drill(aws_client, zone):
    zone_id, add = zone
    primary_check, secondary_check = _http_check(aws_client), _http_check(aws_client)
    api = add("api", [PRIMARY_IP], role="PRIMARY", check=primary_check)
    add("api", [SECONDARY_IP], role="SECONDARY", check=secondary_check)
    resolver = FailoverResolver(aws_client)
    assert resolver.resolve(zone_id, api).values == [PRIMARY_IP]  # moto's canned success
    resolver.mark(primary_check, healthy=False)
    assert resolver.resolve(zone_id, api).values == [SECONDARY_IP]
    # Both unhealthy: Route 53 answers with the PRIMARY.
    resolver.mark(secondary_check, healthy=False)
    both = resolver.resolve(zone_id, api)
    assert both.values == [PRIMARY_IP] and not both.healthy
    assert "both unhealthy" in both.trace[-1]


def test_disabled_and_inverted_checks(aws_client, zone):
    zone_id, add = zone
    disabled = _http_check(aws_client, Disabled=True)
    inverted = _http_check(aws_client, Inverted=True)
    a = add("a", [PRIMARY_IP], role="PRIMARY", check=disabled)
    add("a", [SECONDARY_IP], role="SECONDARY")
    b = add("b", [PRIMARY_IP], role="PRIMARY", check=inverted)
    add("b", [SECONDARY_IP], role="SECONDARY")
    resolver = FailoverResolver(aws_client)
    resolver.mark(disabled, healthy=False)  # a disabled check is healthy regardless
    assert resolver.resolve(zone_id, a).values == [PRIMARY_IP]
    assert resolver.resolve(zone_id, b).values == [SECONDARY_IP]  # up, inverted: unhealthy


def test_calculated_check_counts_healthy_children(aws_client, zone):
    zone_id, add = zone
    kids = [_http_check(aws_client) for _ in range(3)]
    calc = aws_client("route53").create_health_check(
        CallerReference=uuid.uuid4().hex,
        HealthCheckConfig={"Type": "CALCULATED", "ChildHealthChecks": kids, "HealthThreshold": 2},
    )["HealthCheck"]["Id"]
    api = add("api", [PRIMARY_IP], role="PRIMARY", check=calc)
    add("api", [SECONDARY_IP], role="SECONDARY")
    resolver = FailoverResolver(aws_client)
    resolver.mark(kids[0], healthy=False)
    assert resolver.resolve(zone_id, api).values == [PRIMARY_IP]  # 2 of 3 still up
    resolver.mark(kids[1], healthy=False)
    assert resolver.resolve(zone_id, api).values == [SECONDARY_IP]


def test_alias_records_evaluate_their_target_and_take_its_ttl(aws_client, zone):
    zone_id, add = zone
    check = _http_check(aws_client)
    add("east", [PRIMARY_IP], check=check, ttl=20)
    add("west", [SECONDARY_IP], ttl=45)
    api = add("api", role="PRIMARY", alias=("east", True))
    add("api", role="SECONDARY", alias=("west", True))
    www = add("www", alias=("api", False))
    resolver = FailoverResolver(aws_client)
    answer = resolver.resolve(zone_id, api)
    assert (answer.values, answer.ttl) == ([PRIMARY_IP], 20)
    resolver.mark(check, healthy=False)  # the alias inherits its target's health
    answer = resolver.resolve(zone_id, api)
    assert (answer.values, answer.ttl, answer.failover) == ([SECONDARY_IP], 45, "SECONDARY")
    assert resolver.resolve(zone_id, www).values == [SECONDARY_IP]


def test_alias_without_evaluate_target_health_ignores_the_target(aws_client, zone):
    zone_id, add = zone
    check = _http_check(aws_client)
    add("east", [PRIMARY_IP], check=check)
    api = add("api", role="PRIMARY", alias=("east", False))
    add("api", [SECONDARY_IP], role="SECONDARY")
    resolver = FailoverResolver(aws_client)
    resolver.mark(check, healthy=False)
    # Route 53 answers with the alias: nothing tells it the target is down.
    assert resolver.resolve(zone_id, api).failover == "PRIMARY"


def test_refuses_groups_route53_would_not_hold(aws_client, zone):
    zone_id, add = zone
    api = add("api", [PRIMARY_IP], role="PRIMARY", ident="one")
    add("api", [SECONDARY_IP], role="PRIMARY", ident="two")  # moto stores it; Route 53 would not
    with pytest.raises(ResolutionRefused, match="2 PRIMARY records"):
        FailoverResolver(aws_client).resolve(zone_id, api)
    mixed = add("mixed", [PRIMARY_IP], role="PRIMARY")
    add("mixed", [SECONDARY_IP], ident="plain", SetIdentifier="plain", Weight=10)
    with pytest.raises(ResolutionRefused, match="not modeled"):
        FailoverResolver(aws_client).resolve(zone_id, mixed)


def test_unknown_names_are_nxdomain(aws_client, zone):
    zone_id, _ = zone
    answer = FailoverResolver(aws_client).resolve(zone_id, "nothing.example.com")
    assert (answer.rcode, answer.values) == ("NXDOMAIN", [])
