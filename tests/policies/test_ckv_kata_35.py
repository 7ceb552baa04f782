"""CKV2_KATA_35 (artifact buckets have Object Lock), through scan() and checkov.

Object Lock is on when the bucket is created with it, or when a lock configuration is
put on the (versioned) bucket later, as S3 allows since 2023: both forms pass.
"""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

BUCKET = "aws:s3/bucket:Bucket"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"


def test_artifact_buckets_need_object_lock(make, by_resource, tmp_path) -> None:
    later = make(BUCKET, "locked-later", {"bucket": "later"})
    resources = [
        make(BUCKET, "locked", {"bucket": "releases", "objectLockEnabled": True}),
        make(BUCKET, "unlocked", {"bucket": "scratch"}),
        make(BUCKET, "off", {"bucket": "other", "objectLockEnabled": False}),
        later,
        make(
            LOCK,
            "later-lock",
            {"bucket": "later", "objectLockEnabled": "Enabled"},
            property_dependencies={"bucket": [later.urn]},
        ),
    ]
    results = scan(resources, [PolicyCheck("CKV2_KATA_35", "R1")], tmp_path)
    assert by_resource(results, "CKV2_KATA_35") == {
        "locked": Outcome.PASSED,
        "unlocked": Outcome.FAILED,
        "off": Outcome.FAILED,
        "locked-later": Outcome.PASSED,
        "later-lock": Outcome.PASSED,  # a connection check reports on both ends
    }
