"""CKV_KATA_15 (owner, service and region-role tags), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

TAGS = {"owner": "team-checkout", "service": "checkout-api", "region-role": "primary"}


def test_resources_carry_the_three_tags(make, by_resource, tmp_path) -> None:
    resources = [
        make("aws:s3/bucket:Bucket", "tagged", {"bucket": "tagged", "tags": TAGS}),
        make("aws:route53/zone:Zone", "global", {"name": "example.com",
             "tags": {**TAGS, "region-role": "global"}}),
        make("aws:kms/key:Key", "untagged", {"description": "k"}),
        make("aws:sns/topic:Topic", "no-owner", {"name": "t",
             "tags": {"service": "checkout-api", "region-role": "primary"}}),
        make("aws:secretsmanager/secret:Secret", "bad-role", {"name": "s",
             "tags": {**TAGS, "region-role": "us-west-2"}}),
        make("aws:s3/bucketVersioning:BucketVersioning", "not-taggable", {"bucket": "tagged"}),
        # SPEC R10 names buckets, keys, roles, secrets, zones, health checks, alarms and
        # topics: a managed policy or a queue a program adds need not carry the tags.
        make("aws:iam/policy:Policy", "extra-policy", {"policy": "{}"}),
        make("aws:sqs/queue:Queue", "extra-queue", {"name": "q"}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_15", "R10")], tmp_path)

    assert by_resource(results, "CKV_KATA_15") == {
        "tagged": Outcome.PASSED,
        "global": Outcome.PASSED,
        "untagged": Outcome.FAILED,
        "no-owner": Outcome.FAILED,
        "bad-role": Outcome.FAILED,
    }
    messages = {r.resource: r.message for r in results if r.id == "CKV_KATA_15"}
    assert "missing tags: owner, service, region-role" in messages["untagged"]
    assert "region-role is 'us-west-2'" in messages["bad-role"]
