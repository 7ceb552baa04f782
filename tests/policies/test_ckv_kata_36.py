"""CKV_KATA_36 (functions publish numbered versions), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

FUNCTION = "aws:lambda/function:Function"
BASE = {"role": "arn:aws:iam::123456789012:role/fn", "runtime": "python3.12",
        "handler": "app.handler"}  # fmt: skip


def test_functions_publish_versions(make, by_resource, tmp_path) -> None:
    resources = [
        make(FUNCTION, "published", {**BASE, "name": "a", "publish": True}),
        make(FUNCTION, "latest-only", {**BASE, "name": "b"}),
        make(FUNCTION, "off", {**BASE, "name": "c", "publish": False}),
    ]
    results = scan(resources, [PolicyCheck("CKV_KATA_36", "R2")], tmp_path)
    assert by_resource(results, "CKV_KATA_36") == {
        "published": Outcome.PASSED,
        "latest-only": Outcome.FAILED,
        "off": Outcome.FAILED,
    }
