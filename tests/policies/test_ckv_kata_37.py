"""CKV_KATA_37 (code from S3 pins the object version), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.policy.tfplan import UNKNOWN
from harness.results import Outcome

FUNCTION = "aws:lambda/function:Function"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
BASE = {"role": "arn:aws:iam::123456789012:role/fn", "runtime": "python3.12",
        "handler": "app.handler", "publish": True}  # fmt: skip


def test_functions_from_s3_pin_the_artifact_version(make, by_resource, tmp_path) -> None:
    artifact = make(OBJECT, "artifact", {"bucket": "releases", "key": "releases/1/app.zip"})
    s3 = {"s3Bucket": "releases", "s3Key": "releases/1/app.zip"}
    resources = [
        artifact,
        make(FUNCTION, "pinned", {**BASE, "name": "a", **s3, "s3ObjectVersion": "v1"}),
        make(FUNCTION, "pinned-by-ref", {**BASE, "name": "b", **s3, "s3ObjectVersion": UNKNOWN},
             property_dependencies={"s3ObjectVersion": [artifact.urn]}),
        make(FUNCTION, "unpinned", {**BASE, "name": "c", **s3}),
        # Code from a local archive: not this check's business.
        make(FUNCTION, "local", {**BASE, "name": "d"}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_37", "R2")], tmp_path)
    outcomes = by_resource(results, "CKV_KATA_37")
    assert outcomes == {
        "pinned": Outcome.PASSED,
        "pinned-by-ref": Outcome.PASSED,
        "unpinned": Outcome.FAILED,
    }
