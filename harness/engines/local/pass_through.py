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


class PassThrough(Adapter):
    type_token = "*"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return dict(inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise UnsupportedResource(
            f"{ctx.urn.rsplit('::', 1)[0].rsplit('::', 1)[-1]} has no adapter: a scan "
            "records its inputs but cannot create it"
        )

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        return None


PASS_THROUGH = PassThrough()
