"""CKV_KATA_20 (owner, service and cost-center tags), through the real scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

TAGS = {"owner": "team-orders", "service": "orders", "cost-center": "cc-4417"}


def test_taggable_resources_need_all_three_tags(make, by_resource, tmp_path) -> None:
    resources = [
        make("aws:s3/bucket:Bucket", "tagged", {"bucket": "b1", "tags": TAGS}),
        make("aws:ssm/parameter:Parameter", "tagged-param",
             {"name": "/a", "type": "String", "value": "x", "tags": {**TAGS, "extra": "1"}}),
        make("aws:sns/topic:Topic", "no-cost-center",
             {"name": "t", "tags": {"owner": "o", "service": "s"}}),
        make("aws:ec2/securityGroup:SecurityGroup", "empty-owner",
             {"description": "d", "tags": {**TAGS, "owner": ""}}),
        make("aws:cloudwatch/eventRule:EventRule", "untagged", {"eventPattern": "{}"}),
        # Not taggable in this sense: never judged.
        make("aws:iam/rolePolicy:RolePolicy", "inline", {"role": "r", "policy": "{}"}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_20", "R4")], tmp_path)

    assert by_resource(results, "CKV_KATA_20") == {
        "tagged": Outcome.PASSED,
        "tagged-param": Outcome.PASSED,
        "no-cost-center": Outcome.FAILED,
        "empty-owner": Outcome.FAILED,
        "untagged": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_20" and r.resource == "no-cost-center")
    assert failed.enforced and failed.requirement == "R4"
    assert "cost-center" in failed.message
