"""R4: compute follows load. The group's definitions are read from the emulator; the
scaling drill replays the SPEC's week against them (``workers.hours``)."""

from __future__ import annotations

import pytest

OFF_HOURS = (*range(20, 24), *range(0, 7))


def _at(h):
    return f"{h.start:%a %Y-%m-%d %H:%M} UTC"


@pytest.mark.requirement("R4")
def test_target_tracking_on_cpu_between_40_and_75(workers, aws):
    """R4 target-tracking: a target tracking policy on ASGAverageCPUUtilization, 40-75."""
    assert workers.problem is None, workers.problem
    policies = aws("autoscaling").describe_policies(AutoScalingGroupName=workers.name)[
        "ScalingPolicies"
    ]
    seen = []
    for p in policies:
        config = p.get("TargetTrackingConfiguration") or {}
        metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
        seen.append(
            f"{p['PolicyName']}: {p.get('PolicyType')} {metric} {config.get('TargetValue')}"
        )
        if (
            p.get("PolicyType") == "TargetTrackingScaling"
            and metric == "ASGAverageCPUUtilization"
            and p.get("Enabled", True) is not False
            and 40 <= float(config.get("TargetValue", 0)) <= 75
        ):
            return
    pytest.fail(
        f"R4 target-tracking: group {workers.name} has no enabled target tracking policy on "
        f"ASGAverageCPUUtilization with a target between 40 and 75 "
        f"(its policies: {'; '.join(seen) or 'none'})"
    )


@pytest.mark.requirement("R4")
def test_at_least_two_instances_in_two_zones_at_every_hour(workers):
    """R4 ha-minimum: at least 2 instances at every hour, in at least two zones."""
    workers.need_judged()
    zones = sorted(set(workers.group.get("AvailabilityZones") or []))
    assert len(zones) >= 2, (
        f"R4 ha-minimum: group {workers.name} runs in {len(zones)} Availability Zone(s) "
        f"({', '.join(zones) or 'none'}), not at least two"
    )
    low = [h for h in workers.hours if h.running < 2]
    assert not low, (
        f"R4 ha-minimum: group {workers.name} runs {low[0].running} instance(s) at "
        f"{_at(low[0])} (minimum in force {low[0].min_size}), and at {len(low)} hour(s) of the "
        f"replayed weeks in all: fewer than 2"
    )


@pytest.mark.requirement("R4")
def test_the_maximum_costs_at_most_2_50_usd_an_hour(workers):
    """R4 max-bounds-spend: max size x hourly list price <= USD 2.50, at any hour."""
    workers.need_judged()
    worst = max(workers.hours, key=lambda h: h.max_size)
    cost = worst.max_size * workers.hourly_price
    assert cost <= 2.50, (
        f"R4 max-bounds-spend: group {workers.name} may grow to {worst.max_size} x "
        f"{workers.instance_type} (at {_at(worst)}): USD {cost:.2f} an hour, more than 2.50"
    )


@pytest.mark.requirement("R4")
def test_at_least_four_instances_during_business_hours(workers):
    """R4 business-hours-floor: from 07:00 to 20:00 UTC the minimum in force is at least 4."""
    workers.need_judged()
    low = [h for h in workers.hours if 7 <= h.start.hour < 20 and h.min_size < 4]
    assert not low, (
        f"R4 business-hours-floor: at {_at(low[0])} group {workers.name}'s minimum is "
        f"{low[0].min_size}, so {low[0].running} instance(s) may run: not at least 4 whatever "
        f"the load ({len(low)} business hour(s) of the replayed weeks in all)"
    )


@pytest.mark.requirement("R4")
def test_the_fleet_scales_in_off_hours(workers, kata):
    """R4 off-hours-scale-in: from 20:00 to 07:00 UTC at most max(2, target tracking's ask)."""
    workers.need_judged()
    over = [
        h
        for h in workers.hours
        if h.start.hour in OFF_HOURS and h.running > max(2, kata.need_per_hour(workers, h))
    ]
    assert not over, (
        f"R4 off-hours-scale-in: at {_at(over[0])} group {workers.name} runs "
        f"{over[0].running} instances (minimum in force {over[0].min_size}) for "
        f"{over[0].load:g} jobs, which need {max(2, kata.need_per_hour(workers, over[0]))} "
        f"({len(over)} off-hour(s) of the replayed weeks in all)"
    )


@pytest.mark.requirement("R4")
def test_instances_come_from_the_allowed_families(workers, aws, kata):
    """R4 allowed-families: the launch template's instance type, and every instance the
    group runs, is of the family c6g, c7g or c7i."""
    assert workers.problem is None, workers.problem
    types = {workers.instance_type} | {
        i.get("InstanceType") for i in workers.group.get("Instances") or [] if i.get("InstanceType")
    }
    wrong = sorted(t for t in types if t.split(".", 1)[0] not in kata.allowed_families)
    assert not wrong, (
        f"R4 allowed-families: group {workers.name} runs {', '.join(wrong)}, not of the "
        f"families {', '.join(kata.allowed_families)}"
    )
