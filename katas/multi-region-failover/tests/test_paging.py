"""R8: failing over and failing back page the on-call through the alarm's actions.

The region-failure drill evaluates the health alarm from its definition and runs its
actions as CloudWatch would; a queue subscribed to the paging topic is the pager.
"""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R8")
def test_failover_and_failback_page_the_on_call(region_drill, pager, export):
    topic, alarm = export("pagingTopicArn"), export("healthAlarmName")
    region_drill.serving()
    inbox = pager(topic)
    region_drill.minutes_until("ALARM", "failing")
    pages = [(p.get("AlarmName"), p.get("NewStateValue")) for p in inbox()]
    assert (alarm, "ALARM") in pages, (
        f"R8: the primary failed and its health alarm {alarm} is "
        f"{region_drill.state()}; the topic {topic} received {pages or 'nothing'}, "
        "not the ALARM page"
    )
    region_drill.serving()
    pages = [(p.get("AlarmName"), p.get("NewStateValue")) for p in inbox()]
    assert (alarm, "OK") in pages, (
        f"R8: the primary recovered and its health alarm {alarm} is "
        f"{region_drill.state()}; the topic {topic} received {pages or 'nothing'}, "
        "not the OK page of the failback"
    )
