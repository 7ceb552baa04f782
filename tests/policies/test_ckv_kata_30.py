"""CKV_KATA_30 (a Lambda alias points at a published version), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.policy.tfplan import UNKNOWN
from harness.results import Outcome

ALIAS = "aws:lambda/alias:Alias"
FUNCTION = "aws:lambda/function:Function"


def test_aliases_must_not_point_at_latest(make, by_resource, tmp_path) -> None:
    fn = make(FUNCTION, "svc", {"name": "svc", "publish": True, "role": "arn:aws:iam::1:role/r"})
    resources = [
        fn,
        make(ALIAS, "pinned", {"name": "live", "functionName": "svc", "functionVersion": "3"}),
        # The version a publishing function gets is known only after apply.
        make(ALIAS, "by-ref", {"name": "live", "functionName": "svc", "functionVersion": UNKNOWN},
             property_dependencies={"functionVersion": [fn.urn]}),
        make(ALIAS, "latest", {"name": "live", "functionName": "svc",
                               "functionVersion": "$LATEST"}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_30", "R3")], tmp_path)
    assert by_resource(results, "CKV_KATA_30") == {
        "pinned": Outcome.PASSED,
        "by-ref": Outcome.PASSED,
        "latest": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_30" and r.resource == "latest")
    assert failed.enforced and "$LATEST" in failed.message
