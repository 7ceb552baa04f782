"""The state document every engine produces and every later stage reads.

It is deliberately close to a Pulumi checkpoint (URN, type, id, inputs, outputs,
provider, parent, dependencies) so that the `pulumi` engine can fill it from a
real stack export and the stages after deploy never know which engine ran.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_VERSION = 1


@dataclass
class ResourceState:
    urn: str
    type: str  # Pulumi type token, e.g. "aws:iam/role:Role"
    name: str  # logical name given in the program
    id: str = ""  # physical id; "" while only planned (synth/preview)
    inputs: dict[str, Any] = field(default_factory=dict)  # camelCase, as the SDK sends them
    outputs: dict[str, Any] = field(default_factory=dict)
    region: str = ""  # resolved from the resource's provider
    provider: str = ""  # URN of an explicit provider, "" for the default provider
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)  # URNs
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    custom: bool = True  # False for component resources
    source: str = ""  # "path:line" of the program statement that declared it, if known

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResourceState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class StackState:
    project: str
    stack: str
    resources: list[ResourceState] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    engine: str = "local"
    endpoint: str = ""
    version: int = STATE_VERSION

    def by_urn(self) -> dict[str, ResourceState]:
        return {r.urn: r for r in self.resources}

    def managed(self) -> list[ResourceState]:
        """Resources that exist in the cloud (custom, not providers or components)."""
        return [
            r for r in self.resources if r.custom and not r.type.startswith("pulumi:providers:")
        ]

    def of_type(self, type_token: str) -> list[ResourceState]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> ResourceState:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(f"no resource named {name!r} in the stack")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str))
        tmp.replace(path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StackState:
        resources = [ResourceState.from_dict(r) for r in data.get("resources", [])]
        rest = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "resources"}
        return cls(resources=resources, **rest)

    @classmethod
    def read(cls, path: Path) -> StackState:
        return cls.from_dict(json.loads(path.read_text()))
