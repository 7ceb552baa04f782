"""Resource adapters for the local engine: one module per AWS service.

``REGISTRY`` maps every supported Pulumi type token to its adapter. To add a type,
write a class in the service's module (same shape as its neighbours) and list it in
that module's ``ADAPTERS``; a new service is a new module with an ``ADAPTERS`` list,
found here without further registration.
"""

from __future__ import annotations

import importlib
import pkgutil

from harness.adapters.base import Adapter


def _build() -> dict[str, Adapter]:
    registry: dict[str, Adapter] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for cls in getattr(module, "ADAPTERS", []):
            adapter = cls()
            for token in (cls.type_token, *cls.aliases):
                if token in registry:
                    raise RuntimeError(f"{token} has two adapters: {info.name} and another")
                registry[token] = adapter
    return registry


REGISTRY: dict[str, Adapter] = _build()


def supported_types() -> list[str]:
    return sorted(REGISTRY)
