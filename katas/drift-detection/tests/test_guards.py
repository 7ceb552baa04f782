"""R9: between scans, the guards page on the API calls that weaken the baseline and on
nothing else. Each drill's CloudTrail record is delivered to EventBridge as AWS delivers
it; the page is read from an SQS queue the check subscribes to the alert topic."""

from __future__ import annotations

import json

import pytest

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
            f"{change.api_call} on {change.resource} ({drill}) sent no page: no rule on the "
            "default bus matched its CloudTrail event, or its target is not the alert topic"
        )
        assert change.event_name in json.dumps(pages), (
            f"the page for {change.api_call} does not carry the event: {pages}"
        )


@pytest.mark.requirement("R9")
def test_tag_edits_and_the_service_s_own_write_do_not_page(quiet_changes, drills, inbox):
    """Tag changes (tickets for the next scan) and the service's own write stay quiet"""
    noisy = {}
    for change in quiet_changes:
        pages = _pages(drills, inbox, change)
        if pages:
            noisy[f"{change.api_call} on {change.resource}"] = _names(pages)
    assert not noisy, f"these calls paged, and must not: {noisy}"


@pytest.mark.requirement("R9")
def test_eventbridge_may_publish_to_the_alert_topic(aws, stack):
    """The topic policy lets EventBridge publish (AWS drops the page otherwise)"""
    topic = stack.outputs.get("alertTopicArn")
    assert topic, "the stack exports no alertTopicArn"
    raw = aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"].get("Policy")
    policy = json.loads(raw) if raw else {}
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    for s in statements:
        principal = s.get("Principal", {})
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = services if isinstance(services, list) else [services]
        actions = s.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        resources = s.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if (
            s.get("Effect") == "Allow"
            and "events.amazonaws.com" in services
            and {"sns:Publish", "sns:*", "*"} & set(actions)
            and (topic in resources or "*" in resources)
        ):
            return
    pytest.fail(
        f"the topic policy of {topic} does not allow events.amazonaws.com to sns:Publish: "
        f"{policy or 'no policy'}"
    )
