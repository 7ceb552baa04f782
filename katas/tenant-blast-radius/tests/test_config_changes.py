"""R4, R6: what a tenant change touches, read from previews of the program under changed
config against the deployed stack (nothing is deployed from them).

A tenant's own resources are those the program declares only while the tenant is in
config: what the preview with the tenant removed deletes. Whatever the style (a loop, a
component, a function), that is what belongs to the tenant.
"""

from __future__ import annotations

import pytest

from harness.engines.base import Op

NEW_TENANT = {"tier": "standard", "cell": "cell-b"}


def _add_umbrella(tenants: dict, _config: dict) -> None:
    tenants["umbrella"] = dict(NEW_TENANT)


def _move_globex(tenants: dict, config: dict) -> None:
    tenants["globex"] = {"tier": "premium", "cell": "cell-b"}
    config["tenant-blast-radius:concurrencyBudget"] = "30"  # SPEC: raised so the caps fit


def _describe(changes: dict, short) -> str:
    return ", ".join(f"{op} {short(urn)}" for urn, op in sorted(changes.items()))


@pytest.mark.requirement("R4")
def test_adding_a_tenant_only_creates(preview_with, expect, short_urn):
    short = short_urn
    preview = preview_with("umbrella added", _add_umbrella)
    touched = preview.touched()
    created = [u for u, op in preview.ops().items() if op == Op.CREATE]
    wrong = []
    if touched:
        wrong.append(
            f'R4 "add": adding the tenant umbrella would also {_describe(touched, short)}; '
            "adding a tenant may only create resources"
        )
    if not created:
        wrong.append('R4 "add": adding the tenant umbrella creates nothing for it')
    expect.no_findings(wrong)


@pytest.mark.requirement("R4")
def test_changing_a_tenant_touches_only_its_own_resources(
    preview_with, globex_removed, expect, short_urn
):
    short = short_urn
    own = {u for u, op in globex_removed.ops().items() if op == Op.DELETE}
    preview = preview_with("globex moved to premium, cell-b", _move_globex)
    beyond = {u: op for u, op in preview.touched().items() if u not in own}
    if beyond:
        expect.no_findings(
            [
                f'R4 "change": moving globex to premium and cell-b would also '
                f"{_describe(beyond, short)} — not globex's own resources (those the program "
                "declares only while globex is in config)"
            ]
        )


def _state_of(stack, types: tuple[str, ...], physical: str):
    """The deployed resource of one of ``types`` whose id, ARN or name is ``physical``."""
    for r in stack.resources:
        if r.type not in types:
            continue
        names = {r.id, str(r.outputs.get("arn", "")), str(r.outputs.get("url", ""))}
        names |= {str(r.outputs.get(k, "")) for k in ("bucket", "name", "keyId")}
        if physical in names:
            return r
    return None


@pytest.mark.requirement("R6")
def test_offboarding_deletes_compute_and_queue(platform, stack, globex_removed, expect):
    clause = 'R6 "compute-deleted"'
    globex = platform.tenants["globex"]
    ops = globex_removed.ops()
    wrong = []
    for label, types, physical in (
        ("worker function", ("aws:lambda/function:Function",), globex.function),
        ("queue", ("aws:sqs/queue:Queue",), globex.queue_url),
    ):
        r = _state_of(stack, types, physical)
        if r is None:
            wrong.append(f"{clause}: globex's {label} {physical} is not a resource of the stack")
            continue
        op = ops.get(r.urn, Op.SAME)
        if op != Op.DELETE:
            wrong.append(
                f"{clause}: with globex removed from config, its {label} {physical} is "
                f"{op}, not deleted"
            )
        elif r.retain_on_delete or r.protect:
            how = "retain_on_delete" if r.retain_on_delete else "protect"
            wrong.append(
                f"{clause}: globex's {label} {physical} has {how}, so removing globex leaves "
                "it running"
            )
    expect.no_findings(wrong)


@pytest.mark.requirement("R6")
def test_offboarding_keeps_the_data_and_its_key(platform, stack, globex_removed, expect):
    clause = 'R6 "data-kept"'
    globex = platform.tenants["globex"]
    ops = globex_removed.ops()
    wrong = []
    for label, types, physical in (
        ("bucket", ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"), globex.bucket),
        ("key", ("aws:kms/key:Key",), globex.key_arn),
    ):
        r = _state_of(stack, types, physical)
        if r is None:
            wrong.append(f"{clause}: globex's {label} {physical} is not a resource of the stack")
            continue
        op = ops.get(r.urn, Op.SAME)
        if op == Op.REPLACE:
            wrong.append(f"{clause}: removing globex replaces its {label} {physical}")
        elif op == Op.DELETE and not r.retain_on_delete:
            why = " (protect makes the whole removal fail)" if r.protect else ""
            wrong.append(
                f"{clause}: removing globex deletes its {label} {physical} without "
                f"retain_on_delete{why}"
            )
    expect.no_findings(wrong)
