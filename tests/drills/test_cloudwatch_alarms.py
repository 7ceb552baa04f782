"""The alarm-action drill: a state change publishes CloudWatch's notification to the
new state's SNS actions, which an SQS subscriber receives (harness/drills/cloudwatch_alarms.py).
"""

from __future__ import annotations

import json
import uuid

import pytest

from harness.drills.cloudwatch_alarms import set_state

REGION = "us-east-1"


@pytest.fixture
def wired(aws_client):
    """An alarm whose ALARM and OK actions are a topic, and a queue subscribed to it."""
    sns, sqs, cw = (aws_client(s, region=REGION) for s in ("sns", "sqs", "cloudwatch"))
    uid = uuid.uuid4().hex[:8]
    topic = sns.create_topic(Name=f"pages-{uid}")["TopicArn"]
    url = sqs.create_queue(QueueName=f"pager-{uid}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    name = f"health-{uid}"
    other_region_topic = f"arn:aws:sns:us-west-2:123456789012:pages-{uid}"
    cw.put_metric_alarm(
        AlarmName=name,
        MetricName="ApiAvailability",
        Namespace="Acme/Shop",
        Dimensions=[{"Name": "Region", "Value": REGION}],
        Statistic="Minimum",
        Period=60,
        EvaluationPeriods=3,
        Threshold=1,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching",
        AlarmActions=[topic, other_region_topic],
        OKActions=[topic],
    )

    def pages():
        out = []
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            envelope = json.loads(m["Body"])
            out.append((envelope.get("Subject"), json.loads(envelope["Message"])))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return out

    yield name, topic, other_region_topic, pages
    cw.delete_alarms(AlarmNames=[name])
    sns.delete_topic(TopicArn=topic)
    sqs.delete_queue(QueueUrl=url)


def test_state_change_publishes_to_the_new_states_actions(aws_client, wired):
    name, topic, elsewhere, pages = wired
    change = set_state(aws_client, name, REGION, "ALARM", "region drill")
    assert (change.old_state, change.new_state) == ("OK", "ALARM")
    assert change.notified == [topic]
    assert change.skipped == [(elsewhere, "topic is in us-west-2, the alarm in us-east-1")]
    [(subject, message)] = pages()
    assert subject == f'ALARM: "{name}" in US East (N. Virginia)'
    assert message["AlarmName"] == name
    assert (message["OldStateValue"], message["NewStateValue"]) == ("OK", "ALARM")
    assert message["NewStateReason"] == "region drill"
    assert message["Trigger"]["MetricName"] == "ApiAvailability"
    assert message["Trigger"]["TreatMissingData"] == "breaching"
    assert message["Trigger"]["Dimensions"] == [{"value": REGION, "name": "Region"}]

    set_state(aws_client, name, REGION, "OK", "restored")  # failback pages through OKActions
    [(subject, message)] = pages()
    assert subject.startswith("OK:") and message["NewStateValue"] == "OK"


def test_no_transition_no_notification(aws_client, wired):
    name, _, _, pages = wired
    change = set_state(aws_client, name, REGION, "OK")  # moto's alarms start in OK
    assert not change.changed and change.notified == []
    set_state(aws_client, name, REGION, "INSUFFICIENT_DATA")  # no actions for this state
    assert pages() == []


def test_disabled_actions_notify_nobody(aws_client, wired):
    name, topic, _, pages = wired
    aws_client("cloudwatch", region=REGION).disable_alarm_actions(AlarmNames=[name])
    change = set_state(aws_client, name, REGION, "ALARM")
    assert change.notified == [] and change.skipped[0] == (
        topic,
        "the alarm's actions are disabled",
    )
    assert pages() == []
