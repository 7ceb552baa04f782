"""scan()/start_scan() end to end through checkov: graph checks, CloudFormation,
enforced checks that match nothing. One scan, since each checkov start costs ~3 s."""

from __future__ import annotations

import json

import pytest

from harness.kata import PolicyCheck
from harness.policy.scan import start_scan
from harness.results import Outcome, Stage

TEMPLATE = json.dumps(
    {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Bogus": 1}},
        }
    }
)


@pytest.fixture(scope="module")
def scanned(make, tmp_path_factory):
    resource = make
    bucket = resource("aws:s3/bucket:Bucket", "guarded", {"bucket": "guarded-1"})
    blocks = {"blockPublicAcls": True, "blockPublicPolicy": True}
    resources = [
        bucket,
        resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "guarded-pab",
                 {"bucket": "guarded-1", **blocks},
                 property_dependencies={"bucket": [bucket.urn]}),
        resource("aws:s3/bucket:Bucket", "exposed", {"bucket": "exposed-1"}),
        # Names a bucket only by value: without the dependency nothing connects them.
        resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "stray-pab",
                 {"bucket": "exposed-1", **blocks}),
        resource("aws:cloudformation/stack:Stack", "legacy", {"templateBody": TEMPLATE}),
    ]  # fmt: skip
    enforced = [
        PolicyCheck("CKV2_AWS_6", "R1"),
        PolicyCheck("CKV_AWS_26", "R2"),  # SNS encryption: only in the CloudFormation template
        PolicyCheck("CKV_KATA_1", "R3"),  # roles: the graph has none
        PolicyCheck("CKV_AWS_9999", "R4"),  # no such check
    ]
    workdir = tmp_path_factory.mktemp("policy")
    handle = start_scan(resources, enforced, workdir, sources={"exposed": "__main__.py:7"})
    return handle.result(timeout=600), handle, workdir


def test_graph_checks_follow_property_dependencies(scanned, by_resource) -> None:
    results, _, _ = scanned
    assert by_resource(results, "CKV2_AWS_6") == {
        "guarded": Outcome.PASSED,
        "exposed": Outcome.FAILED,
    }
    exposed = next(r for r in results if r.id == "CKV2_AWS_6" and r.resource == "exposed")
    assert exposed.enforced and exposed.requirement == "R1" and exposed.stage == Stage.POLICY
    assert exposed.source == "__main__.py:7"
    assert exposed.message == (
        "Ensure that S3 bucket has a Public Access block: exposed (aws:s3/bucket:Bucket)"
    )
    assert exposed.details["address"] == "aws_s3_bucket.exposed"


def test_advisory_findings_are_reported_but_not_enforced(scanned) -> None:
    results, _, _ = scanned
    # Versioning (plan) and SQS encryption (template): neither is in the kata.
    advisory = [r for r in results if r.id in ("CKV_AWS_21", "CKV_AWS_27")]
    assert {(r.id, r.resource) for r in advisory} == {
        ("CKV_AWS_21", "guarded"),
        ("CKV_AWS_21", "exposed"),
        ("CKV_AWS_27", "legacy"),
    }
    assert all(not r.enforced and r.requirement is None and not r.blocking for r in advisory)


def test_cloudformation_templates_are_scanned_and_linted(scanned) -> None:
    results, _, workdir = scanned
    sns = [r for r in results if r.id == "CKV_AWS_26"]
    assert [(r.resource, r.outcome, r.enforced) for r in sns] == [("legacy", Outcome.FAILED, True)]
    assert "AWS::SNS::Topic.Topic in the template of legacy" in sns[0].message
    lint = [r for r in results if r.details.get("tool") == "cfn-lint"]
    assert lint and all(r.id.startswith("E") and not r.enforced for r in lint)
    assert any("Bogus" in r.message for r in lint)
    assert (workdir / "cfn" / "legacy.template.json").read_text() == TEMPLATE
    assert json.loads((workdir / "plan.json").read_text())["format_version"]


def test_enforced_checks_that_match_nothing_are_errors(scanned) -> None:
    results, _, _ = scanned
    errors = {r.id: r for r in results if r.outcome == Outcome.ERROR}
    assert set(errors) == {"CKV_KATA_1", "CKV_AWS_9999"}
    assert errors["CKV_KATA_1"].message == (
        "enforced check CKV_KATA_1 matched no resource; does the program declare aws_iam_role?"
    )
    assert errors["CKV_KATA_1"].requirement == "R3" and errors["CKV_KATA_1"].blocking
    assert "not a check checkov knows" in errors["CKV_AWS_9999"].message


def test_timings_are_recorded(scanned) -> None:
    _, handle, _ = scanned
    assert handle.done() and 0 < handle.timings["checkov"] < handle.timings["total"]
