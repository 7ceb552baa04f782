"""Trust policies by meaning: principal forms, account roots, conditions, denies."""

from __future__ import annotations

from harness.iam import TrustedPrincipal, trusted_principals, who_can_assume

ACCOUNT = "123456789012"
ONCALL = f"arn:aws:iam::{ACCOUNT}:user/oncall"
DEV = f"arn:aws:iam::{ACCOUNT}:user/dev"


def trust(principal: object, **extra: object) -> dict[str, object]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_service_principals_in_any_form() -> None:
    for form in ("lambda.amazonaws.com", ["lambda.amazonaws.com"]):
        assert trusted_principals(trust({"Service": form})) == [
            TrustedPrincipal("Service", "lambda.amazonaws.com", {})
        ]
        assert who_can_assume(trust({"Service": form}), "lambda.amazonaws.com")
        assert not who_can_assume(trust({"Service": form}), "ec2.amazonaws.com")


def test_list_valued_principals_and_bare_account_ids() -> None:
    doc = trust({"AWS": [ONCALL, ACCOUNT], "Service": ["s3.amazonaws.com", "ec2.amazonaws.com"]})
    assert {(p.principal_type, p.value) for p in trusted_principals(doc)} == {
        ("AWS", ONCALL),
        ("AWS", f"arn:aws:iam::{ACCOUNT}:root"),
        ("Service", "s3.amazonaws.com"),
        ("Service", "ec2.amazonaws.com"),
    }
    assert trusted_principals(trust("*")) == [TrustedPrincipal("AWS", "*", {})]


def test_a_named_principal_is_trusted_on_the_trust_policy_alone() -> None:
    doc = trust({"AWS": ONCALL})
    assert who_can_assume(doc, ONCALL)
    assert not who_can_assume(doc, DEV)


def test_an_account_root_delegates_to_the_callers_own_permissions() -> None:
    doc = trust({"AWS": ACCOUNT})
    assert not who_can_assume(doc, DEV)  # unknown identity permissions: not assumed
    assert not who_can_assume(doc, DEV, identity_allows=False)
    assert who_can_assume(doc, DEV, identity_allows=True)
    assert not who_can_assume(doc, "arn:aws:iam::999999999999:user/dev", identity_allows=True)


def test_a_role_session_is_named_by_its_role() -> None:
    doc = trust({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"})
    assert who_can_assume(doc, f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/session-1")


def test_conditions_are_evaluated() -> None:
    doc = trust({"AWS": ONCALL}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert not who_can_assume(doc, ONCALL)
    assert who_can_assume(doc, ONCALL, {"aws:MultiFactorAuthPresent": True})
    by_arn = trust("*", Condition={"ArnEquals": {"aws:PrincipalArn": ONCALL}})
    assert who_can_assume(by_arn, ONCALL, identity_allows=True)
    assert not who_can_assume(by_arn, DEV, identity_allows=True)


def test_an_explicit_deny_wins() -> None:
    doc = trust({"AWS": [ONCALL, DEV]})
    doc["Statement"].append({"Effect": "Deny", "Principal": {"AWS": DEV}, "Action": "sts:*"})
    assert who_can_assume(doc, ONCALL) and not who_can_assume(doc, DEV)


def test_only_statements_that_allow_assuming_count() -> None:
    doc = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": DEV}, "Action": "sts:TagSession"},
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
            },
        ]
    }
    assert trusted_principals(doc) == [
        TrustedPrincipal("Federated", "cognito-identity.amazonaws.com", {})
    ]
    assert not who_can_assume(doc, DEV)
