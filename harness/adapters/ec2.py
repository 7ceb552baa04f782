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

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found, tags_dict, tags_list

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


ADAPTERS: list[type[Adapter]] = [SecurityGroup]
