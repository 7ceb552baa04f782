"""``pulumi.StackReference`` answered from the local engine's own state files.

Pulumi's self-managed ("diy") backend keeps a stack as ``<backend>/<project>/<stack>``;
the local engine keeps its state the same way when a run names a backend directory
(``kata up --backend DIR``): ``<backend>/<project>/<stack>.json``. A reference reads
that file's outputs. A name is ``stack`` (this project), ``project/stack`` or
``organization/project/stack`` (the diy backend's only organization is ``organization``,
so the organization part is not compared).

A referenced stack that is not there is one line naming it and where it was looked
for; in a preview without a backend (``kata scan``) its outputs are unknown, as they
are to ``pulumi preview`` of a stack whose reference cannot be resolved yet.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness.errors import ProgramError

TYPE = "pulumi:pulumi:StackReference"
BACKEND_ENV = "KATA_BACKEND"  # set by the engine for its worker: the backend directory
SHOWN_ENV = "KATA_BACKEND_SHOWN"  # the backend as the user named it (the worker may see a copy)
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the SDK's wire sentinel (rpc.UNKNOWN)


def state_path(backend: Path, project: str, stack: str) -> Path:
    return backend / project / f"{stack}.json"


def split_name(name: str, project: str) -> tuple[str, str]:
    """``(project, stack)`` of a stack reference, or ProgramError for a malformed name."""
    parts = name.split("/")
    if len(parts) == 1 and parts[0]:
        return project, parts[0]
    if len(parts) in (2, 3) and all(parts):
        return parts[-2], parts[-1]
    raise ProgramError(
        f"StackReference {name!r}: not a stack name",
        "name a stack as <stack> (this project) or <organization>/<project>/<stack>",
    )


def read(name: str, project: str, dry_run: bool) -> dict[str, Any]:
    """The StackReference resource's state: its name, the stack's outputs, secrets."""
    ref_project, stack = split_name(name, project)
    backend = os.environ.get(BACKEND_ENV, "")
    path = state_path(Path(backend), ref_project, stack) if backend else None
    if path is None or not path.is_file():
        if dry_run and not backend:
            return {"name": name, "outputs": UNKNOWN, "secretOutputNames": []}
        shown = os.environ.get(SHOWN_ENV) or backend
        where = f"in the local backend {shown}" if backend else "(this run has no backend)"
        raise ProgramError(
            f"StackReference {name!r}: no stack {ref_project}/{stack} {where}",
            "deploy that stack first in the same run (kata up DIR_OF_IT DIR_OF_THIS), "
            "or point --backend at the directory that holds it",
        )
    try:
        outputs = json.loads(path.read_text()).get("outputs") or {}
    except (OSError, ValueError) as exc:
        raise ProgramError(f"StackReference {name!r}: cannot read {path}: {exc}") from None
    return {"name": name, "outputs": outputs, "secretOutputNames": []}
