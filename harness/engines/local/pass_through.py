"""The stand-in adapter `kata scan` gives a type the local engine has no adapter for.

A scan only previews: it needs each resource's inputs (for checkov), never its
creation. The stand-in repeats the inputs as outputs, as every adapter's ``plan``
does; outputs the program did not set are absent, and the SDK resolves an absent
output of a preview as unknown — the same "known after apply" ``pulumi preview``
shows. It refuses anything but a plan, so it can never pretend a resource exists.
"""

from __future__ import annotations

from typing import Any

from harness.adapters.base import Adapter, Context
from harness.errors import UnsupportedResource


def _outputs(values: dict[str, Any]) -> dict[str, Any]:
    """Outputs as the SDK takes them back: an asset or archive travels as the engine's
    stand-in dict (``{"__asset_path": …}``), which the SDK refuses where its type says
    Archive, so those are left out — unknown in a preview, as anything else not repeated."""

    def stand_in(value: Any) -> bool:
        return isinstance(value, dict) and bool(value) and all(k.startswith("__") for k in value)

    return {k: v for k, v in values.items() if not stand_in(v)}


class PassThrough(Adapter):
    type_token = "*"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return _outputs(inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise UnsupportedResource(
            f"{ctx.urn.rsplit('::', 1)[0].rsplit('::', 1)[-1]} has no adapter: a scan "
            "records its inputs but cannot create it"
        )

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        return None


PASS_THROUGH = PassThrough()


class Lenient(Adapter):
    """A real adapter's preview for a scan: its auto-names and predicted outputs (an ARN
    from a name) where it can; where it refuses the inputs, they pass through as given.
    A scan judges what the program says, and refusing inputs is what ``kata up`` is for."""

    def __init__(self, inner: Adapter) -> None:
        self.inner = inner
        self.type_token = inner.type_token
        self.autoname = inner.autoname
        self.replace_on = inner.replace_on

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.inner.check(ctx, name, inputs)
        except Exception:
            return dict(inputs)

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            return _outputs(self.inner.plan(ctx, inputs))
        except Exception:
            return _outputs(inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return PASS_THROUGH.create(ctx, inputs)


_LENIENT: dict[int, Lenient] = {}


def for_scan(adapter: Adapter | None) -> Adapter:
    """The adapter a scan uses for a type: the stand-in, or the real one made lenient."""
    if adapter is None:
        return PASS_THROUGH
    if id(adapter) not in _LENIENT:
        _LENIENT[id(adapter)] = Lenient(adapter)
    return _LENIENT[id(adapter)]
