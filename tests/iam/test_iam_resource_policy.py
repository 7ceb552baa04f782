"""Resource-based policies grant on their own within an account: principal forms,
case, wildcards, Deny precedence and conditions (harness.iam.resource_policy)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.iam import Allowed, parse_document
from harness.iam.resource_policy import (
    DELEGATES,
    MISSES,
    NAMES,
    Caller,
    ResourcePolicy,
    effective_violations,
    grants_to,
    principal_relation,
)

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/pipeline/reporting"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ingest"
USER = f"arn:aws:iam::{ACCOUNT}:user/oncall"
BUCKET = "arn:aws:s3:::data"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:ingest"
READ_CURATED = [Allowed("s3:GetObject", f"{BUCKET}/curated/*")]


def statement(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{BUCKET}/*", **fields}


def bucket_policy(*statements: dict[str, Any]) -> ResourcePolicy:
    return ResourcePolicy("bucket policy", BUCKET, parse_document({"Statement": list(statements)}))


def relation(principal: Any, caller: str = ROLE, effect: str = "Allow") -> str:
    doc = parse_document({"Statement": statement(Principal=principal, Effect=effect)})
    return principal_relation(doc.statements[0], Caller(caller))


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("*", NAMES),
        ({"AWS": "*"}, NAMES),
        ({"AWS": [ROLE]}, NAMES),
        ({"AWS": ROLE.upper().replace("ARN:AWS:IAM", "arn:aws:iam")}, NAMES),  # names: any case
        ({"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/reporting/task-1"}, NAMES),
        ({"AWS": OTHER_ROLE}, MISSES),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, DELEGATES),
        ({"AWS": ACCOUNT}, DELEGATES),
        ({"AWS": "arn:aws:iam::210987654321:root"}, MISSES),
        ({"AWS": "arn:aws:iam::210987654321:role/pipeline/reporting"}, MISSES),
        ({"Service": "ecs-tasks.amazonaws.com"}, MISSES),
        ({"Federated": "cognito-identity.amazonaws.com"}, MISSES),
    ],
)
def test_principal_forms(principal: Any, expected: str) -> None:
    assert relation(principal) == expected


def test_the_account_denies_all_its_principals_but_grants_none_by_itself() -> None:
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert relation(root, effect="Deny") == NAMES
    grants = grants_to(ROLE, [bucket_policy(statement(Principal=root))])
    assert not grants.allows and not grants.doubtful


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"},
        {"AWS": "AROAEXAMPLEID"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    ],
)
def test_forms_that_cannot_be_resolved_are_reported(principal: Any) -> None:
    policy = bucket_policy(statement(Principal=principal, Sid="Odd"))
    assert not grants_to(ROLE, [policy]).allows
    found, [unjudged] = effective_violations(ROLE, [], READ_CURATED, [policy])
    assert not found and unjudged.sid == "Odd"
    message = unjudged.message("R3")
    assert "bucket policy of arn:aws:s3:::data" in message and "role reporting" in message
    assert "s3:PutObject on arn:aws:s3:::data/*" in message and "not evaluable" in message
    # A doubtful grant of nothing beyond the allow-list is no doubt.
    within = statement(Principal=principal, Action="s3:GetObject", Resource=f"{BUCKET}/curated/*")
    assert effective_violations(ROLE, [], READ_CURATED, [bucket_policy(within)]) == ([], [])


def test_not_principal_grants_everyone_it_does_not_list() -> None:
    doc = {"Statement": {**statement(), "NotPrincipal": {"AWS": OTHER_ROLE}}}
    policy = ResourcePolicy("bucket policy", BUCKET, parse_document(doc))
    assert grants_to(ROLE, [policy]).allows
    assert not grants_to(OTHER_ROLE, [policy]).allows


def test_a_grant_through_a_bucket_policy_is_a_violation_named_after_it() -> None:
    policy = bucket_policy(
        statement(
            Sid="Checkpoint",
            Principal={"AWS": ROLE},
            Action="S3:put*",
            Resource=[f"{BUCKET}/curated/*"],
        )
    )
    found, unjudged = effective_violations(ROLE, [], READ_CURATED, [policy])
    assert not unjudged
    actions = {v.action for v in found}
    assert {"s3:PutObject", "s3:PutObjectAcl"} <= actions
    v = next(v for v in found if v.action == "s3:PutObject")
    assert v.resource == f"{BUCKET}/curated/*" and v.action_as_written == "S3:put*"
    message = v.message("R3")
    assert "bucket policy of arn:aws:s3:::data" in message and "role reporting" in message
    assert "Checkpoint" in message


def test_a_grant_within_the_allow_list_is_no_violation() -> None:
    policy = bucket_policy(
        statement(Principal={"AWS": [ROLE]}, Action="s3:GetObject", Resource=f"{BUCKET}/curated/*")
    )
    assert effective_violations(ROLE, [], READ_CURATED, [policy]) == ([], [])


def test_resource_star_means_the_resource_and_other_services_are_dropped() -> None:
    queue_policy = ResourcePolicy(
        "queue policy",
        QUEUE,
        parse_document(
            {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}
        ),
    )
    found, _ = effective_violations(
        ROLE, [], [Allowed("sqs:ReceiveMessage", QUEUE)], [queue_policy]
    )
    assert found and {v.resource for v in found} == {QUEUE}
    assert all(v.action.startswith("sqs:") for v in found)
    assert "sqs:ReceiveMessage" not in {v.action for v in found}
    # A bucket policy governs the bucket and its objects, never another bucket.
    elsewhere = bucket_policy(statement(Principal="*", Resource="arn:aws:s3:::other/*"))
    assert grants_to(ROLE, [elsewhere]).allows == []


def test_caller_conditions_are_evaluated() -> None:
    only_ingest = {"StringEquals": {"aws:PrincipalArn": OTHER_ROLE}}
    account = {"StringEquals": {"AWS:PrincipalAccount": ACCOUNT}}
    from_service = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    policy = bucket_policy(
        statement(Sid="OnlyIngest", Principal="*", Condition=only_ingest),
        statement(Sid="Account", Principal="*", Condition=account),
        statement(Sid="FromService", Principal="*", Condition=from_service),
    )
    assert [d.statements[0].sid for _, d, _ in grants_to(ROLE, [policy]).allows] == ["Account"]
    assert [d.statements[0].sid for _, d, _ in grants_to(OTHER_ROLE, [policy]).allows] == [
        "OnlyIngest",
        "Account",
    ]


def test_request_conditions_stay_with_the_grant() -> None:
    listing = statement(
        Principal={"AWS": ROLE},
        Action="s3:ListBucket",
        Resource=BUCKET,
        Condition={
            "StringLike": {"s3:prefix": ["curated/*"]},
            "Bool": {"aws:SecureTransport": "true"},
        },
    )
    demanded = Allowed("s3:ListBucket", BUCKET, {"StringLike": {"s3:prefix": ["curated/*"]}})
    assert effective_violations(ROLE, [], [demanded], [bucket_policy(listing)]) == ([], [])
    unscoped = {**listing, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    found, _ = effective_violations(ROLE, [], [demanded], [bucket_policy(unscoped)])
    assert [v.action for v in found] == ["s3:ListBucket"]


def test_conditions_on_unknown_keys_are_reported_not_passed() -> None:
    org = statement(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
    assert not grants_to(ROLE, [bucket_policy(org)]).allows
    found, [unjudged] = effective_violations(ROLE, [], READ_CURATED, [bucket_policy(org)])
    assert not found and "aws:principalorgid" in unjudged.reason
    # A Deny under such a condition could only take grants away: judged without it.
    perimeter = {**org, "Effect": "Deny", "Action": "s3:*"}
    grant = statement(Principal={"AWS": ROLE})
    found, unjudged = effective_violations(
        ROLE, [], READ_CURATED, [bucket_policy(perimeter, grant)]
    )
    assert [v.action for v in found] == ["s3:PutObject"] and not unjudged


def test_an_unconditional_resource_deny_takes_grants_away() -> None:
    identity = [("inline", {"Statement": statement(Action="s3:*", Resource=f"{BUCKET}/*")})]
    perimeter = bucket_policy(
        {
            "Effect": "Deny",
            "Principal": "*",
            "NotAction": "s3:GetObject",
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"StringEquals": {"aws:PrincipalArn": ROLE}},
        }
    )
    found, _ = effective_violations(ROLE, identity, READ_CURATED, [perimeter])
    assert {v.action for v in found} == {"s3:GetObject"}  # only outside curated/ remains
    assert all(v.resource == f"{BUCKET}/*" for v in found)
    # The same Deny for another principal: its condition does not hold, nothing is taken.
    found, _ = effective_violations(OTHER_ROLE, identity, READ_CURATED, [perimeter])
    assert "s3:DeleteObject" in {v.action for v in found}


def test_a_conditional_deny_does_not_hide_a_grant() -> None:
    tls_only = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    grant = statement(Principal={"AWS": ROLE}, Action="s3:DeleteObject")
    found, _ = effective_violations(ROLE, [], READ_CURATED, [bucket_policy(tls_only, grant)])
    assert [v.action for v in found] == ["s3:DeleteObject"]


def test_an_identity_deny_takes_a_resource_grant_away() -> None:
    deny = [("deny", {"Statement": {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}})]
    grant = statement(Principal={"AWS": ROLE}, Action="s3:DeleteObject")
    assert effective_violations(ROLE, deny, READ_CURATED, [bucket_policy(grant)]) == ([], [])


def test_users_are_callers_too() -> None:
    by_name = statement(
        Principal="*", Condition={"StringEquals": {"aws:username": "oncall"}}, Action="s3:GetObject"
    )
    found, _ = effective_violations(USER, [], [], [bucket_policy(by_name)])
    assert [v.action for v in found] == ["s3:GetObject"]
    assert not grants_to(ROLE, [bucket_policy(by_name)]).allows
