"""Alarm state changes and the notifications CloudWatch sends for them.

Two kinds of callers use this module. :func:`run_actions` and :func:`notification`
are what CloudWatch does on a state change; the alarm evaluation drill
(``harness.drills.cloudwatch``) calls them when an alarm's *definition*, evaluated on
published metric data, changes its state. :func:`set_state` is a **shortcut**: it
forces a state without any metric data, so an alarm on the wrong metric, dimension or
region still "fires". It stays for checks not yet migrated to the evaluation drill;
new checks publish data and let ``AlarmDrill`` decide.

Models: a CloudWatch metric alarm changing state and running its actions. In AWS,
when an alarm *changes* state (OK -> ALARM, ALARM -> OK, … -> INSUFFICIENT_DATA) and
its actions are enabled, CloudWatch publishes one JSON notification to every SNS topic
in the action list of the new state (``AlarmActions``, ``OKActions``,
``InsufficientDataActions``). Setting the state it already has changes nothing and
notifies nobody. A topic must be in the alarm's region (PutMetricAlarm refuses
others), so a topic elsewhere is reported as not notified.

moto stores alarms and lets ``SetAlarmState`` flip them but never runs an action, so
``set_state`` does both: it sets the state through the emulator's API, then publishes
what CloudWatch would publish (the documented notification fields: ``AlarmName``,
``NewStateValue``, ``OldStateValue``, ``NewStateReason``, ``Trigger``, …; subject
``ALARM: "name" in US East (N. Virginia)``). Actions that are not SNS topics
(Auto Scaling, EC2, Systems Manager) are not modeled and are listed as skipped.

    change = set_state(aws, "primary-health", "us-east-1", "ALARM", "region drill")
    change.notified            # topic ARNs a notification was published to
    set_state(aws, "primary-health", "us-east-1", "OK", "region restored")
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
ACTION_LISTS = {
    "ALARM": "AlarmActions",
    "OK": "OKActions",
    "INSUFFICIENT_DATA": "InsufficientDataActions",
}
# The long region names CloudWatch writes into notifications.
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "ca-central-1": "Canada (Central)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-north-1": "EU (Stockholm)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "sa-east-1": "South America (Sao Paulo)",
}


@dataclass
class AlarmChange:
    alarm: str
    region: str
    old_state: str
    new_state: str
    notified: list[str] = field(default_factory=list)  # SNS topic ARNs published to
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (action ARN, why)
    message: dict[str, Any] = field(default_factory=dict)  # what was published

    @property
    def changed(self) -> bool:
        return self.old_state != self.new_state


def describe(client: Callable[..., Any], alarm: str, region: str) -> dict[str, Any]:
    """The alarm as CloudWatch describes it; KeyError if there is none."""
    found = client("cloudwatch", region).describe_alarms(AlarmNames=[alarm])["MetricAlarms"]
    if not found:
        raise KeyError(f"no CloudWatch alarm {alarm!r} in {region}")
    return found[0]


def set_state(
    client: Callable[..., Any], alarm: str, region: str, state: str, reason: str = "kata drill"
) -> AlarmChange:
    """Shortcut: force the alarm's state and run its SNS actions as CloudWatch would.

    The state is *set*, not evaluated from the alarm's definition: prefer
    ``harness.drills.cloudwatch.AlarmDrill``, which publishes metric data and lets the
    alarm's metric, dimensions, region, statistic and thresholds decide.
    ``client(service, region)`` is an admin client factory on the emulator (the ``aws``
    fixture of a kata's checks).
    """
    if state not in STATES:
        raise ValueError(f"state must be one of {STATES}, not {state!r}")
    before = describe(client, alarm, region)
    old = before.get("StateValue", "INSUFFICIENT_DATA")
    client("cloudwatch", region).set_alarm_state(
        AlarmName=alarm, StateValue=state, StateReason=reason
    )
    change = AlarmChange(alarm=alarm, region=region, old_state=old, new_state=state)
    if not change.changed:
        return change  # no transition, no notification
    change.message = notification(before, old, state, reason, region)
    change.notified, change.skipped = run_actions(client, before, region, state, change.message)
    return change


def run_actions(
    client: Callable[..., Any],
    alarm: dict[str, Any],
    region: str,
    state: str,
    message: dict[str, Any],
) -> tuple[list[str], list[tuple[str, str]]]:
    """Publish ``message`` to the SNS topics among the actions of ``state``, as CloudWatch
    does on a transition into it: (topics published to, (action, why not) skipped)."""
    actions = list(alarm.get(ACTION_LISTS[state]) or [])
    if not alarm.get("ActionsEnabled", True):
        return [], [(arn, "the alarm's actions are disabled") for arn in actions]
    subject = f'{state}: "{alarm["AlarmName"]}" in {REGION_NAMES.get(region, region)}'[:100]
    notified: list[str] = []
    skipped: list[tuple[str, str]] = []
    for arn in actions:
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "sns":
            skipped.append((arn, "only SNS actions are modeled"))
            continue
        if parts[3] != region:
            skipped.append((arn, f"topic is in {parts[3]}, the alarm in {region}"))
            continue
        client("sns", region).publish(TopicArn=arn, Subject=subject, Message=json.dumps(message))
        notified.append(arn)
    return notified, skipped


def notification(
    alarm: dict[str, Any],
    old: str,
    new: str,
    reason: str,
    region: str,
    when: datetime | None = None,
) -> dict[str, Any]:
    """The JSON document CloudWatch publishes to SNS on a state change.

    A composite alarm's has its ``AlarmRule`` instead of a ``Trigger``; a metric math
    alarm's ``Trigger`` lists its ``Metrics`` instead of one metric.
    """
    now = iso_timestamp(when or datetime.now(UTC))
    arn = alarm.get("AlarmArn", "")
    head: dict[str, Any] = {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": arn.split(":")[4] if arn.count(":") >= 5 else "",
        "AlarmConfigurationUpdatedTimestamp": str(
            alarm.get("AlarmConfigurationUpdatedTimestamp", "")
        ),
        "NewStateValue": new,
        "NewStateReason": reason,
        "StateChangeTime": now,
        "Region": REGION_NAMES.get(region, region),
        "AlarmArn": arn,
        "OldStateValue": old,
        "OKActions": list(alarm.get("OKActions") or []),
        "AlarmActions": list(alarm.get("AlarmActions") or []),
        "InsufficientDataActions": list(alarm.get("InsufficientDataActions") or []),
    }
    if alarm.get("AlarmRule") is not None:
        return {**head, "AlarmRule": alarm["AlarmRule"]}
    trigger: dict[str, Any] = {
        "MetricName": alarm.get("MetricName"),
        "Namespace": alarm.get("Namespace"),
        "StatisticType": "ExtendedStatistic" if alarm.get("ExtendedStatistic") else "Statistic",
        "Statistic": str(alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "").upper(),
        "Unit": alarm.get("Unit"),
        "Dimensions": [
            {"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])
        ],
        "Period": alarm.get("Period"),
        "EvaluationPeriods": alarm.get("EvaluationPeriods"),
        "ComparisonOperator": alarm.get("ComparisonOperator"),
        "Threshold": alarm.get("Threshold"),
        "TreatMissingData": alarm.get("TreatMissingData", "missing"),
        "EvaluateLowSampleCountPercentile": alarm.get("EvaluateLowSampleCountPercentile", ""),
    }
    if alarm.get("DatapointsToAlarm"):
        trigger["DatapointsToAlarm"] = alarm["DatapointsToAlarm"]
    if alarm.get("Metrics"):
        for key in ("MetricName", "Namespace", "StatisticType", "Statistic", "Unit", "Dimensions"):
            trigger.pop(key)
        trigger["Metrics"] = [_lower_keys(q) for q in alarm["Metrics"]]
    return {**head, "Trigger": trigger}


def iso_timestamp(when: datetime) -> str:
    """A time as CloudWatch writes it in notifications: 2026-11-30T09:04:00.000+0000."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _lower_keys(value: Any) -> Any:
    """CloudWatch writes a metric math alarm's queries with camelCase keys."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value
