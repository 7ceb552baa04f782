"""Resolve a name the way Route 53 failover routing answers it.

moto stores failover records and health checks but answers no DNS query and reports
every health check as a canned success. This drill reads the hosted zone's record
sets from the emulator and decides health the way Route 53 does, then picks the
answer as failover routing would.

Failover routing (Route 53 API reference, ResourceRecordSet.Failover):

- the PRIMARY is returned while it is healthy, whatever the SECONDARY's health;
- when the PRIMARY is unhealthy and the SECONDARY healthy, the SECONDARY is returned;
- when the SECONDARY is unhealthy too (or there is none), the PRIMARY is returned;
- a record without a health check is always healthy: a PRIMARY without one never
  fails over, a SECONDARY without one always takes over;
- an alias record with ``EvaluateTargetHealth`` is healthy only if its target is (for a
  target in the same zone: the target name resolves to a healthy record); with a
  health check as well, both must be healthy.

Health checks (Route 53 developer guide, "How Route 53 determines health"):

- CLOUDWATCH_METRIC follows its alarm (``AlarmIdentifier``, read from the emulator):
  OK is healthy, ALARM unhealthy, INSUFFICIENT_DATA whatever
  ``InsufficientDataHealthStatus`` says — Healthy, Unhealthy, or LastKnownStatus (the
  default: the status the check last had; healthy for a new check). The alarm's state
  is the drill's lever: ``harness.drills.cloudwatch_alarms.set_state`` flips it (and
  sends the alarm's notifications);
- CALCULATED is healthy when at least ``HealthThreshold`` of its children are;
- endpoint checks (HTTP, HTTPS, TCP, …) probe nothing here: they are healthy unless
  the drill marked them down (``mark(check_id, healthy=False)``);
- a disabled check is healthy; ``Inverted`` flips the result.

Refusals, where Route 53 would never have stored the group: two PRIMARY (or two
SECONDARY) records for one name and type, or failover and non-failover records mixed.
Routing policies other than simple and failover are not modeled and are refused too.

    resolver = FailoverResolver(aws)
    answer = resolver.resolve(zone_id, "api.example.com")
    answer.values, answer.ttl, answer.failover, answer.trace
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.drills import cloudwatch_alarms


class ResolutionRefused(RuntimeError):
    """Route 53 would not hold (or answer from) these records; the drill will not guess."""


@dataclass
class Answer:
    name: str
    type: str
    values: list[str]  # the record values returned (IPs, a CNAME target, …); [] if none
    ttl: int | None
    set_identifier: str | None = None
    failover: str | None = None  # "PRIMARY" / "SECONDARY" for failover records
    rcode: str = "NOERROR"  # or "NXDOMAIN" when the zone has no record of that name
    healthy: bool = True  # is the answering record healthy (aliases inherit this)
    trace: list[str] = field(default_factory=list)  # why this record was chosen


@dataclass
class Health:
    healthy: bool
    why: str


def _bare(name: str) -> str:
    return name.rstrip(".").lower()


class FailoverResolver:
    """Answers queries from the emulator's records; health decided as Route 53 does.

    ``client(service, region=None)`` is an admin client factory on the emulator.
    """

    def __init__(self, client: Callable[..., Any]) -> None:
        self.client = client
        self.marked: dict[str, bool] = {}  # health check id -> health set by the drill
        self.targets: dict[str, bool] = {}  # alias DNS name (AWS resource) -> health
        self.last_known: dict[str, bool] = {}  # health check id -> last determined status

    # -- the drill's levers ------------------------------------------------------------

    def mark(self, health_check_id: str, healthy: bool) -> None:
        """Set the result of an endpoint health check (what its probes would find)."""
        self.marked[health_check_id] = healthy

    def mark_target(self, dns_name: str, healthy: bool) -> None:
        """Set the health of an alias target outside the zone (a load balancer, …)."""
        self.targets[_bare(dns_name)] = healthy

    def take_down(self, alarm: str, region: str, reason: str = "region failure drill") -> Any:
        """The primary's health signal goes unhealthy: its alarm goes to ALARM."""
        return cloudwatch_alarms.set_state(self.client, alarm, region, "ALARM", reason)

    def restore(self, alarm: str, region: str, reason: str = "region restored") -> Any:
        return cloudwatch_alarms.set_state(self.client, alarm, region, "OK", reason)

    # -- health ------------------------------------------------------------------------

    def health_check(self, check_id: str) -> Health:
        try:
            hc = self.client("route53").get_health_check(HealthCheckId=check_id)["HealthCheck"]
        except Exception as exc:  # a record naming a deleted check
            raise ResolutionRefused(f"health check {check_id} cannot be read: {exc}") from None
        config = hc.get("HealthCheckConfig", {})
        if config.get("Disabled"):
            return Health(True, f"health check {check_id} is disabled (counts as healthy)")
        status = self._status(check_id, config)
        self.last_known[check_id] = status.healthy
        if config.get("Inverted"):
            return Health(not status.healthy, f"{status.why}, inverted")
        return status

    def _status(self, check_id: str, config: dict[str, Any]) -> Health:
        kind = config.get("Type")
        if check_id in self.marked:
            state = "healthy" if self.marked[check_id] else "unhealthy"
            return Health(self.marked[check_id], f"health check {check_id} marked {state}")
        if kind == "CLOUDWATCH_METRIC":
            return self._alarm_status(check_id, config)
        if kind == "CALCULATED":
            children = config.get("ChildHealthChecks") or []
            healthy = sum(1 for c in children if self.health_check(c).healthy)
            need = int(config.get("HealthThreshold") or 0)
            return Health(
                healthy >= need,
                f"calculated health check {check_id}: {healthy}/{len(children)} children "
                f"healthy, {need} needed",
            )
        if kind == "RECOVERY_CONTROL":
            raise ResolutionRefused(f"{kind} health checks are not modeled")
        return Health(True, f"{kind} health check {check_id}: endpoint up (not marked down)")

    def _alarm_status(self, check_id: str, config: dict[str, Any]) -> Health:
        alarm = config.get("AlarmIdentifier") or {}
        if not alarm.get("Name"):
            raise ResolutionRefused(
                f"health check {check_id} is CLOUDWATCH_METRIC but the emulator does not say "
                "which alarm it watches"
            )
        name, region = alarm["Name"], alarm.get("Region", "us-east-1")
        try:
            state = cloudwatch_alarms.describe(self.client, name, region).get("StateValue")
        except KeyError:
            state = "INSUFFICIENT_DATA"  # Route 53 gets no data for an alarm that is gone
        where = f"health check {check_id} follows alarm {name} ({region}), which is {state}"
        if state == "OK":
            return Health(True, where)
        if state == "ALARM":
            return Health(False, where)
        mode = config.get("InsufficientDataHealthStatus") or "LastKnownStatus"
        if mode == "Healthy":
            return Health(True, f"{where}; insufficient data counts as Healthy")
        if mode == "Unhealthy":
            return Health(False, f"{where}; insufficient data counts as Unhealthy")
        last = self.last_known.get(check_id, True)  # a new check starts healthy
        return Health(last, f"{where}; keeps its last known status ({_word(last)})")

    def record_health(self, zone_id: str, rr: dict[str, Any], depth: int = 0) -> Health:
        label = _label(rr)
        reasons, healthy = [], True
        if rr.get("HealthCheckId"):
            check = self.health_check(rr["HealthCheckId"])
            healthy &= check.healthy
            reasons.append(check.why)
        target = rr.get("AliasTarget") or {}
        if target.get("EvaluateTargetHealth"):
            inner = self._target_health(zone_id, target, depth)
            healthy &= inner.healthy
            reasons.append(inner.why)
        if not reasons:
            return Health(True, f"{label} has no health check: always healthy")
        return Health(healthy, f"{label} {_word(healthy)}: " + "; ".join(reasons))

    def _target_health(self, zone_id: str, target: dict[str, Any], depth: int) -> Health:
        dns = _bare(target.get("DNSName", ""))
        if target.get("HostedZoneId", "").rsplit("/", 1)[-1] == zone_id.rsplit("/", 1)[-1]:
            if depth > 8:
                raise ResolutionRefused(f"alias chain through {dns} is too deep (a loop?)")
            answer = self._resolve(zone_id, dns, None, depth + 1)
            healthy = answer.rcode == "NOERROR" and answer.healthy
            return Health(healthy, f"alias target {dns} is {_word(healthy)}")
        healthy = self.targets.get(dns, True)
        return Health(healthy, f"alias target {dns} (outside the zone) is {_word(healthy)}")

    # -- resolution --------------------------------------------------------------------

    def records(self, zone_id: str) -> list[dict[str, Any]]:
        pages = self.client("route53").get_paginator("list_resource_record_sets")
        return [
            rr for page in pages.paginate(HostedZoneId=zone_id) for rr in page["ResourceRecordSets"]
        ]

    def resolve(self, zone_id: str, name: str, rtype: str = "A") -> Answer:
        """The answer Route 53 would give for ``name`` (``rtype``) from this zone now."""
        return self._resolve(zone_id.rsplit("/", 1)[-1], _bare(name), rtype, 0)

    def _resolve(self, zone_id: str, name: str, rtype: str | None, depth: int) -> Answer:
        all_records = [rr for rr in self.records(zone_id) if _bare(rr["Name"]) == name]
        if rtype is None:  # an alias target: whatever type the alias has
            rtype = all_records[0]["Type"] if all_records else "A"
        group = [rr for rr in all_records if rr["Type"] == rtype]
        if not group:
            cname = [rr for rr in all_records if rr["Type"] == "CNAME"]
            if cname:
                group, rtype = cname, "CNAME"
            else:
                rcode = "NOERROR" if all_records else "NXDOMAIN"
                return Answer(name, rtype, [], None, rcode=rcode, trace=[f"no {rtype} record"])
        chosen, trace, healthy = self._choose(zone_id, name, rtype, group, depth)
        values, ttl = self._values(zone_id, chosen, depth)
        answer = Answer(
            name=name,
            type=rtype,
            values=values,
            ttl=ttl,
            set_identifier=chosen.get("SetIdentifier"),
            failover=chosen.get("Failover"),
            healthy=healthy,
            trace=trace,
        )
        return answer

    def _choose(
        self, zone_id: str, name: str, rtype: str, group: list[dict[str, Any]], depth: int
    ) -> tuple[dict[str, Any], list[str], bool]:
        failover = [rr for rr in group if rr.get("Failover")]
        policies = {
            key
            for rr in group
            for key in ("Weight", "Region", "GeoLocation", "MultiValueAnswer")
            if key in rr
        }
        if policies:
            raise ResolutionRefused(f"{name} {rtype}: routing by {sorted(policies)} is not modeled")
        if not failover:
            if len(group) > 1:
                raise ResolutionRefused(f"{name} {rtype}: {len(group)} simple records for one name")
            health = self.record_health(zone_id, group[0], depth)
            return group[0], [f"simple record: {health.why}"], health.healthy
        if len(failover) != len(group):
            raise ResolutionRefused(
                f"{name} {rtype}: failover and non-failover records mixed; Route 53 refuses this"
            )
        primaries = [rr for rr in group if rr["Failover"] == "PRIMARY"]
        secondaries = [rr for rr in group if rr["Failover"] == "SECONDARY"]
        for role, members in (("PRIMARY", primaries), ("SECONDARY", secondaries)):
            if len(members) > 1:
                ids = [rr.get("SetIdentifier") for rr in members]
                raise ResolutionRefused(
                    f"{name} {rtype}: {len(members)} {role} records {ids}; Route 53 allows "
                    "one PRIMARY and one SECONDARY per name and type"
                )
        primary = primaries[0] if primaries else None
        secondary = secondaries[0] if secondaries else None
        trace: list[str] = []
        if primary is None:
            assert secondary is not None
            health = self.record_health(zone_id, secondary, depth)
            return secondary, [f"no PRIMARY; {health.why}"], health.healthy
        p = self.record_health(zone_id, primary, depth)
        trace.append(p.why)
        if p.healthy:
            return primary, [*trace, "PRIMARY is healthy: answering with it"], True
        if secondary is None:
            return primary, [*trace, "no SECONDARY: answering with the PRIMARY anyway"], False
        s = self.record_health(zone_id, secondary, depth)
        trace.append(s.why)
        if s.healthy:
            return secondary, [*trace, "PRIMARY unhealthy, SECONDARY healthy: failing over"], True
        return primary, [*trace, "both unhealthy: Route 53 answers with the PRIMARY"], False

    def _values(self, zone_id: str, rr: dict[str, Any], depth: int) -> tuple[list[str], int | None]:
        target = rr.get("AliasTarget")
        if not target:
            return [r["Value"] for r in rr.get("ResourceRecords", [])], rr.get("TTL")
        dns = _bare(target.get("DNSName", ""))
        if target.get("HostedZoneId", "").rsplit("/", 1)[-1] == zone_id:
            if depth > 8:
                raise ResolutionRefused(f"alias chain through {dns} is too deep (a loop?)")
            inner = self._resolve(zone_id, dns, rr["Type"], depth + 1)
            return inner.values, inner.ttl  # an alias answers with its target's TTL
        return [dns], 60  # an AWS resource (load balancer, …): 60 s, as Route 53 uses


def _label(rr: dict[str, Any]) -> str:
    role = rr.get("Failover")
    ident = rr.get("SetIdentifier")
    return f"{role} {ident!r}" if role else f"record {_bare(rr['Name'])}"


def _word(healthy: bool) -> str:
    return "healthy" if healthy else "unhealthy"
