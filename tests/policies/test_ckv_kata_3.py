"""CKV_KATA_3 (trust policies name who may assume), through the real scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome


def test_trust_policies_must_not_trust_everyone(make, doc, by_resource, tmp_path) -> None:
    def trust(principal: object, **extra: object) -> str:
        return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})

    resources = [
        make("aws:iam/role:Role", "service",
             {"assumeRolePolicy": trust({"Service": "lambda.amazonaws.com"})}),
        make("aws:iam/role:Role", "named-user",
             {"assumeRolePolicy": trust({"AWS": "arn:aws:iam::123456789012:user/deployer"})}),
        make("aws:iam/role:Role", "root-with-external-id", {"assumeRolePolicy": trust(
            {"AWS": "arn:aws:iam::123456789012:root"},
            Condition={"StringEquals": {"sts:ExternalId": "kata"}})}),
        make("aws:iam/role:Role", "anyone-in-org", {"assumeRolePolicy": trust(
            "*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})}),
        # MFA says how, not who: every identity in the account with MFA still gets in.
        make("aws:iam/role:Role", "root-with-mfa-only", {"assumeRolePolicy": trust(
            {"AWS": "arn:aws:iam::123456789012:root"},
            Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})}),
        make("aws:iam/role:Role", "anyone", {"assumeRolePolicy": trust("*")}),
        make("aws:iam/role:Role", "any-aws", {"assumeRolePolicy": trust({"AWS": ["*"]})}),
        make("aws:iam/role:Role", "account-root",
             {"assumeRolePolicy": trust({"AWS": "arn:aws:iam::123456789012:root"})}),
        make("aws:iam/role:Role", "bare-account",
             {"assumeRolePolicy": trust({"AWS": "123456789012"})}),
        # Every form of the same principal reads the same.
        make("aws:iam/role:Role", "service-list",
             {"assumeRolePolicy": trust(
                 {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]})}),
        make("aws:iam/role:Role", "account-in-list", {"assumeRolePolicy": trust(
             {"AWS": ["arn:aws:iam::123456789012:user/deployer", "123456789012"]})}),
        make("aws:iam/role:Role", "root-action-case", {"assumeRolePolicy": doc(
             {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
              "Action": ["STS:assumerole", "sts:TagSession"]})}),
        make("aws:iam/role:Role", "root-key-case", {"assumeRolePolicy": trust(
            {"AWS": "123456789012"}, Condition={"StringEquals": {"STS:ExternalID": "kata"}})}),
        # Conditions that do not narrow who: negated, IfExists, Null.
        make("aws:iam/role:Role", "anyone-but", {"assumeRolePolicy": trust(
            "*", Condition={"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::1:user/x"}})}),
        make("aws:iam/role:Role", "root-if-exists", {"assumeRolePolicy": trust(
            {"AWS": "123456789012"}, Condition={"StringEqualsIfExists": {"sts:ExternalId": "k"}})}),
        make("aws:iam/role:Role", "not-principal", {"assumeRolePolicy": doc(
             {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/x"},
              "Action": "sts:AssumeRole"})}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_3", "R3")], tmp_path)

    assert by_resource(results, "CKV_KATA_3") == {
        "service": Outcome.PASSED,
        "named-user": Outcome.PASSED,
        "root-with-external-id": Outcome.PASSED,
        "anyone-in-org": Outcome.PASSED,
        "root-with-mfa-only": Outcome.FAILED,
        "anyone": Outcome.FAILED,
        "any-aws": Outcome.FAILED,
        "account-root": Outcome.FAILED,
        "bare-account": Outcome.FAILED,
        "service-list": Outcome.PASSED,
        "account-in-list": Outcome.FAILED,
        "root-action-case": Outcome.FAILED,
        "root-key-case": Outcome.PASSED,
        "anyone-but": Outcome.FAILED,
        "root-if-exists": Outcome.FAILED,
        "not-principal": Outcome.FAILED,
    }
    root = next(r for r in results if r.id == "CKV_KATA_3" and r.resource == "account-root")
    assert "arn:aws:iam::123456789012:root without a condition naming who" in root.message
    listed = next(r for r in results if r.id == "CKV_KATA_3" and r.resource == "account-in-list")
    assert "the whole account 123456789012 without a condition naming who" in listed.message
