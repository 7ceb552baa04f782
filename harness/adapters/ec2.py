"""EC2: security groups with inline ingress/egress rule blocks.

A rule block of the provider (``{protocol, fromPort, toPort, cidrBlocks,
ipv6CidrBlocks, prefixListIds, securityGroups, self, description}``) may hold many
sources; AWS stores one permission per (protocol, ports) with a list of sources, each
with its own description. Both sides are compared as a set of *atoms* (protocol,
ports, one source, description), so the same rules spelled differently are no drift.

As the provider does: creating a group in a VPC removes the allow-all egress rule AWS
adds, and ``ingress``/``egress`` are only managed (read, diffed, reconciled) when the
program gives them; an update reconciles the live rules to the program's, so rules
added out of band are revoked whatever the state says.
"""

from __future__ import annotations

from typing import Any, ClassVar

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    error_code,
    not_found,
    tags_dict,
    tags_list,
)

RULE_KEYS = ("ingress", "egress")
# (protocol, fromPort, toPort, source kind, source value, description)
Atom = tuple[str, int, int, str, str, str]
_PROTOCOLS = {"all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return _PROTOCOLS.get(text, text)


def _port(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def rule_atoms(rules: list[dict[str, Any]] | None, group_id: str = "") -> set[Atom]:
    """The program's rule blocks as atoms. ``self`` is the group's own id."""
    atoms: set[Atom] = set()
    for rule in rules or []:
        proto = _protocol(rule.get("protocol", "-1"))
        lo, hi = (
            (0, 0) if proto == "-1" else (_port(rule.get("fromPort")), _port(rule.get("toPort")))
        )
        desc = rule.get("description") or ""
        sources = [("cidr", c) for c in rule.get("cidrBlocks") or []]
        sources += [("ipv6", c) for c in rule.get("ipv6CidrBlocks") or []]
        sources += [("prefix", p) for p in rule.get("prefixListIds") or []]
        sources += [("group", g) for g in rule.get("securityGroups") or []]
        if rule.get("self"):
            sources.append(("group", group_id or "self"))
        atoms |= {(proto, lo, hi, kind, value, desc) for kind, value in sources}
    return atoms


def permission_atoms(permissions: list[dict[str, Any]]) -> set[Atom]:
    """AWS IpPermissions as atoms."""
    atoms: set[Atom] = set()
    for perm in permissions:
        proto = _protocol(perm.get("IpProtocol", "-1"))
        lo, hi = (
            (0, 0) if proto == "-1" else (_port(perm.get("FromPort")), _port(perm.get("ToPort")))
        )
        for r in perm.get("IpRanges") or []:
            atoms.add((proto, lo, hi, "cidr", r["CidrIp"], r.get("Description") or ""))
        for r in perm.get("Ipv6Ranges") or []:
            atoms.add((proto, lo, hi, "ipv6", r["CidrIpv6"], r.get("Description") or ""))
        for r in perm.get("PrefixListIds") or []:
            atoms.add((proto, lo, hi, "prefix", r["PrefixListId"], r.get("Description") or ""))
        for r in perm.get("UserIdGroupPairs") or []:
            atoms.add((proto, lo, hi, "group", r["GroupId"], r.get("Description") or ""))
    return atoms


def atoms_to_rules(atoms: set[Atom], group_id: str) -> list[dict[str, Any]]:
    """Atoms as the provider's rule blocks: one block per protocol, ports and description."""
    blocks: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for proto, lo, hi, kind, value, desc in sorted(atoms):
        block = blocks.setdefault(
            (proto, lo, hi, desc),
            {
                "protocol": proto,
                "fromPort": lo,
                "toPort": hi,
                **({"description": desc} if desc else {}),
            },
        )
        if kind == "group" and value == group_id:
            block["self"] = True
            continue
        key = {"cidr": "cidrBlocks", "ipv6": "ipv6CidrBlocks", "prefix": "prefixListIds"}.get(
            kind, "securityGroups"
        )
        block.setdefault(key, []).append(value)
    return list(blocks.values())


def atoms_to_permissions(atoms: set[Atom]) -> list[dict[str, Any]]:
    perms: dict[tuple[str, int, int], dict[str, Any]] = {}
    for proto, lo, hi, kind, value, desc in sorted(atoms):
        perm = perms.setdefault((proto, lo, hi), {"IpProtocol": proto})
        if proto != "-1":
            perm["FromPort"], perm["ToPort"] = lo, hi
        extra = {"Description": desc} if desc else {}
        if kind == "cidr":
            perm.setdefault("IpRanges", []).append({"CidrIp": value, **extra})
        elif kind == "ipv6":
            perm.setdefault("Ipv6Ranges", []).append({"CidrIpv6": value, **extra})
        elif kind == "prefix":
            perm.setdefault("PrefixListIds", []).append({"PrefixListId": value, **extra})
        else:
            perm.setdefault("UserIdGroupPairs", []).append({"GroupId": value, **extra})
    return list(perms.values())


class SecurityGroup(Adapter):
    type_token = "aws:ec2/securityGroup:SecurityGroup"
    replace_on = frozenset({"name", "namePrefix", "description", "vpcId"})
    autoname = ("name", 255)
    handles = frozenset({"name", "namePrefix", "description", "vpcId", "ingress", "egress", "tags"})

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().check(ctx, name, inputs)
        out.setdefault("description", "Managed by Pulumi")  # the provider's default
        return out

    def _outputs(self, ctx: Context, inputs: dict[str, Any], group: dict[str, Any]) -> dict:
        gid = group.get("GroupId", "")
        return {
            **inputs,
            "id": gid,
            "arn": f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:security-group/{gid}",
            "ownerId": group.get("OwnerId", ctx.account_id),
            "vpcId": group.get("VpcId", inputs.get("vpcId")),
            "ingress": atoms_to_rules(permission_atoms(group.get("IpPermissions", [])), gid),
            "egress": atoms_to_rules(permission_atoms(group.get("IpPermissionsEgress", [])), gid),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def _describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        try:
            groups = ctx.client("ec2").describe_security_groups(GroupIds=[id_])["SecurityGroups"]
        except ClientError as exc:
            if not_found(exc, "InvalidGroup.NotFound", "InvalidGroupId.Malformed"):
                return None
            raise
        return groups[0] if groups else None

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ec2 = ctx.client("ec2")
        kwargs: dict[str, Any] = {"GroupName": inputs["name"], "Description": inputs["description"]}
        if inputs.get("vpcId"):
            kwargs["VpcId"] = inputs["vpcId"]
        if inputs.get("tags"):
            kwargs["TagSpecifications"] = [
                {"ResourceType": "security-group", "Tags": tags_list(inputs["tags"])}
            ]
        gid = ec2.create_security_group(**kwargs)["GroupId"]
        group = self._describe(ctx, gid) or {}
        default_egress = permission_atoms(group.get("IpPermissionsEgress", []))
        if default_egress:  # the allow-all rule AWS adds; the provider removes it
            ec2.revoke_security_group_egress(
                GroupId=gid, IpPermissions=atoms_to_permissions(default_egress)
            )
        self._reconcile(ctx, gid, inputs)
        return gid, self._outputs(ctx, inputs, self._describe(ctx, gid) or {"GroupId": gid})

    def _reconcile(self, ctx: Context, gid: str, inputs: dict[str, Any]) -> None:
        """Make the live rules of each managed direction exactly the program's."""
        ec2 = ctx.client("ec2")
        group = self._describe(ctx, gid) or {}
        for key, live_key, authorize, revoke in (
            ("ingress", "IpPermissions", ec2.authorize_security_group_ingress,
             ec2.revoke_security_group_ingress),
            ("egress", "IpPermissionsEgress", ec2.authorize_security_group_egress,
             ec2.revoke_security_group_egress),
        ):  # fmt: skip
            if key not in inputs:
                continue
            wanted = rule_atoms(inputs.get(key), gid)
            live = permission_atoms(group.get(live_key, []))
            # A description is part of an atom; revoke first so a changed one is re-added.
            if extra := live - wanted:
                revoke(GroupId=gid, IpPermissions=atoms_to_permissions(extra))
            if missing := wanted - live:
                authorize(GroupId=gid, IpPermissions=atoms_to_permissions(missing))

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        group = self._describe(ctx, id_)
        if group is None:
            return None
        live = dict(inputs)
        live["name"] = group["GroupName"]
        live["description"] = group.get("Description", inputs.get("description"))
        for key, live_key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
            if key not in inputs:
                continue
            atoms = permission_atoms(group.get(live_key, []))
            same = atoms == rule_atoms(inputs.get(key), id_)
            live[key] = inputs[key] if same else atoms_to_rules(atoms, id_)
        tags = tags_dict(group.get("Tags"))
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ec2 = ctx.client("ec2")
        self._reconcile(ctx, id_, new)
        group = self._describe(ctx, id_) or {"GroupId": id_}
        live_tags = tags_dict(group.get("Tags"))
        wanted = dict(new.get("tags") or {})
        if removed := [k for k in live_tags if k not in wanted]:
            ec2.delete_tags(Resources=[id_], Tags=[{"Key": k} for k in removed])
        if changed := {k: v for k, v in wanted.items() if live_tags.get(k) != v}:
            ec2.create_tags(Resources=[id_], Tags=tags_list(changed))
        return self._outputs(ctx, new, self._describe(ctx, id_) or group)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").delete_security_group(GroupId=id_)
        except ClientError as exc:
            if not not_found(exc, "InvalidGroup.NotFound"):
                raise


def _tag_spec(kind: str, inputs: dict[str, Any]) -> dict[str, Any]:
    if not inputs.get("tags"):
        return {}
    return {"TagSpecifications": [{"ResourceType": kind, "Tags": tags_list(inputs["tags"])}]}


def _sync_tags(ec2: Any, id_: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
    if removed := [k for k in old_tags if k not in new_tags]:
        ec2.delete_tags(Resources=[id_], Tags=[{"Key": k} for k in removed])
    if changed := {k: v for k, v in new_tags.items() if old_tags.get(k) != v}:
        ec2.create_tags(Resources=[id_], Tags=tags_list(changed))


def _live_tags(live: dict[str, Any], inputs: dict[str, Any], out: dict[str, Any]) -> None:
    tags = tags_dict(live.get("Tags"))
    if tags or "tags" in inputs:
        out["tags"] = tags


def _arn(ctx: Context, kind: str, id_: str) -> str:
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:{kind}/{id_}"


class _Ec2(Adapter):
    """An EC2 resource with an id, tags and a describe call (the shape they share)."""

    kind: ClassVar[str]  # the ARN's and TagSpecifications' resource type: "vpc"
    gone: ClassVar[tuple[str, ...]] = ()  # error codes meaning "no such resource"

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def _read(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        try:
            return self.describe(ctx, id_)
        except ClientError as exc:
            if not_found(exc, *self.gone) or "Malformed" in error_code(exc):
                return None
            raise

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def outputs(self, ctx: Context, inputs: dict[str, Any], id_: str) -> dict[str, Any]:
        return {
            **inputs,
            "id": id_,
            "arn": _arn(ctx, self.kind, id_),
            "ownerId": ctx.account_id,
            "tagsAll": dict(inputs.get("tags") or {}),
        }


class Vpc(_Ec2):
    type_token = "aws:ec2/vpc:Vpc"
    kind = "vpc"
    gone = ("InvalidVpcID.NotFound",)
    replace_on = frozenset({"cidrBlock", "instanceTenancy"})
    handles = frozenset(
        {"cidrBlock", "instanceTenancy", "enableDnsHostnames", "enableDnsSupport", "tags"}
    )

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        vpcs = ctx.client("ec2").describe_vpcs(VpcIds=[id_])["Vpcs"]
        return vpcs[0] if vpcs else None

    def _attributes(self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        ec2 = ctx.client("ec2")
        for key, default in (("enableDnsSupport", True), ("enableDnsHostnames", False)):
            before = old.get(key, default) if old else default
            after = new.get(key) if new.get(key) is not None else default
            if bool(before) != bool(after):
                attr = key[:1].upper() + key[1:]
                ec2.modify_vpc_attribute(VpcId=id_, **{attr: {"Value": bool(after)}})

    def _full_outputs(self, ctx: Context, inputs: dict[str, Any], id_: str) -> dict[str, Any]:
        ec2 = ctx.client("ec2")
        out = self.outputs(ctx, inputs, id_)
        by_vpc = [{"Name": "vpc-id", "Values": [id_]}]
        groups = ec2.describe_security_groups(
            Filters=[*by_vpc, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
        tables = ec2.describe_route_tables(
            Filters=[*by_vpc, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"]
        acls = ec2.describe_network_acls(
            Filters=[*by_vpc, {"Name": "default", "Values": ["true"]}]
        )["NetworkAcls"]
        out["defaultSecurityGroupId"] = groups[0]["GroupId"] if groups else ""
        out["mainRouteTableId"] = tables[0]["RouteTableId"] if tables else ""
        out["defaultRouteTableId"] = out["mainRouteTableId"]
        out["defaultNetworkAclId"] = acls[0]["NetworkAclId"] if acls else ""
        out["enableDnsSupport"] = inputs.get("enableDnsSupport", True)
        out["enableDnsHostnames"] = bool(inputs.get("enableDnsHostnames"))
        out["instanceTenancy"] = inputs.get("instanceTenancy") or "default"
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"CidrBlock": inputs["cidrBlock"], **_tag_spec("vpc", inputs)}
        if inputs.get("instanceTenancy"):
            kwargs["InstanceTenancy"] = inputs["instanceTenancy"]
        vpc_id = ctx.client("ec2").create_vpc(**kwargs)["Vpc"]["VpcId"]
        self._attributes(ctx, vpc_id, {}, inputs)
        return vpc_id, self._full_outputs(ctx, inputs, vpc_id)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        vpc = self._read(ctx, id_)
        if vpc is None:
            return None
        ec2 = ctx.client("ec2")
        live = {**inputs, "cidrBlock": vpc["CidrBlock"]}
        for key in ("enableDnsSupport", "enableDnsHostnames"):
            if inputs.get(key) is not None:
                attr = key[:1].upper() + key[1:]
                answer = ec2.describe_vpc_attribute(VpcId=id_, Attribute=key)
                live[key] = answer[attr]["Value"]
        _live_tags(vpc, inputs, live)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._attributes(ctx, id_, old, new)
        _sync_tags(ctx.client("ec2"), id_, old, new)
        return self._full_outputs(ctx, new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").delete_vpc(VpcId=id_)
        except ClientError as exc:
            if not not_found(exc, *self.gone):
                raise


class Subnet(_Ec2):
    type_token = "aws:ec2/subnet:Subnet"
    kind = "subnet"
    gone = ("InvalidSubnetID.NotFound",)
    replace_on = frozenset({"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"})
    handles = frozenset(
        {"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "mapPublicIpOnLaunch",
         "tags"}
    )  # fmt: skip

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        subnets = ctx.client("ec2").describe_subnets(SubnetIds=[id_])["Subnets"]
        return subnets[0] if subnets else None

    def _public_ip(self, ctx: Context, id_: str, value: Any) -> None:
        ctx.client("ec2").modify_subnet_attribute(
            SubnetId=id_, MapPublicIpOnLaunch={"Value": bool(value)}
        )

    def _outputs(self, ctx: Context, inputs: dict[str, Any], subnet: dict[str, Any]) -> dict:
        return {
            **self.outputs(ctx, inputs, subnet["SubnetId"]),
            "availabilityZone": subnet.get("AvailabilityZone", ""),
            "availabilityZoneId": subnet.get("AvailabilityZoneId", ""),
            "mapPublicIpOnLaunch": bool(inputs.get("mapPublicIpOnLaunch")),
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "VpcId": inputs["vpcId"],
            "CidrBlock": inputs["cidrBlock"],
            **_tag_spec("subnet", inputs),
        }
        if inputs.get("availabilityZone"):
            kwargs["AvailabilityZone"] = inputs["availabilityZone"]
        elif inputs.get("availabilityZoneId"):
            kwargs["AvailabilityZoneId"] = inputs["availabilityZoneId"]
        subnet = ctx.client("ec2").create_subnet(**kwargs)["Subnet"]
        if inputs.get("mapPublicIpOnLaunch"):
            self._public_ip(ctx, subnet["SubnetId"], True)
        return subnet["SubnetId"], self._outputs(ctx, inputs, subnet)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        subnet = self._read(ctx, id_)
        if subnet is None:
            return None
        live = {**inputs, "cidrBlock": subnet["CidrBlock"], "vpcId": subnet["VpcId"]}
        if inputs.get("mapPublicIpOnLaunch") is not None or subnet.get("MapPublicIpOnLaunch"):
            live["mapPublicIpOnLaunch"] = bool(subnet.get("MapPublicIpOnLaunch"))
        _live_tags(subnet, inputs, live)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        if bool(old.get("mapPublicIpOnLaunch")) != bool(new.get("mapPublicIpOnLaunch")):
            self._public_ip(ctx, id_, new.get("mapPublicIpOnLaunch"))
        _sync_tags(ctx.client("ec2"), id_, old, new)
        return self._outputs(ctx, new, self.describe(ctx, id_) or {"SubnetId": id_})

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").delete_subnet(SubnetId=id_)
        except ClientError as exc:
            if not not_found(exc, *self.gone):
                raise


class InternetGateway(_Ec2):
    type_token = "aws:ec2/internetGateway:InternetGateway"
    kind = "internet-gateway"
    gone = ("InvalidInternetGatewayID.NotFound",)
    handles = frozenset({"vpcId", "tags"})

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        found = ctx.client("ec2").describe_internet_gateways(InternetGatewayIds=[id_])
        return found["InternetGateways"][0] if found["InternetGateways"] else None

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ec2 = ctx.client("ec2")
        igw = ec2.create_internet_gateway(**_tag_spec("internet-gateway", inputs))
        igw_id = igw["InternetGateway"]["InternetGatewayId"]
        if inputs.get("vpcId"):
            ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=inputs["vpcId"])
        return igw_id, self.outputs(ctx, inputs, igw_id)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        igw = self._read(ctx, id_)
        if igw is None:
            return None
        live = dict(inputs)
        attached = [a["VpcId"] for a in igw.get("Attachments", [])]
        if inputs.get("vpcId") or attached:
            live["vpcId"] = attached[0] if attached else None
        _live_tags(igw, inputs, live)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ec2 = ctx.client("ec2")
        if old.get("vpcId") != new.get("vpcId"):
            if old.get("vpcId"):
                ec2.detach_internet_gateway(InternetGatewayId=id_, VpcId=old["vpcId"])
            if new.get("vpcId"):
                ec2.attach_internet_gateway(InternetGatewayId=id_, VpcId=new["vpcId"])
        _sync_tags(ec2, id_, old, new)
        return self.outputs(ctx, new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        ec2 = ctx.client("ec2")
        try:
            for attachment in (self.describe(ctx, id_) or {}).get("Attachments", []):
                ec2.detach_internet_gateway(InternetGatewayId=id_, VpcId=attachment["VpcId"])
            ec2.delete_internet_gateway(InternetGatewayId=id_)
        except ClientError as exc:
            if not not_found(exc, *self.gone):
                raise


# Route block key -> CreateRoute parameter (destinations and targets).
ROUTE_FIELDS = {
    "cidrBlock": "DestinationCidrBlock",
    "destinationCidrBlock": "DestinationCidrBlock",
    "ipv6CidrBlock": "DestinationIpv6CidrBlock",
    "destinationIpv6CidrBlock": "DestinationIpv6CidrBlock",
    "destinationPrefixListId": "DestinationPrefixListId",
    "gatewayId": "GatewayId",
    "natGatewayId": "NatGatewayId",
    "networkInterfaceId": "NetworkInterfaceId",
    "transitGatewayId": "TransitGatewayId",
    "vpcPeeringConnectionId": "VpcPeeringConnectionId",
    "egressOnlyGatewayId": "EgressOnlyInternetGatewayId",
    "vpcEndpointId": "VpcEndpointId",
}
_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")


def _route(block: dict[str, Any]) -> dict[str, Any]:
    return {aws: block[k] for k, aws in ROUTE_FIELDS.items() if block.get(k)}


def _destination(route: dict[str, Any]) -> dict[str, str]:
    return {k: route[k] for k in _DESTINATIONS if route.get(k)}


class RouteTable(_Ec2):
    """A route table with inline ``routes`` (reconciled: the table ends with exactly
    those, besides the VPC's local route), as the provider does when routes are given."""

    type_token = "aws:ec2/routeTable:RouteTable"
    kind = "route-table"
    gone = ("InvalidRouteTableID.NotFound",)
    replace_on = frozenset({"vpcId"})
    handles = frozenset({"vpcId", "routes", "tags"})

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        tables = ctx.client("ec2").describe_route_tables(RouteTableIds=[id_])["RouteTables"]
        return tables[0] if tables else None

    def _live_routes(self, table: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in r.items() if k in set(ROUTE_FIELDS.values())}
            for r in table.get("Routes", [])
            if r.get("GatewayId") != "local" and r.get("Origin") != "CreateRouteTable"
        ]

    def _reconcile(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        if inputs.get("routes") is None:
            return
        ec2 = ctx.client("ec2")
        wanted = [_route(b) for b in inputs["routes"]]
        live = self._live_routes(self.describe(ctx, id_) or {})
        for route in live:
            if route not in wanted:
                ec2.delete_route(RouteTableId=id_, **_destination(route))
        for route in wanted:
            if route not in live:
                ec2.create_route(RouteTableId=id_, **route)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        table = ctx.client("ec2").create_route_table(
            VpcId=inputs["vpcId"], **_tag_spec("route-table", inputs)
        )["RouteTable"]
        self._reconcile(ctx, table["RouteTableId"], inputs)
        return table["RouteTableId"], self.outputs(ctx, inputs, table["RouteTableId"])

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        table = self._read(ctx, id_)
        if table is None:
            return None
        live = dict(inputs)
        if inputs.get("routes") is not None:
            routes = self._live_routes(table)
            wanted = [_route(b) for b in inputs["routes"]]
            same = sorted(map(str, routes)) == sorted(map(str, wanted))
            live["routes"] = (
                inputs["routes"]
                if same
                else [
                    {
                        k: r[aws]
                        for k, aws in ROUTE_FIELDS.items()
                        if aws in r and "destination" not in k
                    }
                    for r in routes
                ]
            )
        _live_tags(table, inputs, live)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._reconcile(ctx, id_, new)
        _sync_tags(ctx.client("ec2"), id_, old, new)
        return self.outputs(ctx, new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").delete_route_table(RouteTableId=id_)
        except ClientError as exc:
            if not not_found(exc, *self.gone):
                raise


class Route(Adapter):
    """One route of a table as its own resource; id = ``<table>_<destination>``."""

    type_token = "aws:ec2/route:Route"
    handles = frozenset(
        {"routeTableId", *(k for k in ROUTE_FIELDS if k not in ("cidrBlock", "ipv6CidrBlock"))}
    )
    replace_on = frozenset(
        {
            "routeTableId",
            "destinationCidrBlock",
            "destinationIpv6CidrBlock",
            "destinationPrefixListId",
        }
    )

    def _id(self, inputs: dict[str, Any]) -> str:
        dest = next(iter(_destination(_route(inputs)).values()), "")
        return f"{inputs['routeTableId']}_{dest}"

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ctx.client("ec2").create_route(RouteTableId=inputs["routeTableId"], **_route(inputs))
        return self._id(inputs), {**inputs, "origin": "CreateRoute", "state": "active"}

    def _find(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            tables = ctx.client("ec2").describe_route_tables(
                RouteTableIds=[inputs["routeTableId"]]
            )["RouteTables"]
        except ClientError as exc:
            if not_found(exc, "InvalidRouteTableID.NotFound"):
                return None
            raise
        dest = _destination(_route(inputs))
        routes = tables[0].get("Routes", []) if tables else []
        return next((r for r in routes if _destination(r) == dest), None)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        route = self._find(ctx, inputs)
        if route is None:
            return None
        live = dict(inputs)
        for key, aws in ROUTE_FIELDS.items():
            if key in inputs and aws not in _DESTINATIONS:
                live[key] = route.get(aws)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ctx.client("ec2").replace_route(RouteTableId=new["routeTableId"], **_route(new))
        return {**new, "origin": "CreateRoute", "state": "active"}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").delete_route(
                RouteTableId=inputs["routeTableId"], **_destination(_route(inputs))
            )
        except ClientError as exc:
            if not not_found(exc, "InvalidRouteTableID.NotFound", "InvalidRoute.NotFound"):
                raise


class RouteTableAssociation(Adapter):
    """A subnet's (or a gateway's) route table; id = the association id."""

    type_token = "aws:ec2/routeTableAssociation:RouteTableAssociation"
    replace_on = frozenset({"subnetId", "gatewayId"})
    handles = frozenset({"routeTableId", "subnetId", "gatewayId"})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"RouteTableId": inputs["routeTableId"]}
        for key, aws in (("subnetId", "SubnetId"), ("gatewayId", "GatewayId")):
            if inputs.get(key):
                kwargs[aws] = inputs[key]
        assoc = ctx.client("ec2").associate_route_table(**kwargs)["AssociationId"]
        return assoc, dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        tables = ctx.client("ec2").describe_route_tables(
            Filters=[{"Name": "association.route-table-association-id", "Values": [id_]}]
        )["RouteTables"]
        for table in tables:
            for assoc in table.get("Associations", []):
                if assoc.get("RouteTableAssociationId") == id_:
                    return {**inputs, "routeTableId": table["RouteTableId"]}
        return None

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ctx.client("ec2").replace_route_table_association(
            AssociationId=id_, RouteTableId=new["routeTableId"]
        )
        return dict(new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").disassociate_route_table(AssociationId=id_)
        except ClientError as exc:
            if not not_found(exc, "InvalidAssociationID.NotFound"):
                raise


class Instance(_Ec2):
    """An EC2 instance (moto runs none; it keeps its description). A change of AMI,
    subnet, key or network settings replaces it, as in the provider."""

    type_token = "aws:ec2/instance:Instance"
    kind = "instance"
    gone = ("InvalidInstanceID.NotFound",)
    replace_on = frozenset(
        {"ami", "subnetId", "keyName", "availabilityZone", "privateIp", "associatePublicIpAddress",
         "securityGroups", "tenancy"}
    )  # fmt: skip
    handles = frozenset(
        {
            "ami",
            "instanceType",
            "subnetId",
            "vpcSecurityGroupIds",
            "securityGroups",
            "keyName",
            "userData",
            "userDataBase64",
            "iamInstanceProfile",
            "availabilityZone",
            "privateIp",
            "associatePublicIpAddress",
            "monitoring",
            "tenancy",
            "tags",
            "userDataReplaceOnChange",
        }
    )

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        found = ctx.client("ec2").describe_instances(InstanceIds=[id_])["Reservations"]
        instances = [i for r in found for i in r["Instances"]]
        if not instances or instances[0]["State"]["Name"] in ("terminated", "shutting-down"):
            return None
        return instances[0]

    def can_update(self, changed: set[str]) -> bool:
        if changed & {"userData", "userDataBase64"}:
            return False  # moto cannot change user data in place; the provider may
        return super().can_update(changed)

    def _outputs(self, ctx: Context, inputs: dict[str, Any], inst: dict[str, Any]) -> dict:
        return {
            **self.outputs(ctx, inputs, inst["InstanceId"]),
            "instanceState": inst.get("State", {}).get("Name", ""),
            "privateIp": inst.get("PrivateIpAddress", ""),
            "privateDns": inst.get("PrivateDnsName", ""),
            "publicIp": inst.get("PublicIpAddress", ""),
            "publicDns": inst.get("PublicDnsName", ""),
            "availabilityZone": inst.get("Placement", {}).get("AvailabilityZone", ""),
            "subnetId": inst.get("SubnetId", inputs.get("subnetId", "")),
            "vpcSecurityGroupIds": [g["GroupId"] for g in inst.get("SecurityGroups", [])],
            "primaryNetworkInterfaceId": (inst.get("NetworkInterfaces") or [{}])[0].get(
                "NetworkInterfaceId", ""
            ),
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "ImageId": inputs["ami"],
            "InstanceType": inputs.get("instanceType") or "t3.micro",
            "MinCount": 1,
            "MaxCount": 1,
            **_tag_spec("instance", inputs),
        }
        groups = list(inputs.get("vpcSecurityGroupIds") or [])
        if inputs.get("associatePublicIpAddress") is not None:
            interface: dict[str, Any] = {
                "DeviceIndex": 0,
                "AssociatePublicIpAddress": bool(inputs["associatePublicIpAddress"]),
            }
            if inputs.get("subnetId"):
                interface["SubnetId"] = inputs["subnetId"]
            if groups:
                interface["Groups"] = groups
            if inputs.get("privateIp"):
                interface["PrivateIpAddress"] = inputs["privateIp"]
            kwargs["NetworkInterfaces"] = [interface]
        else:
            if inputs.get("subnetId"):
                kwargs["SubnetId"] = inputs["subnetId"]
            if groups:
                kwargs["SecurityGroupIds"] = groups
            if inputs.get("privateIp"):
                kwargs["PrivateIpAddress"] = inputs["privateIp"]
        if inputs.get("securityGroups"):
            kwargs["SecurityGroups"] = list(inputs["securityGroups"])
        if inputs.get("keyName"):
            kwargs["KeyName"] = inputs["keyName"]
        if inputs.get("userData"):
            kwargs["UserData"] = inputs["userData"]
        elif inputs.get("userDataBase64"):
            import base64

            kwargs["UserData"] = base64.b64decode(inputs["userDataBase64"]).decode()
        if inputs.get("iamInstanceProfile"):
            kwargs["IamInstanceProfile"] = {"Name": inputs["iamInstanceProfile"]}
        if inputs.get("availabilityZone") or inputs.get("tenancy"):
            kwargs["Placement"] = {
                k: v
                for k, v in (
                    ("AvailabilityZone", inputs.get("availabilityZone")),
                    ("Tenancy", inputs.get("tenancy")),
                )
                if v
            }
        if inputs.get("monitoring") is not None:
            kwargs["Monitoring"] = {"Enabled": bool(inputs["monitoring"])}
        inst = ctx.client("ec2").run_instances(**kwargs)["Instances"][0]
        inst = self.describe(ctx, inst["InstanceId"]) or inst
        return inst["InstanceId"], self._outputs(ctx, inputs, inst)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        inst = self._read(ctx, id_)
        if inst is None:
            return None
        live = {**inputs, "ami": inst["ImageId"], "instanceType": inst["InstanceType"]}
        if inputs.get("vpcSecurityGroupIds") is not None:
            groups = [g["GroupId"] for g in inst.get("SecurityGroups", [])]
            same = sorted(groups) == sorted(inputs["vpcSecurityGroupIds"])
            live["vpcSecurityGroupIds"] = inputs["vpcSecurityGroupIds"] if same else groups
        _live_tags(inst, inputs, live)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ec2 = ctx.client("ec2")
        if old.get("instanceType") != new.get("instanceType"):
            # AWS changes the type of a stopped instance only: stop, modify, start.
            ec2.stop_instances(InstanceIds=[id_])
            ec2.modify_instance_attribute(
                InstanceId=id_, InstanceType={"Value": new.get("instanceType") or "t3.micro"}
            )
            ec2.start_instances(InstanceIds=[id_])
        if sorted(old.get("vpcSecurityGroupIds") or []) != sorted(
            new.get("vpcSecurityGroupIds") or []
        ) and new.get("vpcSecurityGroupIds"):
            ec2.modify_instance_attribute(InstanceId=id_, Groups=list(new["vpcSecurityGroupIds"]))
        if old.get("iamInstanceProfile") != new.get("iamInstanceProfile"):
            assocs = ec2.describe_iam_instance_profile_associations(
                Filters=[{"Name": "instance-id", "Values": [id_]}]
            )["IamInstanceProfileAssociations"]
            for assoc in assocs:
                ec2.disassociate_iam_instance_profile(AssociationId=assoc["AssociationId"])
            if new.get("iamInstanceProfile"):
                ec2.associate_iam_instance_profile(
                    IamInstanceProfile={"Name": new["iamInstanceProfile"]}, InstanceId=id_
                )
        if old.get("monitoring") != new.get("monitoring"):
            if new.get("monitoring"):
                ec2.monitor_instances(InstanceIds=[id_])
            else:
                ec2.unmonitor_instances(InstanceIds=[id_])
        _sync_tags(ec2, id_, old, new)
        return self._outputs(ctx, new, self.describe(ctx, id_) or {"InstanceId": id_})

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").terminate_instances(InstanceIds=[id_])
        except ClientError as exc:
            if not not_found(exc, *self.gone):
                raise


class LaunchTemplate(_Ec2):
    """A launch template; a change adds a version (the default one when
    ``updateDefaultVersion`` is set), as the provider does."""

    type_token = "aws:ec2/launchTemplate:LaunchTemplate"
    kind = "launch-template"
    gone = ("InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateName.NotFoundException")
    replace_on = frozenset({"name", "namePrefix"})
    autoname = ("name", 128)
    DATA = {
        "imageId": "ImageId",
        "instanceType": "InstanceType",
        "keyName": "KeyName",
        "userData": "UserData",
        "vpcSecurityGroupIds": "SecurityGroupIds",
        "securityGroupNames": "SecurityGroups",
        "iamInstanceProfile": "IamInstanceProfile",
        "monitoring": "Monitoring",
        "ebsOptimized": "EbsOptimized",
        "tagSpecifications": "TagSpecifications",
    }
    handles = frozenset(
        {"name", "namePrefix", "description", "tags", "updateDefaultVersion", *DATA}
    )

    def _data(self, inputs: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, api in self.DATA.items():
            value = inputs.get(key)
            if value is None or value == []:
                continue
            if key == "iamInstanceProfile":
                value = {k.capitalize(): v for k, v in value.items() if v}
            elif key == "monitoring":
                value = {"Enabled": bool(value.get("enabled"))}
            elif key == "ebsOptimized":
                value = str(value).lower() == "true"
            elif key == "tagSpecifications":  # tags for what the template launches
                value = [
                    {
                        "ResourceType": spec["resourceType"],
                        "Tags": tags_list(spec.get("tags") or {}),
                    }
                    for spec in value
                ]
            data[api] = value
        return data

    def describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        found = ctx.client("ec2").describe_launch_templates(LaunchTemplateIds=[id_])
        return found["LaunchTemplates"][0] if found["LaunchTemplates"] else None

    def _lt_outputs(self, ctx: Context, inputs: dict[str, Any], lt: dict[str, Any]) -> dict:
        return {
            **self.outputs(ctx, inputs, lt["LaunchTemplateId"]),
            "latestVersion": int(lt.get("LatestVersionNumber", 1)),
            "defaultVersion": int(lt.get("DefaultVersionNumber", 1)),
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "LaunchTemplateName": inputs["name"],
            "LaunchTemplateData": self._data(inputs),
            **_tag_spec("launch-template", inputs),
        }
        if inputs.get("description"):
            kwargs["VersionDescription"] = inputs["description"]
        lt = ctx.client("ec2").create_launch_template(**kwargs)["LaunchTemplate"]
        return lt["LaunchTemplateId"], self._lt_outputs(ctx, inputs, lt)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        lt = self._read(ctx, id_)
        if lt is None:
            return None
        live = {**inputs, "name": lt["LaunchTemplateName"]}
        version = ctx.client("ec2").describe_launch_template_versions(
            LaunchTemplateId=id_, Versions=["$Latest"]
        )["LaunchTemplateVersions"][0]
        data = version.get("LaunchTemplateData", {})
        for key in ("imageId", "instanceType", "keyName"):
            if inputs.get(key) is not None:
                live[key] = data.get(self.DATA[key])
        _live_tags(lt, inputs, live)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ec2 = ctx.client("ec2")
        if self._data(old) != self._data(new) or old.get("description") != new.get("description"):
            kwargs: dict[str, Any] = {
                "LaunchTemplateId": id_,
                "LaunchTemplateData": self._data(new),
            }
            if new.get("description"):
                kwargs["VersionDescription"] = new["description"]
            version = ec2.create_launch_template_version(**kwargs)["LaunchTemplateVersion"]
            if new.get("updateDefaultVersion"):
                ec2.modify_launch_template(
                    LaunchTemplateId=id_, DefaultVersion=str(version["VersionNumber"])
                )
        _sync_tags(ec2, id_, old, new)
        return self._lt_outputs(ctx, new, self.describe(ctx, id_) or {"LaunchTemplateId": id_})

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ec2").delete_launch_template(LaunchTemplateId=id_)
        except ClientError as exc:
            if not not_found(exc, *self.gone):
                raise


ADAPTERS: list[type[Adapter]] = [
    LaunchTemplate,
    SecurityGroup,
    Vpc,
    Subnet,
    InternetGateway,
    RouteTable,
    Route,
    RouteTableAssociation,
    Instance,
]
