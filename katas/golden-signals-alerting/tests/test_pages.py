"""R5: every page carries a runbook and a severity; the topics are encrypted with a key
CloudWatch may use, and only CloudWatch may publish to them.

Key and topic policies are read by meaning with ``harness.iam`` (the emulator does not
evaluate resource policies): each is asked whether a given caller may do a given action."""

from __future__ import annotations

import json

import pytest
from conftest import SEVERITY, URL, actions_of

from harness.iam import Request, UnsupportedCondition, evaluate
from harness.pytest_plugin import not_evaluable

CLOUDWATCH = "cloudwatch.amazonaws.com"
ACCOUNT = "123456789012"
# Callers that must not publish: a role of the account, the account itself, another
# account's role, other AWS services.
NOT_CLOUDWATCH = (
    {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/kata-probe"},
    {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:root"},
    {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/stranger"},
    {"aws:PrincipalServiceName": "events.amazonaws.com"},
    {"aws:PrincipalServiceName": "s3.amazonaws.com"},
)


@pytest.mark.requirement("R5")
def test_every_paging_alarm_has_a_runbook_and_a_severity(alarms, require_topics, latency_spike):
    paging = [a for a in alarms() if require_topics.pager in actions_of(a)]
    assert paging, "R5 runbook: no alarm has the pager topic among its actions"
    bad = [
        f"{a['AlarmName']} ({a.get('AlarmDescription')!r})"
        for a in paging
        if not URL.search(a.get("AlarmDescription") or "")
        or not SEVERITY.search(a.get("AlarmDescription") or "")
    ]
    assert not bad, (
        "R5 runbook and severity: the description of every paging alarm must hold a runbook "
        f"URL (https://…) and SEV1 or SEV2; not: {'; '.join(bad)}"
    )
    for page in latency_spike.alarm_pages():  # and it arrives with the page
        assert URL.search(page.description) and SEVERITY.search(page.description), (
            f"R5 runbook and severity: the page from {page.alarm} arrived without them: "
            f"{page.description!r}"
        )


def _topic_attributes(aws, arn):
    return aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"]


def _paging_source(alarms, topic):
    """An alarm that notifies ``topic``: the request's aws:SourceArn when CloudWatch
    publishes to it (and encrypts for it)."""
    return next((a["AlarmArn"] for a in alarms() if topic in actions_of(a)), None)


@pytest.mark.requirement("R5")
@pytest.mark.parametrize("which", ["pager", "ticket"])
def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use(which, aws, alarms, require_topics):
    arn = getattr(require_topics, which)
    key_id = _topic_attributes(aws, arn).get("KmsMasterKeyId")
    assert key_id, f"R5 encrypted: the {which} topic {arn} is not encrypted (no KmsMasterKeyId)"
    kms = aws("kms")
    try:
        key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except kms.exceptions.NotFoundException:
        pytest.fail(
            f"R5 encrypted: the {which} topic's key {key_id!r} is not a key of the account "
            "(alias/aws/sns is an AWS managed key CloudWatch cannot use)"
        )
    assert key.get("KeyManager") == "CUSTOMER", (
        f"R5 encrypted: the {which} topic's key {key_id} is managed by AWS, not by you: "
        "CloudWatch cannot use it, pages would be dropped"
    )
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    context = {
        "aws:PrincipalServiceName": CLOUDWATCH,
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": _paging_source(alarms, arn)
        or f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:x",
        "kms:CallerAccount": ACCOUNT,
    }
    denied = []
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        try:
            decision = evaluate(Request(action, key["Arn"], context), [], resource_docs=[policy])
        except UnsupportedCondition as why:
            not_evaluable("moto", f"R5 encrypted: the key policy of {key['Arn']}: {why}")
        if not decision:
            denied.append(f"{action}: {decision.reason}")
    assert not denied, (
        f"R5 encrypted: the key policy of {key['Arn']} (the {which} topic's) does not let "
        f"{CLOUDWATCH} use it: {'; '.join(denied)}"
    )


@pytest.mark.requirement("R5")
@pytest.mark.parametrize("which", ["pager", "ticket"])
def test_only_cloudwatch_may_publish(which, aws, alarms, require_topics):
    arn = getattr(require_topics, which)
    policy = _topic_attributes(aws, arn).get("Policy")
    assert policy, f"R5 only CloudWatch: the {which} topic {arn} has no policy"
    document = json.loads(policy)
    base = {"aws:SourceAccount": ACCOUNT, "aws:SourceOwner": ACCOUNT}

    def may_publish(caller):
        try:
            return evaluate(
                Request("sns:Publish", arn, {**base, **caller}), [], resource_docs=[document]
            )
        except UnsupportedCondition as why:
            not_evaluable("moto", f"R5 only CloudWatch: the policy of {arn}: {why}")

    cloudwatch = {
        "aws:PrincipalServiceName": CLOUDWATCH,
        "aws:SourceArn": _paging_source(alarms, arn)
        or f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:x",
    }
    assert may_publish(cloudwatch), (
        f"R5 only CloudWatch: the {which} topic's policy does not let {CLOUDWATCH} publish: "
        f"{may_publish(cloudwatch).reason}"
    )
    others = [
        f"{next(iter(c.values()))} ({d.reason})" for c in NOT_CLOUDWATCH if (d := may_publish(c))
    ]
    assert not others, (
        f"R5 only CloudWatch: the {which} topic's policy lets others publish too: "
        + "; ".join(others)
    )
