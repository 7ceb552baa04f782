"""CKV_KATA_35 (artifact buckets have Object Lock), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

BUCKET = "aws:s3/bucket:Bucket"


def test_artifact_buckets_need_object_lock(make, by_resource, tmp_path) -> None:
    resources = [
        make(BUCKET, "locked", {"bucket": "releases", "objectLockEnabled": True}),
        make(BUCKET, "unlocked", {"bucket": "scratch"}),
        make(BUCKET, "off", {"bucket": "other", "objectLockEnabled": False}),
    ]
    results = scan(resources, [PolicyCheck("CKV_KATA_35", "R1")], tmp_path)
    assert by_resource(results, "CKV_KATA_35") == {
        "locked": Outcome.PASSED,
        "unlocked": Outcome.FAILED,
        "off": Outcome.FAILED,
    }
