"""The contract every engine keeps, so stages after deploy never know which one ran.

An engine deploys one program (a Pulumi project directory) as one stack to one
emulator, keeps the stack's state document, and answers four questions:
preview (what would change), up (make it so), refresh (what drifted out of band),
destroy (remove everything, honoring protect and retain_on_delete).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from harness.engines.state import ResourceState, StackState


class Op(StrEnum):
    SAME = "same"
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


@dataclass
class Change:
    urn: str
    type: str
    name: str
    op: Op
    properties: list[str] = field(default_factory=list)  # the input keys that differ


@dataclass
class Plan:
    """What preview found: the program's resource graph and the changes it implies."""

    resources: list[ResourceState]
    changes: list[Change]
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.op != Op.SAME]


@dataclass
class Drift:
    """One property of one resource that no longer matches the state.

    ``kind`` is "changed" (expected != actual) or "deleted" (the resource is gone,
    property is "" then). Values are as the engine's inputs spell them (camelCase).
    ``ignored`` marks a property under the resource's ``ignore_changes``: reported only
    when asked (``refresh(include_ignored=True)``), since ``up`` will not restore it.
    """

    urn: str
    type: str
    name: str
    property: str
    kind: str
    expected: Any = None
    actual: Any = None
    ignored: bool = False


@dataclass
class DestroyResult:
    deleted: list[str] = field(default_factory=list)  # URNs
    retained: list[str] = field(default_factory=list)  # retain_on_delete: left in the cloud
    protected: list[str] = field(default_factory=list)  # refused: protect=True


@dataclass
class ProgramSpec:
    """Where the program is and how to run it."""

    workdir: Path  # the Pulumi project directory (Pulumi.yaml + __main__.py)
    project: str
    stack: str
    config: dict[str, str]  # "aws:region", "<project>:key" -> value
    endpoint: str
    state_file: Path
    timeout_s: float = 120.0


class Engine(ABC):
    name: str

    def __init__(self, spec: ProgramSpec) -> None:
        self.spec = spec

    @abstractmethod
    def preview(self) -> Plan:
        """Run the program without changing anything; diff against the current state."""

    @abstractmethod
    def up(self, refresh: bool = False) -> StackState:
        """Create, update, replace and delete so the emulator matches the program.

        ``refresh``: first read the live resources into the state (``pulumi up
        --refresh``), so what drifted out of band is put back; otherwise the program
        is compared with the state only, as ``pulumi up`` does.
        """

    @abstractmethod
    def refresh(self, include_ignored: bool = False) -> list[Drift]:
        """Read every resource in state from the emulator; report what changed out of band.

        ``include_ignored``: also report properties under ``ignore_changes``
        (``Drift.ignored``), which a plain refresh leaves out.
        """

    @abstractmethod
    def destroy(self) -> DestroyResult:
        """Delete every resource in state, dependents first."""

    def close(self) -> None:  # noqa: B027 - optional hook, most engines hold nothing
        """Release what the engine keeps between operations (processes, temp dirs)."""

    def state(self) -> StackState | None:
        if self.spec.state_file.is_file():
            return StackState.read(self.spec.state_file)
        return None
