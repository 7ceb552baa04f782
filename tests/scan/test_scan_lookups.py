"""Provider functions: answered from the emulator (kata up, kata run) and offline (scan)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from harness.engines.local.invokes import Invokes
from harness.engines.local.lookups import LookupFailed, Offline, Online

ACCOUNT = "123456789012"
REGION = "us-east-1"
AMI = "aws:ec2/getAmi:getAmi"
AMAZON_LINUX_2 = {
    "owners": ["amazon"],
    "filters": [{"name": "name", "values": ["amzn2-ami-hvm-*"]}],
}


@pytest.fixture(scope="module")
def online(aws_client: Callable[..., Any]) -> Invokes:
    client = lambda service, region: aws_client(service, region=region)  # noqa: E731
    return Invokes(ACCOUNT, "aws", lambda _: REGION, client)


@pytest.fixture(scope="module")
def offline() -> Invokes:
    return Invokes(ACCOUNT, "aws", lambda _: REGION)


def test_get_ami_finds_what_the_emulator_holds(online: Invokes, aws_client: Any) -> None:
    ami = online.call(AMI, {**AMAZON_LINUX_2, "mostRecent": True}, "")
    described = aws_client("ec2", region=REGION).describe_images(ImageIds=[ami["id"]])
    assert described["Images"][0]["Name"].startswith("amzn2-ami-hvm-")
    assert ami["imageId"] == ami["id"] and ami["name"].startswith("amzn2-ami-hvm-")


def test_get_ami_refuses_as_the_provider_does(online: Invokes) -> None:
    with pytest.raises(LookupFailed, match=r"aws\.ec2\.get_ami: no AMI matches .*nothing-\*"):
        online.call(AMI, {"filters": [{"name": "name", "values": ["nothing-*"]}]}, "")
    several = {"owners": ["amazon"], "filters": [{"name": "name", "values": ["Windows_*"]}]}
    with pytest.raises(LookupFailed, match=r"AMIs match .*set most_recent=True"):
        online.call(AMI, several, "")


def test_default_vpc_its_subnets_and_zones(online: Invokes, aws_client: Any) -> None:
    vpc = online.call("aws:ec2/getVpc:getVpc", {"default": True}, "")
    assert vpc["default"] is True and vpc["cidrBlock"] == "172.31.0.0/16"
    assert vpc["mainRouteTableId"].startswith("rtb-")
    subnets = online.call(
        "aws:ec2/getSubnets:getSubnets",
        {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]},
        "",
    )
    listed = aws_client("ec2", region=REGION).describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc["id"]]}]
    )["Subnets"]
    assert subnets["ids"] == sorted(s["SubnetId"] for s in listed) and subnets["ids"]
    zones = online.call("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "")
    assert {s["AvailabilityZone"] for s in listed} <= set(zones["names"])


def test_route53_zone_by_name_with_or_without_the_dot(online: Invokes, aws_client: Any) -> None:
    name = f"z{uuid.uuid4().hex[:8]}.example.org"
    created = aws_client("route53", region=REGION).create_hosted_zone(
        Name=name, CallerReference=uuid.uuid4().hex
    )
    zone_id = created["HostedZone"]["Id"].rsplit("/", 1)[-1]
    for spelled in (name, f"{name}."):
        zone = online.call("aws:route53/getZone:getZone", {"name": spelled}, "")
        assert zone["zoneId"] == zone_id and zone["name"] == name
    with pytest.raises(LookupFailed, match=r"no hosted zone matches .*absent.example.org"):
        online.call("aws:route53/getZone:getZone", {"name": "absent.example.org"}, "")


def test_aws_managed_policy_with_its_document(online: Invokes) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    policy = online.call("aws:iam/getPolicy:getPolicy", {"arn": arn}, "")
    assert policy["name"] == "ReadOnlyAccess" and policy["arn"] == arn
    assert json.loads(policy["policy"])["Statement"]
    by_name = online.call("aws:iam/getPolicy:getPolicy", {"name": "ReadOnlyAccess"}, "")
    assert by_name["arn"] == arn


def test_regions(online: Invokes) -> None:
    assert REGION in online.call("aws:index/getRegions:getRegions", {}, "")["names"]


def test_offline_answers_are_plausible_and_stable(offline: Invokes) -> None:
    assert isinstance(offline.lookups, Offline)
    ami = offline.call(AMI, AMAZON_LINUX_2, "")
    assert ami["name"].startswith("amzn2-ami-hvm-")  # from moto's own table
    made_up = offline.call(AMI, {"filters": [{"name": "name", "values": ["custom-*"]}]}, "")
    assert made_up["id"].startswith("ami-")
    assert made_up == offline.call(AMI, {"filters": [{"name": "name", "values": ["custom-*"]}]}, "")
    zone = offline.call("aws:route53/getZone:getZone", {"name": "example.com."}, "")
    assert zone["zoneId"].startswith("Z") and zone["name"] == "example.com"
    managed = offline.call(
        "aws:iam/getPolicy:getPolicy", {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, ""
    )
    assert json.loads(managed["policy"])["Statement"]  # moto's copy of the document
    vpc = offline.call("aws:ec2/getVpc:getVpc", {"default": True}, "")
    assert vpc["id"].startswith("vpc-") and vpc["default"] is True


def test_online_and_offline_spell_results_alike(online: Invokes, offline: Invokes) -> None:
    args = {**AMAZON_LINUX_2, "mostRecent": True}
    assert set(online.call(AMI, args, "")) == set(offline.call(AMI, args, ""))
    assert isinstance(online.lookups, Online)


def test_a_function_nobody_answers_is_named(offline: Invokes) -> None:
    with pytest.raises(Exception, match=r"does not answer the provider function aws:eks/getCl"):
        offline.call("aws:eks/getCluster:getCluster", {"name": "x"}, "")
