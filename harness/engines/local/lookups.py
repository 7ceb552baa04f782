"""Provider functions that look something up in AWS: answered from the emulator.

``aws.ec2.get_ami``, ``get_vpc``, ``get_subnets``, ``get_availability_zones``,
``route53.get_zone``, ``get_regions`` and ``iam.get_policy`` read what the emulator
holds (moto ships a table of public AMIs, a default VPC with a subnet per zone, and
AWS-managed policies when the harness starts it), and fail as the provider does when
nothing matches. Results are spelled as pulumi-aws's ``Get*Result`` types (camelCase).

Without an emulator (``kata scan``) the same functions answer from ``Offline``:
plausible values, derived from the arguments so that a scan reads the same twice, and
taken from moto's own tables where it has them (AMIs, managed policies).
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import importlib.util
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from harness.errors import ResourceRejected

Client = Callable[[str, str], Any]  # (service, region) -> boto3 client
DEFAULT_CIDR = "172.31.0.0/16"  # what AWS (and moto) give every default VPC


class LookupFailed(ResourceRejected):
    """The provider function found nothing (or too much), as the provider would say."""


def _filters(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"Name": f["name"], "Values": list(f.get("values") or [])} for f in items or []]


def _tag_filters(tags: dict[str, str] | None) -> list[dict[str, Any]]:
    return [{"Name": f"tag:{k}", "Values": [v]} for k, v in (tags or {}).items()]


def _tags(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


class Online:
    """Lookups against the emulator, one boto3 client per service and region."""

    def __init__(self, client: Client, account_id: str, partition: str) -> None:
        self.client = client
        self.account_id = account_id
        self.partition = partition

    def get_ami(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"Filters": _filters(args.get("filters"))}
        if args.get("owners"):
            kwargs["Owners"] = list(args["owners"])
        if args.get("executableUsers"):
            kwargs["ExecutableUsers"] = list(args["executableUsers"])
        images = self.client("ec2", region).describe_images(**kwargs)["Images"]
        if args.get("nameRegex"):
            pattern = re.compile(args["nameRegex"])
            images = [i for i in images if pattern.search(i.get("Name") or "")]
        return _pick_ami(images, args, region, self.partition)

    def get_vpc(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        filters = _filters(args.get("filters")) + _tag_filters(args.get("tags"))
        if args.get("default") is not None:
            filters.append({"Name": "isDefault", "Values": [str(bool(args["default"])).lower()]})
        for key, name in (("id", "vpc-id"), ("cidrBlock", "cidr"), ("state", "state")):
            if args.get(key):
                filters.append({"Name": name, "Values": [args[key]]})
        vpcs = self.client("ec2", region).describe_vpcs(Filters=filters)["Vpcs"]
        if len(vpcs) != 1:
            raise LookupFailed(
                f"aws.ec2.get_vpc: {'no VPC matches' if not vpcs else 'several VPCs match'} "
                f"{_said(args)} in the emulator's {region}",
                "match exactly one VPC (default=True finds the default VPC)",
            )
        vpc = vpcs[0]
        ec2 = self.client("ec2", region)
        tables = ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"]
        return _vpc_result(
            vpc, tables[0]["RouteTableId"] if tables else "", region, self.account_id, args
        )

    def get_subnets(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        filters = _filters(args.get("filters")) + _tag_filters(args.get("tags"))
        subnets = self.client("ec2", region).describe_subnets(Filters=filters)["Subnets"]
        ids = sorted(s["SubnetId"] for s in subnets)
        return {**args, "id": region, "ids": ids}

    def get_availability_zones(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"Filters": _filters(args.get("filters"))}
        if args.get("allAvailabilityZones"):
            kwargs["AllAvailabilityZones"] = True
        if args.get("state"):
            kwargs["Filters"].append({"Name": "state", "Values": [args["state"]]})
        zones = self.client("ec2", region).describe_availability_zones(**kwargs)[
            "AvailabilityZones"
        ]
        excluded = set(args.get("excludeNames") or []) | set(args.get("excludeZoneIds") or [])
        zones = [z for z in zones if z["ZoneName"] not in excluded and z["ZoneId"] not in excluded]
        return _zones_result(
            [z["ZoneName"] for z in zones], [z["ZoneId"] for z in zones], region, args
        )

    def get_zone(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        r53 = self.client("route53", region)
        wanted = (args.get("name") or "").rstrip(".").lower()
        private = args.get("privateZone")
        found = []
        for page in r53.get_paginator("list_hosted_zones").paginate():
            for zone in page["HostedZones"]:
                zone_id = zone["Id"].rsplit("/", 1)[-1]
                if args.get("zoneId") and zone_id != args["zoneId"]:
                    continue
                if wanted and zone["Name"].rstrip(".").lower() != wanted:
                    continue
                is_private = bool(zone.get("Config", {}).get("PrivateZone"))
                if private is not None and is_private != bool(private):
                    continue
                found.append((zone_id, zone, is_private))
        if len(found) != 1:
            how = "no hosted zone matches" if not found else "several hosted zones match"
            raise LookupFailed(
                f"aws.route53.get_zone: {how} {_said(args)} in the emulator",
                "create the zone in the program (aws.route53.Zone) or look it up by zone_id",
            )
        zone_id, zone, is_private = found[0]
        servers = r53.get_hosted_zone(Id=zone_id).get("DelegationSet", {}).get("NameServers", [])
        return _zone_result(zone_id, zone["Name"], is_private, servers, self.partition, args, zone)

    def get_regions(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        kwargs = {"AllRegions": bool(args.get("allRegions"))}
        regions = self.client("ec2", region).describe_regions(**kwargs)["Regions"]
        return {**args, "id": self.partition, "names": sorted(r["RegionName"] for r in regions)}

    def get_policy(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        iam = self.client("iam", region)
        arn = args.get("arn") or ""
        if not arn and args.get("name"):
            arn = _find_policy_arn(iam, args["name"], args.get("pathPrefix") or "/")
        try:
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
        except Exception as exc:  # NoSuchEntity: the provider's message names the ARN
            raise LookupFailed(
                f"aws.iam.get_policy: no IAM policy {arn or _said(args)} in the emulator ({exc})",
                "an AWS-managed policy is named arn:aws:iam::aws:policy/<name>",
            ) from None
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        document = version["PolicyVersion"]["Document"]
        if isinstance(document, str):  # the API URL-encodes it; boto3 decodes JSON only
            document = json.loads(unquote(document))
        return {
            **args,
            "arn": policy["Arn"],
            "id": policy["Arn"],
            "name": policy["PolicyName"],
            "path": policy.get("Path", "/"),
            "policyId": policy.get("PolicyId", ""),
            "description": policy.get("Description", ""),
            "attachmentCount": policy.get("AttachmentCount", 0),
            "policy": json.dumps(document),
            "tags": _tags(policy.get("Tags")),
        }


def _find_policy_arn(iam: Any, name: str, path_prefix: str) -> str:
    for scope in ("Local", "AWS"):
        for page in iam.get_paginator("list_policies").paginate(
            Scope=scope, PathPrefix=path_prefix
        ):
            for policy in page["Policies"]:
                if policy["PolicyName"] == name:
                    return str(policy["Arn"])
    return ""


def _said(args: dict[str, Any]) -> str:
    shown = {k: v for k, v in args.items() if v not in (None, "", [], {})}
    return json.dumps(shown, sort_keys=True) if shown else "(no arguments)"


def _pick_ami(
    images: list[dict[str, Any]], args: dict[str, Any], region: str, partition: str
) -> dict[str, Any]:
    if not images:
        raise LookupFailed(
            f"aws.ec2.get_ami: no AMI matches {_said(args)} in the emulator's {region} "
            "(moto holds a fixed table of public AMIs)",
            "relax the filters, or pass an AMI id the emulator knows",
        )
    if len(images) > 1 and not args.get("mostRecent"):
        # The provider's own refusal: several matches need most_recent=True.
        raise LookupFailed(
            f"aws.ec2.get_ami: {len(images)} AMIs match {_said(args)}; the provider refuses "
            "more than one result",
            "set most_recent=True or narrow the filters",
        )
    image = max(images, key=lambda i: (str(i.get("CreationDate") or ""), i["ImageId"]))
    image_id = image["ImageId"]
    return {
        **args,
        "id": image_id,
        "imageId": image_id,
        "arn": f"arn:{partition}:ec2:{region}::image/{image_id}",
        "name": image.get("Name", ""),
        "description": image.get("Description", ""),
        "ownerId": image.get("OwnerId", ""),
        "imageOwnerAlias": image.get("ImageOwnerAlias", ""),
        "architecture": image.get("Architecture", "x86_64"),
        "creationDate": str(image.get("CreationDate") or ""),
        "imageLocation": image.get("ImageLocation", ""),
        "imageType": image.get("ImageType", "machine"),
        "hypervisor": image.get("Hypervisor", "xen"),
        "platform": image.get("Platform", ""),
        "public": bool(image.get("Public", True)),
        "rootDeviceName": image.get("RootDeviceName", "/dev/xvda"),
        "rootDeviceType": image.get("RootDeviceType", "ebs"),
        "virtualizationType": image.get("VirtualizationType", "hvm"),
        "state": image.get("State", "available"),
        "sriovNetSupport": image.get("SriovNetSupport", ""),
        "blockDeviceMappings": [],
        "productCodes": [],
        "tags": _tags(image.get("Tags")),
    }


def _vpc_result(
    vpc: dict[str, Any], main_table: str, region: str, account: str, args: dict[str, Any]
) -> dict[str, Any]:
    vpc_id = vpc["VpcId"]
    return {
        **args,
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{region}:{account}:vpc/{vpc_id}",
        "cidrBlock": vpc["CidrBlock"],
        "default": bool(vpc.get("IsDefault")),
        "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
        "enableDnsHostnames": bool(vpc.get("IsDefault")),
        "enableDnsSupport": True,
        "instanceTenancy": vpc.get("InstanceTenancy", "default"),
        "ipv6AssociationId": "",
        "ipv6CidrBlock": "",
        "mainRouteTableId": main_table,
        "ownerId": vpc.get("OwnerId", account),
        "state": vpc.get("State", "available"),
        "tags": _tags(vpc.get("Tags")),
        "cidrBlockAssociations": [
            {"associationId": a.get("AssociationId", ""), "cidrBlock": a["CidrBlock"]}
            for a in vpc.get("CidrBlockAssociationSet", [])
        ],
    }


def _zones_result(
    names: list[str], zone_ids: list[str], region: str, args: dict[str, Any]
) -> dict[str, Any]:
    return {**args, "id": region, "names": names, "zoneIds": zone_ids, "groupNames": [region]}


def _zone_result(
    zone_id: str,
    name: str,
    private: bool,
    servers: list[str],
    partition: str,
    args: dict[str, Any],
    zone: dict[str, Any] | None = None,
) -> dict[str, Any]:
    zone = zone or {}
    return {
        **args,
        "id": zone_id,
        "zoneId": zone_id,
        "arn": f"arn:{partition}:route53:::hostedzone/{zone_id}",
        "name": name.rstrip("."),  # the provider drops the trailing dot
        "privateZone": private,
        "nameServers": servers,
        "callerReference": zone.get("CallerReference", ""),
        "comment": zone.get("Config", {}).get("Comment", ""),
        "resourceRecordSetCount": zone.get("ResourceRecordSetCount", 2),
        "tags": {},
    }


# -- without an emulator ---------------------------------------------------------------


def _stable_hex(*parts: object, n: int = 17) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:n]


def _moto_file(relative: str) -> Path | None:
    spec = importlib.util.find_spec("moto")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


@cache
def _moto_amis(region: str) -> list[dict[str, Any]]:
    """moto's AMI tables (the ones its EC2 backend loads), as describe_images spells them."""
    rows: list[dict[str, Any]] = []
    for relative in ("ec2/resources/amis.json.gz", f"ec2/resources/latest_amis/{region}.json.gz"):
        path = _moto_file(relative)
        if path is not None:
            rows += json.loads(gzip.decompress(path.read_bytes()))
    return [
        {
            "ImageId": r["ami_id"],
            "Name": r.get("name", ""),
            "OwnerId": r.get("owner_id", ""),
            "ImageOwnerAlias": "amazon",  # moto assumes its tables are Amazon's
            "Description": r.get("description", ""),
            "Architecture": r.get("architecture", "x86_64"),
            "CreationDate": r.get("creation_date", ""),
            "Platform": r.get("platform", ""),
            "RootDeviceName": r.get("root_device_name", "/dev/xvda"),
            "RootDeviceType": r.get("root_device_type", "ebs"),
            "VirtualizationType": r.get("virtualization_type", "hvm"),
        }
        for r in rows
    ]


@cache
def _moto_managed_policies() -> dict[str, Any]:
    path = _moto_file("iam/aws_managed_policies.py")
    if path is None:
        return {}
    # The module is one string constant; run only it, not moto's IAM package.
    spec = importlib.util.spec_from_file_location("_moto_managed_policies", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(json.loads(module.aws_managed_policies_data))


def _glob_match(image: dict[str, Any], flt: dict[str, Any]) -> bool:
    field = {
        "name": "Name",
        "image-id": "ImageId",
        "owner-id": "OwnerId",
        "architecture": "Architecture",
        "root-device-type": "RootDeviceType",
        "virtualization-type": "VirtualizationType",
        "description": "Description",
    }.get(flt["name"])
    if field is None:
        return True  # a filter the table cannot answer narrows nothing offline
    return any(fnmatch.fnmatchcase(str(image.get(field, "")), v) for v in flt.get("values") or [])


class Offline:
    """Plausible answers without an emulator, for `kata scan`."""

    def __init__(self, account_id: str, partition: str) -> None:
        self.account_id = account_id
        self.partition = partition

    def get_ami(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        owners = set(args.get("owners") or [])
        images = [
            i
            for i in _moto_amis(region)
            if (not owners or i["OwnerId"] in owners or "amazon" in owners)
            and all(_glob_match(i, f) for f in args.get("filters") or [])
        ]
        if args.get("nameRegex"):
            pattern = re.compile(args["nameRegex"])
            images = [i for i in images if pattern.search(i["Name"])]
        if not images:  # not in moto's table: a made-up id, stable for these arguments
            images = [{"ImageId": f"ami-{_stable_hex(args, region)}", "Name": "unknown"}]
        return _pick_ami(images, {**args, "mostRecent": True}, region, self.partition)

    def get_vpc(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        vpc_id = args.get("id") or f"vpc-{_stable_hex('vpc', args, region)}"
        vpc = {"VpcId": vpc_id, "CidrBlock": args.get("cidrBlock") or DEFAULT_CIDR}
        vpc["IsDefault"] = bool(args.get("default"))
        table = f"rtb-{_stable_hex('rtb', vpc_id)}"
        return _vpc_result(vpc, table, region, self.account_id, args)

    def get_subnets(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        ids = [f"subnet-{_stable_hex('subnet', args, region, z)}" for z in "abc"]
        return {**args, "id": region, "ids": ids}

    def get_availability_zones(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        names = [f"{region}{z}" for z in "abc"]
        excluded = set(args.get("excludeNames") or [])
        names = [n for n in names if n not in excluded]
        ids = [f"{region[:3]}{region.split('-')[-1]}-az{i + 1}" for i in range(len(names))]
        return _zones_result(names, ids, region, args)

    def get_zone(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        name = args.get("name") or "example.com"
        zone_id = args.get("zoneId") or f"Z{_stable_hex('zone', name, n=20).upper()}"
        servers = [f"ns-{i}.awsdns-{i}.com" for i in range(4)]
        return _zone_result(
            zone_id, name, bool(args.get("privateZone")), servers, self.partition, args
        )

    def get_regions(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        import boto3

        names = boto3.session.Session().get_available_regions("ec2", self.partition)
        return {**args, "id": self.partition, "names": sorted(names)}

    def get_policy(self, args: dict[str, Any], region: str) -> dict[str, Any]:
        arn = args.get("arn") or ""
        name = args.get("name") or arn.rsplit("/", 1)[-1]
        managed = _moto_managed_policies().get(name) if ":aws:policy/" in arn or not arn else None
        if managed is not None:
            arn = arn or f"arn:{self.partition}:iam::aws:policy{managed.get('Path', '/')}{name}"
            document = managed.get("Document", {})
            path = managed.get("Path", "/")
        else:  # the program's own policy, or one moto does not know: a plausible stand-in
            arn = arn or f"arn:{self.partition}:iam::{self.account_id}:policy/{name}"
            document = {"Version": "2012-10-17", "Statement": []}
            path = "/"
        return {
            **args,
            "arn": arn,
            "id": arn,
            "name": name,
            "path": path,
            "policyId": f"ANPA{_stable_hex('policy', arn).upper()}",
            "description": "",
            "attachmentCount": 0,
            "policy": json.dumps(document),
            "tags": {},
        }


LOOKUPS = {
    "aws:ec2/getAmi:getAmi": "get_ami",
    "aws:ec2/getVpc:getVpc": "get_vpc",
    "aws:ec2/getSubnets:getSubnets": "get_subnets",
    "aws:index/getAvailabilityZones:getAvailabilityZones": "get_availability_zones",
    "aws:route53/getZone:getZone": "get_zone",
    "aws:index/getRegions:getRegions": "get_regions",
    "aws:iam/getPolicy:getPolicy": "get_policy",
}
