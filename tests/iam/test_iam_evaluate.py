"""IAM's evaluation order: explicit Deny wins, a boundary caps, otherwise implicit deny."""

from __future__ import annotations

from harness.iam import Request, evaluate

QUEUE = "arn:aws:sqs:us-east-1:123456789012:ingest"
ALLOW_SQS = {"Statement": {"Effect": "Allow", "Action": "SQS:*", "Resource": QUEUE}}


def test_allow_and_implicit_deny() -> None:
    assert evaluate(Request("sqs:ReceiveMessage", QUEUE), [ALLOW_SQS])
    other = evaluate(Request("sqs:ReceiveMessage", QUEUE + "-dlq"), [ALLOW_SQS])
    assert not other and "implicit deny" in other.reason


def test_explicit_deny_wins_whatever_the_order() -> None:
    deny = {
        "Statement": {"Sid": "NoDelete", "Effect": "Deny", "Action": "sqs:delete*", "Resource": "*"}
    }
    decision = evaluate(Request("sqs:DeleteQueue", QUEUE), [("inline:deny", deny), ALLOW_SQS])
    assert not decision.allowed
    assert "explicitly denied" in decision.reason and "NoDelete" in decision.reason
    assert decision.deciding_statement is not None and decision.deciding_statement.sid == "NoDelete"
    assert evaluate(Request("sqs:SendMessage", QUEUE), [deny, ALLOW_SQS])


def test_a_boundary_caps_identity_grants() -> None:
    boundary = {"Statement": {"Effect": "Allow", "Action": ["sqs:ReceiveMessage"], "Resource": "*"}}
    assert evaluate(Request("sqs:ReceiveMessage", QUEUE), [ALLOW_SQS], [boundary])
    capped = evaluate(Request("sqs:SendMessage", QUEUE), [ALLOW_SQS], [boundary])
    assert not capped and "permissions boundary" in capped.reason
    # A boundary grants nothing by itself.
    assert not evaluate(Request("sqs:ReceiveMessage", QUEUE), [], [boundary])


def test_conditions_and_policy_variables_use_the_request_context() -> None:
    home = {
        "Statement": {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::b",
            "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        }
    }
    bob = {"aws:username": "bob"}
    assert evaluate(
        Request("s3:ListBucket", "arn:aws:s3:::b", {**bob, "s3:prefix": "home/bob/"}), [home]
    )
    assert not evaluate(
        Request("s3:ListBucket", "arn:aws:s3:::b", {**bob, "s3:prefix": "home/"}), [home]
    )
    assert not evaluate(Request("s3:ListBucket", "arn:aws:s3:::b", bob), [home])


def test_resource_policies_grant_to_the_principals_they_name() -> None:
    policy = {
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/ingest"},
            "Action": "sqs:SendMessage",
            "Resource": QUEUE,
        }
    }
    caller = {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/ingest"}
    stranger = {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/other"}
    assert evaluate(Request("sqs:SendMessage", QUEUE, caller), [], resource_docs=[policy])
    assert not evaluate(Request("sqs:SendMessage", QUEUE, stranger), [], resource_docs=[policy])


def test_resource_policies_grant_to_the_services_they_name() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    policy = {
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": ["events.amazonaws.com"]},
            "Action": "SNS:Publish",
            "Resource": topic,
        }
    }
    events = {"aws:PrincipalServiceName": "events.amazonaws.com"}
    other = {"aws:PrincipalServiceName": "s3.amazonaws.com"}
    assert evaluate(Request("sns:Publish", topic, events), [], resource_docs=[policy])
    assert not evaluate(Request("sns:Publish", topic, other), [], resource_docs=[policy])
