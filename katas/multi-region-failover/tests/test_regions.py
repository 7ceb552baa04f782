"""R1: two explicit regional providers from stack config; each regional resource in its region."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

PROVIDER = "pulumi:providers:aws"
# Pulumi names the default provider "default" or "default_<version>" (default_7_12_0).
DEFAULT_PROVIDER = re.compile(r"^default(_\d+_\d+_\d+.*)?$")


@pytest.mark.requirement("R1")
def test_two_explicit_providers_from_the_stack_config(stack, expected):
    explicit = {
        r.name: r.inputs.get("region")
        for r in stack.resources
        if r.type == PROVIDER and not DEFAULT_PROVIDER.match(r.name)
    }
    assert set(explicit.values()) == {expected.primary, expected.secondary}, (
        f"R1: the explicit aws providers and their regions are {explicit}; the SPEC asks for "
        f"one per region, {expected.primary} and {expected.secondary}, from the stack config"
    )
    by_urn = stack.by_urn()
    on_default = [
        r.name
        for r in stack.managed()
        if not r.provider or DEFAULT_PROVIDER.match(by_urn.get(r.provider, r).name)
    ]
    assert not on_default, (
        f"R1: {', '.join(on_default)} use the default provider (its region comes from "
        "aws:region, not chosen): give each an explicit provider"
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
    assert not problems, "R1: " + "; ".join(problems)
