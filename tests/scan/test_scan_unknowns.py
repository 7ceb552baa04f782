"""A checkov verdict that reads an input unknown at preview is unknown, not a pass or fail."""

from __future__ import annotations

from harness.commands.scan import mark_unknown
from harness.engines.state import ResourceState
from harness.policy.tfplan import UNKNOWN
from harness.results import CheckResult, Outcome, Stage

BUCKET = ResourceState(
    urn="urn:b",
    type="aws:s3/bucketV2:BucketV2",
    name="data",
    inputs={"bucket": "data-1", "serverSideEncryptionConfiguration": {"kmsKeyId": UNKNOWN}},
)


def _result(outcome: Outcome, keys: list[str]) -> CheckResult:
    return CheckResult(
        id="CKV_AWS_145",
        stage=Stage.POLICY,
        requirement=None,
        outcome=outcome,
        title="Ensure that S3 buckets are encrypted with KMS by default",
        enforced=False,
        resource="data",
        details={"evaluated_keys": keys},
    )


def test_a_verdict_on_an_unknown_input_is_unknown_whichever_way_checkov_went() -> None:
    for was in (Outcome.PASSED, Outcome.FAILED):
        key = "server_side_encryption_configuration/[0]/kms_key_id"
        result = mark_unknown(_result(was, [key]), BUCKET)
        assert result.outcome == Outcome.NOT_EVALUABLE
        assert "serverSideEncryptionConfiguration" in result.message
        assert f"checkov said {was}" in result.message


def test_a_verdict_on_known_inputs_stands_and_names_the_unknown_beside_it() -> None:
    result = mark_unknown(_result(Outcome.FAILED, ["bucket"]), BUCKET)
    assert result.outcome == Outcome.FAILED
    assert result.details["unknown_inputs"] == ["serverSideEncryptionConfiguration"]
    silent = mark_unknown(_result(Outcome.PASSED, []), BUCKET)  # checkov named no key
    assert silent.outcome == Outcome.PASSED and silent.details["unknown_inputs"]


def test_a_resource_without_unknowns_is_untouched() -> None:
    known = ResourceState(urn="u", type=BUCKET.type, name="data", inputs={"bucket": "x"})
    result = mark_unknown(_result(Outcome.FAILED, ["bucket"]), known)
    assert result.outcome == Outcome.FAILED and "unknown_inputs" not in result.details
