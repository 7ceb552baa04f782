"""The shape every AWS resource adapter has (compare moto's per-service backends
and the Terraform provider's CRUD functions).

An adapter turns one Pulumi resource type into boto3 calls against the emulator:

    create(ctx, inputs)            -> (id, outputs)
    read(ctx, id, inputs)          -> live inputs (same keys as ``inputs``) or None if gone
    update(ctx, id, old, new)      -> outputs
    delete(ctx, id, inputs)        -> None
    plan(ctx, inputs)              -> the outputs preview can already predict

``inputs`` are the program's inputs after ``check`` (defaults and auto-names
filled in), camelCase as the Pulumi SDK sends them. Outputs always repeat the
inputs (Pulumi state does) plus what AWS computes (arn, id, url…).

``handles`` lists the top-level inputs the adapter really applies to the emulator.
Any other input a program sets is refused before anything is created (``refusal``):
an input accepted and then ignored would let deploy and converge pass while the
emulator holds something else than the program says (and than checkov read).

Adapters hold no state of their own: the engine calls them from several threads.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from harness.errors import UnsupportedResource

# Inputs the applier itself honours for every type: pulumi-aws 7's per-resource region.
APPLIER_HANDLES = frozenset({"region"})


@dataclass(frozen=True)
class Context:
    """What an adapter may use: clients for the resource's region, and identity facts."""

    region: str
    account_id: str
    partition: str
    client: Callable[[str], Any]  # client("iam") bound to the resource's region
    urn: str = ""
    seed: str = ""  # stable per resource and stack: auto-names survive preview -> up
    purge: bool = False  # teardown: empty containers the checks filled (force_destroy)


class Adapter:
    type_token: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    # Inputs whose change forces a replacement (delete + create), as in the provider schema.
    replace_on: ClassVar[frozenset[str]] = frozenset()
    # Inputs AWS never returns (write-only) or that the harness cannot read back: not drift.
    unreadable: ClassVar[frozenset[str]] = frozenset()
    # (input key, max length) for Pulumi-style auto-naming: "<logical>-<7 hex>".
    autoname: ClassVar[tuple[str, int] | None] = None
    # The top-level inputs create/update apply to the emulator (camelCase). An input a
    # create merely copies into the outputs is not handled.
    handles: ClassVar[frozenset[str]] = frozenset()
    # Unhandled input -> the resource that does the same job, named in the refusal.
    instead: ClassVar[dict[str, str]] = {}

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Fill in what the provider would before create: the auto-name, defaults."""
        out = dict(inputs)
        if self.autoname:
            key, max_len = self.autoname
            if not out.get(key) and not out.get(f"{key}Prefix"):
                out[key] = auto_name(name, ctx.seed, max_len)
            elif out.get(f"{key}Prefix") and not out.get(key):
                out[key] = auto_name(out[f"{key}Prefix"], ctx.seed, max_len, sep="")
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        raise NotImplementedError

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        raise NotImplementedError

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        raise NotImplementedError

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return dict(inputs)

    def can_update(self, changed: set[str]) -> bool:
        return not (changed & self.replace_on)


def auto_name(base: str, seed: str, max_len: int, sep: str = "-") -> str:
    suffix = hashlib.sha256(seed.encode()).hexdigest()[:7]
    return f"{base[: max_len - 8]}{sep}{suffix}"


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def not_found(exc: ClientError, *codes: str) -> bool:
    code = error_code(exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in codes or code.endswith("NotFound") or code.startswith("NoSuch") or status == 404


def normalize(value: Any) -> Any:
    """The SDK sends every number as a float; AWS answers 1, not 1.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def covers(live: Any, wanted: Any) -> bool:
    """Does the live value say what the program asked for?

    AWS fills in defaults the program never mentioned (Priority 1, Years 0,
    BucketKeyEnabled false); those are not drift. Everything the program did
    set must be equal.
    """
    live, wanted = normalize(live), normalize(wanted)
    if isinstance(wanted, dict) and isinstance(live, dict):
        if any(k not in live and v not in (None, "", [], {}, False) for k, v in wanted.items()):
            return False
        return all(covers(live.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list) and isinstance(live, list):
        return len(wanted) == len(live) and all(
            covers(a, b) for a, b in zip(live, wanted, strict=True)
        )
    if wanted in (None, "", [], {}) and live in (None, "", [], {}, False, 0):
        return True
    return live == wanted


def keep_shape(live: Any, wanted: Any) -> Any:
    """Report the program's own spelling when the live value covers it, else the live value."""
    return wanted if covers(live, wanted) else live


def json_equal(a: Any, b: Any) -> bool:
    """Policy documents compare by meaning, not by whitespace or key order."""
    return canonical_json(a) == canonical_json(b)


def same_document(live: Any, wanted: Any) -> Any:
    """``wanted`` when the live document means the same (so drift ignores formatting and
    the program's own spelling is kept), else the live document."""
    return wanted if json_equal(live, wanted) else live


def canonical_json(doc: Any) -> Any:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return doc
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def tags_list(tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def tags_dict(items: list[dict] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in (items or [])}


def region_for(inputs: dict[str, Any], provider_region: str) -> str:
    """pulumi-aws 7: a resource's own ``region`` input wins over its provider's region."""
    region = inputs.get("region")
    if isinstance(region, str) and region and not region.startswith("04da6b54-"):
        return region  # (the prefix is the SDK's unknown sentinel, during preview)
    return provider_region


def unhandled(adapter: Adapter, inputs: dict[str, Any]) -> list[str]:
    """The inputs the program set (a value, not None) that the adapter does not apply."""
    known = adapter.handles | APPLIER_HANDLES
    return sorted(k for k, v in inputs.items() if v is not None and k not in known)


def snake(name: str) -> str:
    """The program's (Python) spelling of a camelCase input: versioningConfiguration ->
    versioning_configuration."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Refusals:
    """What the local engine will not do for one program, collected over the whole run.

    The SDK registers resources from several threads, and once one registration fails
    the program ends without waiting for the others. So the first refused resource
    holds its error until registrations have gone quiet (``quiet_s`` without a new
    one), then raises one error naming every unsupported type and unapplied input seen;
    the resources refused meanwhile answer a placeholder (their inputs, no id), so what
    depends on them still registers and is checked too.
    """

    HINT = "or run it with --engine pulumi"
    quiet_s = 0.5
    max_wait_s = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._reporting = False
        self.types: list[str] = []
        self.inputs: list[str] = []
        self.error = UnsupportedResource("", self.HINT)

    def admit(
        self, type_token: str, name: str, adapter: Adapter | None, inputs: dict[str, Any]
    ) -> bool:
        """True: go on. False: refused, answer a placeholder. Raises the run's error."""
        with self._lock:
            self._last = time.monotonic()
        keys = unhandled(adapter, inputs) if adapter is not None else []
        if adapter is not None and not keys:
            return True
        with self._lock:
            if adapter is None and type_token not in self.types:
                self.types.append(type_token)
            elif keys:
                self.inputs.append(refusal(type_token, name, adapter, keys))
            self._update()
            reporter, self._reporting = not self._reporting, True
        if not reporter:
            return False
        self._wait_until_quiet()
        with self._lock:
            raise self.error

    @staticmethod
    def placeholder(inputs: dict[str, Any]) -> dict[str, Any]:
        """A refused resource's answer: its inputs, less asset and archive stand-ins (the
        SDK refuses a dict where its type says Archive, which would hide the refusal)."""

        def stand_in(value: Any) -> bool:
            return (
                isinstance(value, dict) and bool(value) and all(k.startswith("__") for k in value)
            )

        return {k: v for k, v in inputs.items() if not stand_in(v)}

    def _wait_until_quiet(self) -> None:
        deadline = time.monotonic() + self.max_wait_s
        while time.monotonic() < deadline:
            with self._lock:
                if time.monotonic() - self._last >= self.quiet_s:
                    return
            time.sleep(0.05)

    def _update(self) -> None:
        parts = []
        if self.types:
            parts.append(f"the local engine does not support {', '.join(self.types)}")
        parts += self.inputs
        self.error.message = "; ".join(parts)
        self.error.args = (self.error.message,)


def refusal(type_token: str, name: str, adapter: Adapter, keys: list[str]) -> str:
    """One line: the type, the logical name, the inputs, and what to use instead."""
    line = f"{type_token} {name!r}: the local engine does not apply "
    line += ", ".join(snake(k) for k in keys)
    alternatives = list(dict.fromkeys(adapter.instead[k] for k in keys if k in adapter.instead))
    if alternatives:
        line += f" (use {' / '.join(alternatives)})"
    return line


def pascal_keys(value: Any, overrides: dict[str, str] | None = None) -> Any:
    """camelCase provider keys -> an API's PascalCase, recursively (numbers as AWS spells
    them); ``overrides`` renames where the two differ (``onFailure.destinationArn``)."""
    overrides = overrides or {}
    value = normalize(value)
    if isinstance(value, list):
        return [pascal_keys(v, overrides) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        overrides.get(k, k[:1].upper() + k[1:]): pascal_keys(v, overrides)
        for k, v in value.items()
        if v is not None
    }


def camel_keys(value: Any, overrides: dict[str, str] | None = None) -> Any:
    """The inverse of ``pascal_keys``, for reading back."""
    reverse = {v: k for k, v in (overrides or {}).items()}
    if isinstance(value, list):
        return [camel_keys(v, overrides) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        reverse.get(k, k[:1].lower() + k[1:]): camel_keys(v, overrides) for k, v in value.items()
    }
