"""CKV_KATA_2 (no service-wide wildcard actions), through the real scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'  # noqa: E501


def test_policy_documents_must_name_actions(make, doc, by_resource, tmp_path) -> None:
    def allow(action: object) -> dict[str, object]:
        return {"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::data/*"}

    deny_all = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    resources = [
        make("aws:iam/policy:Policy", "named-actions",
             {"policy": doc(allow(["s3:GetObject", "s3:Get*"]), deny_all)}),
        make("aws:iam/policy:Policy", "star", {"policy": doc(allow("*"))}),
        make("aws:iam/rolePolicy:RolePolicy", "service-star",
             {"role": "app", "policy": doc(allow(["s3:GetObject", "s3:*"]))}),
        make("aws:iam/userPolicy:UserPolicy", "not-action", {"user": "u", "policy": doc(
             {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})}),
        make("aws:iam/role:Role", "inline-star", {"assumeRolePolicy": TRUST,
             "inlinePolicies": [{"name": "all", "policy": doc(allow("dynamodb:*"))}]}),
        make("aws:iam/role:Role", "no-inline", {"assumeRolePolicy": TRUST}),
        # Judged by what a pattern grants, not how it is spelled.
        make("aws:iam/policy:Policy", "upper-case-star", {"policy": doc(allow("S3:*"))}),
        make("aws:iam/policy:Policy", "question-star", {"policy": doc(allow(["sqs:?*"]))}),
        make("aws:iam/policy:Policy", "star-in-list",
             {"policy": doc(allow(["s3:GetObject", "*"]))}),
        make("aws:iam/policy:Policy", "infix-wildcards",
             {"policy": doc(allow(["s3:*Object*", "lambda:*Alias", "SQS:delete*"]))}),
        make("aws:iam/role:Role", "inline-list-forms", {"assumeRolePolicy": TRUST,
             "inlinePolicies": [{"name": "ok", "policy": doc(allow(["s3:GetObject"]))},
                                {"name": "all", "policy": doc(allow(["DynamoDB:*"]))}]}),
        make("aws:iam/policy:Policy", "lower-case-effect", {"policy": doc(
             {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"})}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_2", "R2")], tmp_path)

    assert by_resource(results, "CKV_KATA_2") == {
        "named-actions": Outcome.PASSED,
        "star": Outcome.FAILED,
        "service-star": Outcome.FAILED,
        "not-action": Outcome.FAILED,
        "inline-star": Outcome.FAILED,
        "no-inline": Outcome.PASSED,
        "upper-case-star": Outcome.FAILED,
        "question-star": Outcome.FAILED,
        "star-in-list": Outcome.FAILED,
        "infix-wildcards": Outcome.PASSED,
        "inline-list-forms": Outcome.FAILED,
        "lower-case-effect": Outcome.FAILED,  # IAM rejects it: said, not silently passed
    }
    service_star = next(r for r in results if r.id == "CKV_KATA_2" and r.resource == "service-star")
    assert '"s3:*"' in service_star.message  # the offending action is named
    assert service_star.details["findings"] == ['allows the service-wide wildcard action "s3:*"']
    upper = next(r for r in results if r.id == "CKV_KATA_2" and r.resource == "upper-case-star")
    # checkov reads canonical documents (harness.policy.tfplan): the action in AWS's spelling.
    assert upper.details["findings"] == ['allows the service-wide wildcard action "s3:*"']
    effect = next(r for r in results if r.id == "CKV_KATA_2" and r.resource == "lower-case-effect")
    assert "Effect" in effect.message
