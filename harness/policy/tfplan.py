"""The program's resource graph as a Terraform plan JSON document, for checkov.

checkov has no Pulumi input, but pulumi-aws is bridged from the Terraform AWS
provider, so a synthesized graph maps onto a plan almost 1:1 (see tftypes.py for
types). Attribute names go camelCase → snake_case; what Terraform spells otherwise
is handled here:

- nested objects are blocks, which a plan spells as lists (``rule: [{…}]``);
- pulumi-aws pluralizes repeated blocks (Terraform ``rule`` → Pulumi ``rules``), so a
  list of blocks is also emitted under its singular name, which is the one checks
  read; the plural stays for blocks Terraform itself names in the plural;
- maps (tags, alarm dimensions, environment variables, …) keep their keys as written;
- strings are never touched: JSON policy documents must reach checkov verbatim;
- Pulumi's per-property dependencies become configuration ``references``, which
  is what lets checkov's graph checks (CKV2_*) connect e.g. a bucket to its
  public-access block.
"""

from __future__ import annotations

import json
import re
from typing import Any

from harness.engines.state import ResourceState
from harness.policy.tftypes import snake, terraform_name, terraform_type

# Pulumi's wire sentinels (pulumi/sdk: rpc.py): an unknown value during preview, and
# the signature key of secrets, assets and resource references.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

# Inputs pulumi-aws types as "str or PolicyDocument": Terraform only knows the string.
_JSON_DOCUMENTS = frozenset({"policy", "assumeRolePolicy", "accessPolicies", "policyDocument"})

# Map-typed inputs whose keys are data, not attribute names.
_MAPS = frozenset(
    {
        "tags",
        "tagsAll",
        "defaultTags",
        "dimensions",
        "variables",
        "parameters",
        "outputs",
        "labels",
        "requestParameters",
        "requestTemplates",
        "responseParameters",
        "responseTemplates",
        "stageVariables",
        "environmentVariables",
        "attributes",
        "metadata",
        "options",
        "properties",
    }
)
# Pulumi object fields are always lowerCamelCase; any other key means a map.
_FIELD = re.compile(r"^[a-z][a-zA-Z0-9]*$")

PROVIDER = "registry.terraform.io/hashicorp/aws"
TERRAFORM_VERSION = "1.9.8"


def plan_addresses(resources: list[ResourceState]) -> dict[str, ResourceState]:
    """Terraform address → resource, for every resource the plan will contain.

    Deterministic (program order), so scan results can be mapped back to the
    Pulumi resource that a finding is about.
    """
    out: dict[str, ResourceState] = {}
    for r in resources:
        tf_type = terraform_type(r.type)
        if tf_type is None or not r.custom or r.type.startswith("pulumi:"):
            continue
        base = f"{tf_type}.{terraform_name(r.name)}"
        address, n = base, 1
        while address in out:  # same name under two parents, or Bucket + BucketV2
            n += 1
            address = f"{base}_{n}"
        out[address] = r
    return out


def to_terraform_plan(resources: list[ResourceState]) -> dict[str, Any]:
    """A Terraform plan JSON document (format 1.2) that checkov's terraform_plan reads."""
    addresses = plan_addresses(resources)
    by_urn = {r.urn: addr for addr, r in addresses.items()}
    planned, changes, config = [], [], []
    for address, r in addresses.items():
        tf_type, name = address.split(".", 1)
        values, unknown = _attributes(r.inputs)
        common = {"address": address, "mode": "managed", "type": tf_type, "name": name}
        planned.append({**common, "provider_name": PROVIDER, "schema_version": 0, "values": values})
        changes.append(
            {
                **common,
                "provider_name": PROVIDER,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {k: True for k in unknown},
                },
            }
        )
        config.append(
            {
                **common,
                "provider_config_key": "aws",
                "schema_version": 0,
                "expressions": _expressions(r, values, by_urn),
            }
        )
    # No provider_config: checkov would report provider findings (CKV_AWS_41) about a
    # provider block the candidate never wrote.
    return {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}},
    }


def _expressions(
    r: ResourceState, values: dict[str, Any], by_urn: dict[str, str]
) -> dict[str, Any]:
    exprs: dict[str, Any] = {k: {"constant_value": v} for k, v in values.items()}
    for key, urns in r.property_dependencies.items():
        refs: list[str] = []
        for urn in urns:
            dep = by_urn.get(urn)
            if dep and dep not in refs:
                refs += [f"{dep}.id", dep]
        if refs:
            # Terraform records either a constant or the references of an attribute.
            exprs[snake(key)] = {"references": refs}
    return exprs


def _attributes(inputs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Top-level attributes in Terraform spelling, and those unknown until apply."""
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for key, raw in inputs.items():
        attr = snake(key)
        if key in _JSON_DOCUMENTS and isinstance(raw, dict | list) and not _is_special(raw):
            values[attr] = canonical_document(json.dumps(_plain(raw)))
            continue
        if key in _JSON_DOCUMENTS and isinstance(raw, str) and raw != UNKNOWN:
            values[attr] = canonical_document(raw)
            continue
        value = _convert(raw, map_key=key in _MAPS)
        if value is _DROP:
            unknown.append(attr)
            continue
        _put(values, attr, value)
    return values, unknown


def canonical_document(document: str) -> str:
    """The document as checkov's checks expect to read it, with the same meaning.

    IAM reads ``"Statement": {...}`` as a one-statement list and compares action names
    case-insensitively; checkov's checks iterate a list and compare names as written, so
    a correct single-object Statement made CKV_AWS_61 "match no resource" and a correct
    ``"STS:AssumeRole"`` failed CKV_AWS_287 where ``sts:AssumeRole`` passed. Statements
    become a list and action names take the catalog's spelling; nothing else is touched,
    and a document already in that form is returned as it was written.
    """
    try:
        doc = json.loads(document)
    except ValueError:
        return document
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if statements is None:
        return document
    from harness.iam.catalog import canonical_action

    changed = not isinstance(statements, list)
    statements = statements if isinstance(statements, list) else [statements]
    doc["Statement"] = statements
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        for key in ("Action", "NotAction"):
            value = statement.get(key)
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                continue
            fixed = [canonical_action(n) for n in names]
            if fixed != names:
                statement[key] = fixed[0] if isinstance(value, str) else fixed
                changed = True
    return json.dumps(doc) if changed else document


class _Drop:
    """Marker for a value a plan cannot show (unknown, an asset, a resource reference)."""


_DROP: Any = _Drop()


def _put(obj: dict[str, Any], attr: str, value: Any) -> None:
    obj[attr] = value
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        singular = _singular(attr)
        if singular != attr and singular not in obj:
            obj[singular] = value


def _convert(value: Any, map_key: bool = False) -> Any:
    if isinstance(value, str):
        return _DROP if value == UNKNOWN else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the SDK sends every number as a float
    if isinstance(value, list):
        # A list of objects is already how a plan spells repeated blocks: no extra wrap.
        items = [_object(v) if _is_object(v) else _convert(v) for v in value]
        return [v for v in items if v is not _DROP]
    if not isinstance(value, dict):
        return value
    if _SIG in value:
        if value[_SIG] == _SECRET_SIG:
            return _convert(value.get("value"), map_key)
        return _DROP
    if value and all(str(k).startswith("__") for k in value):
        return _DROP  # the engine's stand-in for an asset or archive: no plan attribute
    if map_key or not all(isinstance(k, str) and _FIELD.match(k) for k in value):
        return {k: c for k, v in value.items() if (c := _convert(v)) is not _DROP}
    return [_object(value)]  # a single nested block is a one-element list in a plan


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and _SIG not in value


def _object(value: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {}
    for k, v in value.items():
        c = _convert(v, map_key=k in _MAPS)
        if c is not _DROP:
            _put(block, snake(k), c)
    return block


def _is_special(value: Any) -> bool:
    return isinstance(value, dict) and _SIG in value


def _plain(value: Any) -> Any:
    """A Pulumi value as plain JSON (for documents given as objects)."""
    if isinstance(value, dict):
        if value.get(_SIG) == _SECRET_SIG:
            return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _singular(word: str) -> str:
    # Reverses the bridge's pluralization for the endings AWS attribute names use.
    for plural, single in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch")):
        if word.endswith(plural):
            return word[: -len(plural)] + single
    if word.endswith(("aliases", "statuses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
