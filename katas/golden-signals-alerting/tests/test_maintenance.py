"""R4: a maintenance window suppresses paging without losing the alarm state."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import DAY, SPIKE, actions_of, metrics_watched

from harness.drills.cloudwatch import NotEvaluable
from harness.drills.cloudwatch.composite import resolve_reference
from harness.pytest_plugin import not_evaluable

WINDOW_METRIC = "MaintenanceWindow"


@pytest.fixture(scope="module")
def spike_in_maintenance(incident):
    """The maintenance window opens, a 10-minute latency spike happens inside it, the
    spike ends, the window closes; then 10 normal minutes."""
    window = replace(DAY, maintenance=True)
    return incident(
        "spike-in-maintenance",
        DAY,
        [(3, window), (10, replace(SPIKE, maintenance=True)), (10, window), (10, DAY)],
    )


@pytest.mark.requirement("R4")
def test_a_spike_during_maintenance_pages_nobody(spike_in_maintenance):
    spike_in_maintenance.check_evaluable()
    pages = spike_in_maintenance.alarm_pages()
    assert not pages, (
        "R4 suppressed: a latency spike inside a maintenance window paged "
        f"({', '.join(p.alarm for p in pages)}): {spike_in_maintenance.describe_pages()} "
        "(is the maintenance alarm the paging composite's actions suppressor?)"
    )


@pytest.mark.requirement("R4")
def test_the_paging_alarm_still_shows_the_incident(spike_in_maintenance, alarms, require_topics):
    """R4 state kept: the composite's state goes to ALARM; only its actions are held."""
    spike_in_maintenance.check_evaluable()
    paging = {
        a["AlarmName"]
        for a in alarms()
        if a["_composite"] and require_topics.pager in a.get("AlarmActions", [])
    }
    assert paging, "R4 state kept: no composite alarm pages the pager topic"
    entered = sorted(
        {
            e.alarm
            for e in spike_in_maintenance.drill.events
            if e.alarm in paging and e.new_state == "ALARM"
        }
    )
    assert entered, (
        f"R4 state kept: during the maintenance window no paging composite "
        f"({', '.join(sorted(paging))}) went to ALARM for the latency spike: the window must "
        "hold its actions (actions suppressor), not hide its state (a rule with NOT ALARM)"
    )


def _window_alarms(held: list[dict]) -> dict[str, dict]:
    """Metric alarms on MaintenanceWindow (plain or metric math), by name."""
    return {
        a["AlarmName"]: a
        for a in held
        if not a["_composite"] and WINDOW_METRIC in metrics_watched(a)
    }


def _suppressor(incident, composite: dict, region: str) -> str | None:
    ref = composite.get("ActionsSuppressor")
    if not ref:
        return None
    try:
        return resolve_reference(ref, region, incident.drill.account)
    except NotEvaluable as why:
        not_evaluable("moto", f"R4: {composite['AlarmName']}: {why}")
        raise  # not reached: not_evaluable raises


@pytest.mark.requirement("R4")
def test_every_paging_composite_is_held_by_the_maintenance_alarm(
    spike_in_maintenance, alarms, require_topics, expected
):
    """R4 every composite: the maintenance alarm is the actions suppressor of *every*
    composite that pages (a slow or fast burn during a window must not page either)."""
    held = alarms()
    window = _window_alarms(held)
    assert window, f"R4: no metric alarm watches {WINDOW_METRIC} (the maintenance alarm)"
    rules = {a["AlarmName"]: a.get("AlarmRule", "") for a in held if a["_composite"]}
    wrong = []
    for a in held:
        if not a["_composite"] or require_topics.pager not in actions_of(a):
            continue
        name = _suppressor(spike_in_maintenance, a, expected.region)
        if name is None:
            wrong.append(f"{a['AlarmName']} has no actions suppressor")
        elif name not in window and not any(w in rules.get(name, "") for w in window):
            wrong.append(
                f"{a['AlarmName']}'s actions suppressor is {name}, not the maintenance alarm "
                f"({', '.join(sorted(window))})"
            )
    assert not wrong, (
        "R4 every-composite: the maintenance alarm must be the actions suppressor of every "
        "composite alarm that pages: " + "; ".join(wrong)
    )


@pytest.mark.requirement("R4")
def test_the_maintenance_alarm_is_ok_outside_windows(
    spike_in_maintenance, alarms, require_topics, expected
):
    """R4 window alarm: ALARM while MaintenanceWindow is published, OK when it is not (no
    data is not breaching) -- judged ten minutes after the window closed."""
    spike_in_maintenance.check_evaluable()
    held = alarms()
    window = _window_alarms(held)
    assert window, f"R4: no metric alarm watches {WINDOW_METRIC} (the maintenance alarm)"
    # The maintenance alarm is the one the paging composites name; if none does, judge
    # every alarm on the window metric.
    named = {
        _suppressor(spike_in_maintenance, a, expected.region)
        for a in held
        if a["_composite"] and require_topics.pager in actions_of(a)
    }
    judged = sorted(n for n in window if n in named) or sorted(window)
    drill = spike_in_maintenance.drill
    wrong = []
    for name in judged:
        if drill.first(name, "ALARM", after=spike_in_maintenance.start) is None:
            wrong.append(f"{name} never went to ALARM while the window was open")
        state = drill.state(name)
        if state != "OK":
            wrong.append(
                f"{name} is {state}, not OK, ten minutes after the window closed "
                f"(TreatMissingData: {window[name].get('TreatMissingData', 'missing')})"
            )
    assert not wrong, (
        "R4 window-alarm: the maintenance alarm must be in ALARM while MaintenanceWindow is "
        "published and in OK when it is not (no data is not breaching): " + "; ".join(wrong)
    )
