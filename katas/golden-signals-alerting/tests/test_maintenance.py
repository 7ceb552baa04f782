"""R4: a maintenance window suppresses paging without losing the alarm state."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import DAY, SPIKE


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
