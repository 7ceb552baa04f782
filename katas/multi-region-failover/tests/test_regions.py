"""R1: two explicit regional providers from stack config; each regional resource in its region."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PROVIDER = "pulumi:providers:aws"


@pytest.mark.requirement("R1")
def test_two_explicit_providers_from_the_stack_config(stack, expected):
    explicit = {
        r.name: r.inputs.get("region")
        for r in stack.resources
        if r.type == PROVIDER and not r.name.startswith("default")
    }
    assert sorted(explicit.values()) == sorted([expected.primary, expected.secondary]), (
        f"explicit aws providers and their regions: {explicit}; the SPEC asks for one per "
        f"region, {expected.primary} and {expected.secondary}, from the stack config"
    )
    by_urn = stack.by_urn()
    on_default = [
        r.name
        for r in stack.managed()
        if not r.provider or by_urn.get(r.provider, r).name.startswith("default")
    ]
    assert not on_default, (
        f"resources on the default provider (region from aws:region, not chosen): {on_default}"
    )


@pytest.mark.requirement("R1")
def test_regional_resources_live_in_their_region(aws, export, expected, region_of):
    s3 = aws("s3")
    problems = []

    def expect(what: str, actual: str, region: str) -> None:
        if actual != region:
            problems.append(f"{what} is in {actual or 'no region'}, the SPEC puts it in {region}")

    for what, name, region in (
        ("primary bucket", export("primaryBucketName"), expected.primary),
        ("secondary bucket", export("secondaryBucketName"), expected.secondary),
    ):
        try:
            where = s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1"
        except ClientError as exc:
            problems.append(f"{what} {name}: {exc.response['Error']['Code']}")
            continue
        expect(f"{what} {name}", where, region)
    expect("primary key", region_of(export("primaryKeyArn")), expected.primary)
    expect("secondary key", region_of(export("secondaryKeyArn")), expected.secondary)
    expect("payment secret", region_of(export("paymentSecretArn")), expected.primary)
    expect("paging topic", region_of(export("pagingTopicArn")), expected.primary)
    alarms = aws("cloudwatch", expected.primary).describe_alarms(
        AlarmNames=[export("healthAlarmName")]
    )["MetricAlarms"]
    if not alarms:
        problems.append(f"health alarm {export('healthAlarmName')} is not in {expected.primary}")
    assert not problems, "\n".join(problems)
