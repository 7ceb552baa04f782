"""R10: every taggable resource carries owner, service and region-role."""

from __future__ import annotations

import pytest

# SPEC R10: "Every bucket, key, role, secret, hosted zone, health check, alarm and topic"
# (and nothing else: an extra managed policy or queue need not carry the tags).
TAGGABLE = {
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:iam/role:Role",
    "aws:secretsmanager/secret:Secret",
    "aws:route53/zone:Zone",
    "aws:route53/healthCheck:HealthCheck",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:sns/topic:Topic",
}
GLOBAL = ("aws:iam/", "aws:route53/")


@pytest.mark.requirement("R10")
def test_every_taggable_resource_says_whose_what_and_where(stack, expected):
    problems = []
    for res in stack.managed():
        if res.type not in TAGGABLE:
            continue
        tags = res.inputs.get("tags") or {}
        role = "global" if res.type.startswith(GLOBAL) else expected.region_role(res.region)
        wanted = {"owner": expected.owner, "service": expected.service, "region-role": role}
        wrong = {k: tags.get(k) for k, v in wanted.items() if tags.get(k) != v}
        if wrong:
            problems.append(
                f"{res.name} ({res.type.split(':')[-1]} in {res.region}): {wrong}, "
                f"expected {wanted}"
            )
    assert not problems, "R10: " + "; ".join(problems)
