"""Least privilege as an allow-list: every grant, however spelled, is judged."""

from __future__ import annotations

from harness.iam import Allowed, violations

ROLE = "arn:aws:iam::123456789012:role/ingest"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:ingest"
BUCKET = "arn:aws:s3:::data"
CONSUME = [Allowed(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], QUEUE)]
CLAUSE = "R1 (may only consume the ingest queue)"


def allow(action: object, resource: object = QUEUE, **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_a_wildcard_is_judged_by_every_action_it_grants() -> None:
    found = violations(ROLE, [("inline:ingest", doc(allow("sqs:Delete*")))], CONSUME, scope="sqs:*")
    assert [(v.action, v.action_as_written) for v in found] == [("sqs:DeleteQueue", "sqs:Delete*")]
    assert found[0].message(CLAUSE) == (
        "R1 (may only consume the ingest queue): role ingest may sqs:DeleteQueue (granted as "
        f"sqs:Delete*) on {QUEUE} — not in the SPEC's allow-list (policy inline:ingest)"
    )


def test_the_spelling_does_not_matter() -> None:
    exact = [
        allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
        allow(["SQS:receivemessage", "sqs:deletemessage", "Sqs:GetQueueAttributes"], [QUEUE]),
        allow("sqs:ReceiveMessage"),
    ]
    for statement in exact:
        assert violations(ROLE, [("p", doc(statement))], CONSUME) == []


def test_resources_beyond_the_allowed_ones_are_violations() -> None:
    (wide,) = violations(ROLE, [("p", doc(allow("sqs:ReceiveMessage", "*")))], CONSUME)
    assert (wide.action, wide.resource) == ("sqs:ReceiveMessage", "*")
    prefixed = violations(ROLE, [("p", doc(allow("sqs:ReceiveMessage", QUEUE + "*")))], CONSUME)
    assert [v.resource for v in prefixed] == [QUEUE + "*"]  # also ingest-dlq, ingest2, …


def test_not_action_and_not_resource_grant_the_rest() -> None:
    statement = {"Effect": "Allow", "NotAction": "sqs:DeleteQueue", "Resource": QUEUE}
    found = violations(ROLE, [("p", doc(statement))], CONSUME, scope="sqs:*")
    assert "sqs:PurgeQueue" in {v.action for v in found}
    assert "sqs:DeleteQueue" not in {v.action for v in found}
    assert found[0].action_as_written == 'NotAction ["sqs:DeleteQueue"]'
    everywhere = {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "NotResource": "arn:x"}
    (v,) = violations(ROLE, [("p", doc(everywhere))], CONSUME)
    assert v.resource == "* except arn:x"


def test_scope_limits_the_judgement_to_one_requirement() -> None:
    both = doc(allow("sqs:ReceiveMessage"), allow("s3:GetObject", BUCKET + "/*"))
    assert violations(ROLE, [("p", both)], CONSUME, scope="sqs:*") == []
    assert [v.action for v in violations(ROLE, [("p", both)], CONSUME)] == ["s3:GetObject"]
    only_s3 = violations(ROLE, [("p", both)], CONSUME, scope=lambda a: a.startswith("s3:"))
    assert [v.action for v in only_s3] == ["s3:GetObject"]


def test_an_unconditional_explicit_deny_cancels_a_grant() -> None:
    deny = {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}
    assert violations(ROLE, [("p", doc(allow("sqs:Delete*"))), ("d", doc(deny))], CONSUME) == []
    conditional = {**deny, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    found = violations(ROLE, [("p", doc(allow("sqs:Delete*"), conditional))], CONSUME)
    assert [v.action for v in found] == ["sqs:DeleteQueue"]


def test_a_boundary_caps_what_is_judged() -> None:
    grants = [("p", doc(allow("sqs:*", "*")))]
    boundary = doc(allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"], QUEUE))
    assert violations(ROLE, grants, CONSUME, boundary=boundary) == []
    loose = doc(allow(["sqs:ReceiveMessage", "sqs:SendMessage"], "*"))
    found = violations(ROLE, grants, CONSUME, boundary=[loose])
    assert {(v.action, v.resource) for v in found} == {
        ("sqs:ReceiveMessage", "*"),
        ("sqs:SendMessage", "*"),
    }


def test_prefix_grants_against_the_spec() -> None:
    read_raw = [Allowed("s3:GetObject", BUCKET + "/raw/*")]
    assert (
        violations(ROLE, [("p", doc(allow("s3:GetObject", BUCKET + "/raw/2024/*")))], read_raw)
        == []
    )
    (v,) = violations(ROLE, [("p", doc(allow("s3:GetObject", BUCKET + "/raw*")))], read_raw)
    assert v.resource == BUCKET + "/raw*"


def test_demanded_conditions_must_be_carried_at_least_as_strictly() -> None:
    list_curated = [
        Allowed("s3:ListBucket", BUCKET, conditions={"StringLike": {"s3:prefix": ["curated/*"]}})
    ]

    def listing(condition: dict | None) -> list:
        extra = {"Condition": condition} if condition else {}
        return violations(ROLE, [("p", doc(allow("s3:ListBucket", BUCKET, **extra)))], list_curated)

    assert listing({"StringLike": {"S3:Prefix": "curated/2024/*"}}) == []
    assert listing({"StringEquals": {"s3:prefix": ["curated/", "curated/x"]}}) == []
    assert listing(None) != []
    assert listing({"StringLike": {"s3:prefix": "cur*"}}) != []
    assert listing({"StringLikeIfExists": {"s3:prefix": "curated/*"}}) != []  # absent key passes


def test_everything_is_judged_without_a_scope() -> None:
    found = violations(ROLE, [("admin", doc(allow("*", "*")))], CONSUME)
    assert len(found) > 10000
    assert {"iam:CreateUser", "sqs:DeleteQueue"} <= {v.action for v in found}


def test_a_statement_without_resource_is_judged_as_everything() -> None:
    bare = {"Effect": "Allow", "Action": "sqs:ReceiveMessage"}
    (v,) = violations(ROLE, [("p", doc(bare))], CONSUME)
    assert v.resource == "*"
