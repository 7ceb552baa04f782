"""Applies registrations to the emulator: the heart of the local engine.

The worker's monitor hands every RegisterResource here. For each resource it
compares the program's inputs with the prior state and decides same / create /
update / replace, then (unless previewing) calls the type's adapter. It is
called from several SDK threads at once, so state changes happen under a lock
while AWS calls run in parallel.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    ParamValidationError,
)

from harness.adapters import REGISTRY
from harness.adapters.base import (
    Adapter,
    Context,
    Refusals,
    canonical_json,
    normalize,
    region_for,
)
from harness.engines.base import Change, Op
from harness.engines.state import ResourceState
from harness.errors import ResourceRejected, UnsupportedResource

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the Pulumi SDK's unknown-value sentinel
PROVIDER_PREFIX = "pulumi:providers:"
_CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5)


class ClientPool:
    """boto3 clients bound to the emulator, shared by threads (creation is locked)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._session = boto3.session.Session(
            aws_access_key_id="test", aws_secret_access_key="test"
        )

    def get(self, service: str, region: str) -> Any:
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                client = self._session.client(
                    service, endpoint_url=self.endpoint, region_name=region, config=_CLIENT_CONFIG
                )
                _mark_as_harness(client, self.endpoint)
                self._clients[key] = client
            return self._clients[key]


def _mark_as_harness(client: Any, endpoint: str) -> None:
    """The harness's requests carry the emulator's token (harness.emulator.guard); in a
    program's process there is none to carry."""
    from harness.emulator import harness_headers

    headers = harness_headers(endpoint)
    if headers:

        def add(request: Any, **_: Any) -> None:
            request.headers.update(headers)

        client.meta.events.register("before-send.*.*", add)


def has_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def changed_keys(old: dict[str, Any], new: dict[str, Any], ignore: list[str]) -> set[str]:
    keys = (set(old) | set(new)) - set(ignore)
    return {k for k in keys if not _same(old.get(k), new.get(k))}


def _same(a: Any, b: Any) -> bool:
    if has_unknown(b):
        return False
    if a in (None, "", [], {}) and b in (None, "", [], {}):
        return True  # absent and empty mean the same to the provider
    if isinstance(a, str) and isinstance(b, str) and a.lstrip()[:1] in "{[":
        return canonical_json(a) == canonical_json(b)
    # The SDK sends 45 as 45.0 and AWS answers 45: compare numbers, not their spelling,
    # here once rather than in each adapter's read().
    a, b = normalize(a), normalize(b)
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    provider: str  # "urn::id" as the SDK sends it, "" for the default provider
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    ignore_changes: list[str]
    custom: bool
    source: str = ""


@dataclass
class ResourceFailure(Exception):
    """An adapter call failed; carries which resource so the message can say so."""

    registration: Registration
    error: Exception
    op: Op = Op.CREATE

    def __str__(self) -> str:
        return f"{self.registration.type} {self.registration.name!r}: {describe(self.error)}"


def describe(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".strip()
    if isinstance(exc, EndpointConnectionError):
        return f"the emulator did not answer ({exc})"
    if isinstance(exc, ParamValidationError):  # refused by botocore before it was sent
        return f"ParamValidationError: {' '.join(str(exc).split())}"
    if isinstance(exc, KeyError):
        return f"required input {exc} is missing"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Applier:
    """Decides and applies; shared by the worker (program runs) and the engine (destroy)."""

    endpoint: str
    stack: str
    default_region: str
    account_id: str
    partition: str = "aws"
    apply: bool = True  # False: preview, nothing is sent to the emulator
    prior: dict[str, ResourceState] = field(default_factory=dict)
    journal: Path | None = None
    purge: bool = False
    # `kata scan`: a type without an adapter is recorded with its inputs, never applied.
    pass_through: bool = False
    # The default provider's default tags (stack config aws:defaultTags).
    default_tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clients = ClientPool(self.endpoint)
        self.lock = threading.Lock()
        self.resources: dict[str, ResourceState] = {}
        self.changes: list[Change] = []
        self.failures: list[ResourceFailure] = []
        self.provider_regions: dict[str, str] = {}  # provider URN -> region
        self.provider_tags: dict[str, dict[str, str]] = {}  # provider URN -> default tags
        self._replaced: list[ResourceState] = []
        self.refusals = Refusals()

    # -- context -----------------------------------------------------------------

    def region_of(self, provider_ref: str) -> str:
        return self.provider_regions.get(provider_urn(provider_ref)) or self.default_region

    def default_tags_of(self, provider_ref: str) -> dict[str, str]:
        """The default tags of the provider a resource uses: an explicit provider's own
        (none unless it sets default_tags), else the stack config's."""
        if not provider_ref:
            return self.default_tags
        return self.provider_tags.get(provider_urn(provider_ref), {})

    def context(self, urn: str, region: str, seed: str) -> Context:
        return Context(
            region=region,
            account_id=self.account_id,
            partition=self.partition,
            client=lambda service: self.clients.get(service, region),
            urn=urn,
            seed=seed,
            purge=self.purge,
        )

    def adapter(self, type_token: str) -> Adapter:
        adapter = REGISTRY.get(type_token)
        if self.pass_through and not self.apply:
            from harness.engines.local.pass_through import for_scan

            return for_scan(adapter)
        if adapter is None:
            raise UnsupportedResource(
                f"resource type {type_token} is not supported by the local engine",
                "run it with --engine pulumi",
            )
        return adapter

    # -- registration --------------------------------------------------------------

    def register(self, reg: Registration, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if reg.type.startswith(PROVIDER_PREFIX):
            return self._register_provider(reg, inputs)
        if not reg.custom:
            self._record(
                reg, "", inputs, inputs, "", Op.SAME if reg.urn in self.prior else Op.CREATE
            )
            return "", {}
        # Refused before anything is created, in preview too: an unsupported type or an
        # input the adapter would not apply. One error names all of them (base.Refusals);
        # until it is raised, a refused resource answers its inputs so dependents register.
        # A scan (pass-through preview) refuses nothing: it only reads inputs.
        scanning = self.pass_through and not self.apply
        if not scanning and not self.refusals.admit(
            reg.type, reg.name, REGISTRY.get(reg.type), inputs
        ):
            return "", self.refusals.placeholder(inputs)
        adapter = self.adapter(reg.type)
        inputs = with_default_tags(inputs, self.default_tags_of(reg.provider), adapter)
        region = region_for(inputs, self.region_of(reg.provider))
        prior = self.prior.get(reg.urn)
        if prior is not None and prior.type != reg.type:
            prior = None
        seed = f"{self.stack}:{reg.urn}"
        try:
            if prior is None:
                ctx = self.context(reg.urn, region, seed)
                checked = adapter.check(ctx, reg.name, inputs)
                return self._create(reg, adapter, ctx, checked, region, Op.CREATE)
            return self._diff_and_apply(reg, adapter, prior, inputs, region, seed)
        except ResourceFailure:
            raise
        # BotoCoreError: also what botocore refuses before sending (an invalid bucket name).
        except (ClientError, BotoCoreError, KeyError, ValueError, TypeError) as exc:
            failure = ResourceFailure(reg, exc)
            with self.lock:
                self.failures.append(failure)
            raise failure from None

    def _register_provider(self, reg: Registration, inputs: dict[str, Any]) -> tuple[str, dict]:
        region = inputs.get("region") or self.default_region
        with self.lock:
            self.provider_regions[reg.urn] = region
            self.provider_tags[reg.urn] = parse_default_tags(inputs.get("defaultTags"))
        id_ = f"{reg.name}-provider"
        self._record(
            reg, id_, inputs, inputs, region, Op.SAME if reg.urn in self.prior else Op.CREATE
        )
        return id_, dict(inputs)

    def _create(
        self,
        reg: Registration,
        adapter: Adapter,
        ctx: Context,
        checked: dict[str, Any],
        region: str,
        op: Op,
        changed: set[str] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        if not self.apply or has_unknown(checked):
            outputs = adapter.plan(ctx, checked)
            self._record(reg, "", checked, outputs, region, op, changed)
            return "", outputs
        id_, outputs = adapter.create(ctx, checked)
        self._record(reg, id_, checked, outputs, region, op, changed)
        return id_, outputs

    def _diff_and_apply(
        self,
        reg: Registration,
        adapter: Adapter,
        prior: ResourceState,
        inputs: dict[str, Any],
        region: str,
        seed: str,
    ) -> tuple[str, dict[str, Any]]:
        ctx = self.context(reg.urn, region, seed)
        carried = dict(inputs)
        if adapter.autoname:  # keep the auto-name the resource already has, as Pulumi does
            key = adapter.autoname[0]
            if not inputs.get(key) and not inputs.get(f"{key}Prefix") and key in prior.inputs:
                carried[key] = prior.inputs[key]
        checked = adapter.check(ctx, reg.name, carried)
        for key in reg.ignore_changes:
            top = key.split(".")[0].split("[")[0]
            if top in prior.inputs:
                checked[top] = prior.inputs[top]
        changed = changed_keys(prior.inputs, checked, reg.ignore_changes)
        region_moved = prior.region and region != prior.region
        if not changed and not region_moved:
            self._record(reg, prior.id, prior.inputs, prior.outputs, region, Op.SAME)
            return prior.id, prior.outputs
        if adapter.can_update(changed) and not region_moved:
            if not self.apply or has_unknown(checked):
                outputs = {**prior.outputs, **adapter.plan(ctx, checked)}
                self._record(reg, prior.id, checked, outputs, region, Op.UPDATE, changed)
                return prior.id, outputs
            outputs = adapter.update(ctx, prior.id, prior.inputs, checked)
            self._record(reg, prior.id, checked, outputs, region, Op.UPDATE, changed)
            return prior.id, outputs
        # Replace. An auto-named resource gets a new name; a fixed name must go first.
        new_ctx = self.context(reg.urn, region, f"{seed}:{prior.id}")
        if (
            adapter.autoname
            and carried.get(adapter.autoname[0]) == prior.inputs.get(adapter.autoname[0])
            and not inputs.get(adapter.autoname[0])
        ):
            carried.pop(adapter.autoname[0])
        checked = adapter.check(new_ctx, reg.name, carried)
        if self.apply and not has_unknown(checked):
            adapter.delete(
                self.context(prior.urn, prior.region or region, seed), prior.id, prior.inputs
            )
            self._journal("deleted", prior)
        return self._create_replacement(reg, adapter, new_ctx, checked, region, changed)

    def _create_replacement(
        self,
        reg: Registration,
        adapter: Adapter,
        ctx: Context,
        checked: dict[str, Any],
        region: str,
        changed: set[str],
    ) -> tuple[str, dict[str, Any]]:
        # The changed keys go in with the change itself: another thread may append
        # its own change in between, so "the last change" is not necessarily ours.
        return self._create(reg, adapter, ctx, checked, region, Op.REPLACE, changed)

    def _record(
        self,
        reg: Registration,
        id_: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
        region: str,
        op: Op,
        changed: set[str] | None = None,
    ) -> None:
        state = ResourceState(
            urn=reg.urn,
            type=reg.type,
            name=reg.name,
            id=id_,
            inputs=inputs,
            outputs=outputs,
            region=region if reg.custom else "",
            provider=reg.provider.rsplit("::", 1)[0] if reg.provider else "",
            parent=reg.parent,
            dependencies=reg.dependencies,
            property_dependencies=reg.property_dependencies,
            protect=reg.protect,
            retain_on_delete=reg.retain_on_delete,
            ignore_changes=reg.ignore_changes,
            custom=reg.custom,
            source=reg.source,
        )
        with self.lock:
            self.resources[reg.urn] = state
            self.changes.append(Change(reg.urn, reg.type, reg.name, op, sorted(changed or ())))
        if self.apply and op != Op.SAME:
            self._journal("created" if op != Op.UPDATE else "updated", state)

    def _journal(self, event: str, state: ResourceState) -> None:
        if self.journal is None:
            return
        line = json.dumps({"event": event, "resource": state.__dict__}, default=str)
        with self.lock, self.journal.open("a") as f:
            f.write(line + "\n")

    # -- deletes -------------------------------------------------------------------

    def delete_resources(
        self, doomed: list[ResourceState], on_refused: Callable[[ResourceState, str], None]
    ) -> list[str]:
        """Delete dependents first. Returns URNs deleted; protected/retained go to on_refused."""
        deleted = []
        for res in delete_order(doomed):
            if res.type.startswith(PROVIDER_PREFIX) or not res.custom:
                deleted.append(res.urn)
                continue
            if res.protect:
                on_refused(res, "protected")
                continue
            if res.retain_on_delete:
                on_refused(res, "retained")
                continue
            if not res.id:
                deleted.append(res.urn)
                continue
            ctx = self.context(
                res.urn, res.region or self.default_region, f"{self.stack}:{res.urn}"
            )
            try:
                self.adapter(res.type).delete(ctx, res.id, res.inputs)
            except (ClientError, EndpointConnectionError) as exc:
                raise ResourceRejected(
                    f"could not delete {res.type} {res.name!r}: {describe(exc)}",
                    "the emulator refused the delete; see the resource above",
                ) from None
            self._journal("deleted", res)
            deleted.append(res.urn)
        return deleted


def delete_order(resources: list[ResourceState]) -> list[ResourceState]:
    """Reverse topological order over dependencies, parents and providers."""
    by_urn = {r.urn: r for r in resources}
    visited: set[str] = set()
    order: list[ResourceState] = []

    def visit(urn: str) -> None:
        if urn in visited or urn not in by_urn:
            return
        visited.add(urn)
        res = by_urn[urn]
        deps = set(res.dependencies) | {u for us in res.property_dependencies.values() for u in us}
        deps |= {d for d in (res.parent, res.provider) if d}
        for dep in sorted(deps):
            visit(dep)
        order.append(res)

    for urn in by_urn:
        visit(urn)
    return list(reversed(order))


def rejected(failure: ResourceFailure) -> ResourceRejected:
    reg = failure.registration
    return ResourceRejected(
        f"{reg.type} {reg.name!r} was rejected by the emulator: {describe(failure.error)}",
        f"fix the resource's inputs{f' at {reg.source}' if reg.source else ''}",
    )


def provider_urn(provider_ref: str) -> str:
    """The provider's URN from a resource's provider reference ("urn::id", as the SDK sends it)."""
    urn = provider_ref.split("::")
    return "::".join(urn[:-1]) if len(urn) > 1 else provider_ref


def parse_default_tags(value: Any) -> dict[str, str]:
    """A provider's ``default_tags`` (``{"tags": {...}}``), as the SDK sends a provider's
    inputs (a JSON string) or as stack config holds it (a mapping)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    tags = value.get("tags") if isinstance(value, dict) else None
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def with_default_tags(inputs: dict[str, Any], defaults: dict[str, str], adapter: Any) -> dict:
    """What the AWS provider sends for a taggable resource under default tags: the
    provider's tags merged under the resource's own (``tags_all``; the resource's win).
    Applied as the resource's tags, so the emulator holds what AWS would."""
    if not defaults or "tags" not in getattr(adapter, "handles", ()):
        return inputs
    own = inputs.get("tags") if isinstance(inputs.get("tags"), dict) else {}
    return {**inputs, "tags": {**defaults, **own}}
