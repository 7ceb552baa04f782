"""CKV_KATA_1 (roles carry a permissions boundary), through the real scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.policy.tfplan import UNKNOWN
from harness.results import Outcome

TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'  # noqa: E501


def test_roles_need_a_permissions_boundary(make, by_resource, tmp_path) -> None:
    boundary = make("aws:iam/policy:Policy", "boundary", {"policy": "{}"})
    resources = [
        boundary,
        make("aws:iam/role:Role", "bounded", {"assumeRolePolicy": TRUST,
             "permissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"}),
        # Known only after apply, but declared from another resource: it exists.
        make("aws:iam/role:Role", "bounded-by-ref",
             {"assumeRolePolicy": TRUST, "permissionsBoundary": UNKNOWN},
             property_dependencies={"permissionsBoundary": [boundary.urn]}),
        make("aws:iam/role:Role", "unbounded", {"assumeRolePolicy": TRUST}),
        make("aws:iam/role:Role", "empty", {"assumeRolePolicy": TRUST, "permissionsBoundary": ""}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_1", "R1")], tmp_path)

    assert by_resource(results, "CKV_KATA_1") == {
        "bounded": Outcome.PASSED,
        "bounded-by-ref": Outcome.PASSED,
        "unbounded": Outcome.FAILED,
        "empty": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_1" and r.resource == "unbounded")
    assert failed.enforced and failed.requirement == "R1"
    assert "permissions boundary" in failed.message and "unbounded" in failed.message
    # Everything else checkov found is advisory.
    assert all(not r.enforced and r.requirement is None for r in results if r.id != "CKV_KATA_1")
