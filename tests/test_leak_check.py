"""The teardown leak check reads resources by type and id, whatever engine deployed them."""

from __future__ import annotations

from harness.engines.local import leftovers
from harness.engines.state import ResourceState


def _bucket(name: str) -> ResourceState:
    return ResourceState(
        urn=f"urn:pulumi:dev::p::aws:s3/bucket:Bucket::{name}",
        type="aws:s3/bucket:Bucket",
        name=name,
        id=name,
        inputs={"bucket": name},
        region="us-east-1",
    )


def test_a_bucket_still_there_is_a_leak_and_a_deleted_one_is_not(moto_emulator, aws_client):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="leaky-bucket-1")
    still, gone = _bucket("leaky-bucket-1"), _bucket("never-created-bucket")
    leaked, unverified = leftovers([still, gone], moto_emulator.endpoint, "us-east-1")
    assert [r.name for r in leaked] == ["leaky-bucket-1"]
    assert unverified == []
    s3.delete_bucket(Bucket="leaky-bucket-1")
    assert leftovers([still], moto_emulator.endpoint, "us-east-1") == ([], [])


def test_types_without_an_adapter_are_reported_as_unverifiable(moto_emulator):
    vpc = ResourceState(
        urn="urn:x",
        type="aws:ec2transitgateway/transitGateway:TransitGateway",
        name="net",
        id="tgw-123",
    )
    leaked, unverified = leftovers([vpc], moto_emulator.endpoint, "us-east-1")
    assert leaked == [] and [r.name for r in unverified] == ["net"]
