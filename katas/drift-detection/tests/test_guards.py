"""R9: between scans, the guards page on the API calls that weaken the baseline and on
nothing else. Each drill's CloudTrail record is delivered to EventBridge as AWS delivers
it; the page is read from an SQS queue the check subscribes to the alert topic."""

from __future__ import annotations

import json

import pytest

from harness.iam import Request, UnsupportedCondition, evaluate, parse_document

SECURITY_DRILLS = [
    "open-security-group",
    "suspend-versioning",
    "delete-encryption",
    "make-bucket-public",
    "extra-inline-policy",
    "delete-parameter",
]


def _pages(drills, inbox, change):
    inbox.drain()
    drills.deliver(change)
    return inbox.receive(wait_s=0)


def _names(pages):
    names = []
    for page in pages:
        detail = page.get("detail", {}) if isinstance(page, dict) else {}
        names.append(detail.get("eventName") or json.dumps(page)[:120])
    return names


@pytest.mark.requirement("R9")
@pytest.mark.parametrize("drill", SECURITY_DRILLS)
def test_a_weakening_call_pages(observed, drills, inbox, drill):
    """Each security drill's API call reaches the alert topic"""
    for change in observed[drill].changes:
        pages = _pages(drills, inbox, change)
        assert pages, (
            f"R9 (pages on the weakening calls): {change.api_call} on {change.resource} ({drill}) "
            "sent no page: no rule on the "
            "default bus matched its CloudTrail event, or its target is not the alert topic"
        )
        assert change.event_name in json.dumps(pages), (
            f"R9 (pages on the weakening calls): the page for {change.api_call} does not carry "
            f"the event: {pages}"
        )


@pytest.mark.requirement("R9")
def test_tag_edits_and_the_service_s_own_write_do_not_page(quiet_changes, drills, inbox):
    """Tag changes (tickets for the next scan) and the service's own write stay quiet"""
    noisy = {}
    for change in quiet_changes:
        pages = _pages(drills, inbox, change)
        if pages:
            noisy[f"{change.api_call} on {change.resource}"] = _names(pages)
    assert not noisy, f"R9 (not on tag edits or the service's own writes): these paged: {noisy}"


@pytest.mark.requirement("R9")
def test_eventbridge_may_publish_to_the_alert_topic(aws, stack, spec, account):
    """The topic policy lets EventBridge publish for every rule that targets the topic"""
    topic = stack.outputs.get("alertTopicArn")
    assert topic, "R9: the stack exports no alertTopicArn"
    region = topic.split(":")[3]
    raw = (
        aws("sns", region_name=region)
        .get_topic_attributes(TopicArn=topic)["Attributes"]
        .get("Policy")
    )
    if not raw:
        pytest.fail(
            f"R9 (EventBridge may publish): topic {topic} has no policy, so AWS drops pages"
        )
    rules = [
        r.outputs.get("arn", "")
        for r in stack.resources
        if r.type == "aws:cloudwatch/eventRule:EventRule" and r.outputs.get("arn")
    ] or [f"arn:aws:events:{region}:{account}:rule/any-rule"]
    refused = []
    for rule in rules:
        # What EventBridge's delivery carries: the service principal, the rule, the account.
        context = {
            "aws:PrincipalServiceName": spec.publisher,
            "aws:SourceArn": rule,
            "aws:SourceAccount": rule.split(":")[4] or account,
        }
        request = Request("sns:Publish", topic, context)
        try:
            decision = evaluate(request, [], resource_docs=[("topic policy", parse_document(raw))])
        except UnsupportedCondition as exc:
            pytest.fail(
                f"R9 (EventBridge may publish): topic {topic}'s policy uses a condition the "
                f"checks cannot evaluate ({exc}); not evaluable, so not passed"
            )
        if not decision:
            refused.append(f"{rule} ({decision.reason})")
    assert not refused, (
        f"R9 (EventBridge may publish): topic {topic}'s policy does not let {spec.publisher} "
        f"call sns:Publish for " + "; ".join(refused)
    )
