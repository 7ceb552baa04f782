"""Provider functions (invokes) the local engine answers itself.

Lookups of what exists in AWS (``get_ami``, ``get_vpc``, ``route53.get_zone`` …) are
answered from the emulator, or, without one (``kata scan``), with plausible values:
see lookups.py.

``aws:iam/getPolicyDocument`` is rendered exactly as the Terraform provider's
``aws_iam_policy_document`` data source renders it (pulumi-aws is bridged from it),
so a policy string in the state is byte-for-byte what ``pulumi up`` would send:
no empty Sid, a single action/resource/principal as a string, several as a
reverse-sorted list, condition values in the order given (a single one flattened),
``&{var}`` turned into ``${var}``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from harness.engines.local.lookups import LOOKUPS, Client, Offline, Online
from harness.errors import UnsupportedResource

DEFAULT_VERSION = "2012-10-17"


def _strings(values: list[str] | None) -> Any:
    if not values:
        return None
    values = [_interpolate(v) for v in values]
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _interpolate(value: str) -> str:
    # The provider lets HCL users write &{aws:username} to avoid HCL interpolation.
    return value.replace("&{", "${")


def _principals(items: list[dict[str, Any]] | None) -> Any:
    if not items:
        return None
    if len(items) == 1 and items[0].get("type") == "*" and items[0].get("identifiers") == ["*"]:
        return "*"
    out: dict[str, Any] = {}
    for p in items:
        ids = _strings(p.get("identifiers") or [])
        existing = out.get(p["type"])
        if existing is None:
            out[p["type"]] = ids
        else:
            merged = ([existing] if isinstance(existing, str) else existing) + (
                [ids] if isinstance(ids, str) else ids
            )
            out[p["type"]] = merged
    return dict(sorted(out.items()))


def _conditions(items: list[dict[str, Any]] | None) -> Any:
    if not items:
        return None
    out: dict[str, dict[str, list[str]]] = {}
    for c in items:
        values = [_interpolate(str(v)) for v in c.get("values") or []]
        out.setdefault(c["test"], {}).setdefault(c["variable"], []).extend(values)
    return {
        test: {var: vals[0] if len(vals) == 1 else vals for var, vals in sorted(vs.items())}
        for test, vs in sorted(out.items())
    }


def _statement(s: dict[str, Any]) -> dict[str, Any]:
    fields = [
        ("Sid", s.get("sid") or None),
        ("Effect", s.get("effect") or "Allow"),
        ("Action", _strings(s.get("actions"))),
        ("NotAction", _strings(s.get("notActions"))),
        ("Resource", _strings(s.get("resources"))),
        ("NotResource", _strings(s.get("notResources"))),
        ("Principal", _principals(s.get("principals"))),
        ("NotPrincipal", _principals(s.get("notPrincipals"))),
        ("Condition", _conditions(s.get("conditions"))),
    ]
    return {k: v for k, v in fields if v is not None}


def _merge(base: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements with a Sid replace the base statement of that Sid; others append."""
    merged = list(base)
    for stmt in new:
        sid = stmt.get("Sid")
        for i, existing in enumerate(merged):
            if sid and existing.get("Sid") == sid:
                merged[i] = stmt
                break
        else:
            merged.append(stmt)
    return merged


def render_policy_document(args: dict[str, Any]) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    version, doc_id = args.get("version"), args.get("policyId")
    for src in args.get("sourcePolicyDocuments") or []:
        parsed = json.loads(src)
        statements = _merge(statements, _as_list(parsed.get("Statement")))
        version = version or parsed.get("Version")
    statements = _merge(statements, [_statement(s) for s in args.get("statements") or []])
    for override in args.get("overridePolicyDocuments") or []:
        statements = _merge(statements, _as_list(json.loads(override).get("Statement")))
    doc: dict[str, Any] = {"Version": version or DEFAULT_VERSION}
    if doc_id:
        doc["Id"] = doc_id
    if statements:
        doc["Statement"] = statements
    pretty = json.dumps(doc, indent=2)
    return {
        **args,
        "json": pretty,
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
        # The provider's id is a crc32 of the JSON; hash() would differ in every process.
        "id": str(zlib.crc32(pretty.encode())),
    }


def _as_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Invokes:
    """Answers the invokes katas use; anything else is a clear error naming it.

    ``client`` reaches the emulator; without it (no emulator yet, or ``kata scan``)
    lookups answer with plausible values instead.
    """

    def __init__(
        self,
        account_id: str,
        partition: str,
        region_of: Callable[[str], str],
        client: Client | None = None,
    ) -> None:
        self.account_id = account_id
        self.partition = partition
        self.region_of = region_of  # provider ref -> region
        self.lookups: Online | Offline = (
            Online(client, account_id, partition)
            if client is not None
            else Offline(account_id, partition)
        )

    def call(self, token: str, args: dict[str, Any], provider: str) -> dict[str, Any]:
        region = self.region_of(provider)
        if token in LOOKUPS:
            wanted = args.get("region") or region  # pulumi-aws 7 lookups take a region
            return dict(getattr(self.lookups, LOOKUPS[token])(args, wanted))
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return render_policy_document(args)
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:{self.partition}:iam::{self.account_id}:user/kata-harness",
                "userId": "AIDAKATAHARNESS",
                "id": self.account_id,
            }
        if token == "aws:index/getRegion:getRegion":
            wanted = args.get("region") or args.get("name") or region
            return {
                "name": wanted,
                "region": wanted,
                "id": wanted,
                "description": wanted,
                "endpoint": f"ec2.{wanted}.amazonaws.com",
            }
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": self.partition,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": self.partition,
            }
        answered = ["getPolicyDocument", "getCallerIdentity", "getRegion", "getPartition"]
        answered += [t.rsplit(":", 1)[-1] for t in LOOKUPS]
        raise UnsupportedResource(
            f"the local engine does not answer the provider function {token}",
            f"it answers {', '.join(sorted(answered))}; or run with --engine pulumi",
        )
