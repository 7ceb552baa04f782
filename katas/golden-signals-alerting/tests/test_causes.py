"""R3: only composite alarms over the symptoms page; causes open tickets."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import DAY, actions_of

TICKET_WITHIN = 10


@pytest.mark.requirement("R3")
def test_only_composite_alarms_page(alarms, require_topics):
    """R3 composite: a metric alarm on the pager topic pages past the composite (twice per
    incident, and through every maintenance window)."""
    held = alarms()
    direct = sorted(
        a["AlarmName"]
        for a in held
        if not a["_composite"] and require_topics.pager in actions_of(a)
    )
    assert not direct, (
        f"R3 composite: metric alarm(s) {', '.join(direct)} have the pager topic "
        f"{require_topics.pager} among their actions; only composite alarms may page"
    )
    paging = [
        a["AlarmName"]
        for a in held
        if a["_composite"] and require_topics.pager in a.get("AlarmActions", [])
    ]
    assert paging, "R3 composite: no composite alarm has the pager topic among its AlarmActions"


@pytest.mark.requirement("R3")
def test_saturation_opens_a_ticket_and_pages_nobody(incident):
    """R3 causes ticket: 95 concurrent executions (of 100 reserved) for 15 minutes while
    latency, traffic and errors are normal."""
    saturated = incident("saturation", DAY, [(15, replace(DAY, concurrency=95)), (5, DAY)])
    saturated.check_evaluable()
    ticketed = saturated.notified(saturated.ticket_arn)
    assert ticketed and saturated.minute(ticketed[0]) <= TICKET_WITHIN, (
        f"R3 causes ticket: 15 minutes at 95 concurrent executions (80 % of the reserved 100 "
        f"is the line) must notify the ticket topic within {TICKET_WITHIN} minutes; "
        f"tickets: {[t.alarm for t in saturated.tickets] or 'none'}"
    )
    assert saturated.alarm_tickets(), "R3 causes ticket: the ticket never reached its queue"
    assert not saturated.notified(saturated.pager_arn) and not saturated.alarm_pages(), (
        "R3 causes ticket: saturation with healthy symptoms must page nobody: "
        + saturated.describe_pages()
    )
