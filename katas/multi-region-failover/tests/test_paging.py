"""R8: failing over and failing back page the on-call through the alarm's actions."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R8")
def test_failover_and_failback_page_the_on_call(failover, pager, aws, export, expected):
    topic, alarm_name = export("pagingTopicArn"), export("healthAlarmName")
    alarm = aws("cloudwatch", expected.primary).describe_alarms(AlarmNames=[alarm_name])[
        "MetricAlarms"
    ][0]
    assert topic in alarm.get("AlarmActions", []), (
        f"the alarm's ALARM actions are {alarm.get('AlarmActions')}: failover pages nobody"
    )
    assert topic in alarm.get("OKActions", []), (
        f"the alarm's OK actions are {alarm.get('OKActions')}: nobody learns of the failback"
    )
    failover.healthy()
    inbox = pager(topic)
    failover.take_down()
    pages = inbox()
    assert [(p["AlarmName"], p["NewStateValue"]) for p in pages] == [(alarm_name, "ALARM")]
    failover.healthy()
    assert [p["NewStateValue"] for p in inbox()] == ["OK"]
