"""Resource adapters for the local engine: one module per AWS service.

``REGISTRY`` maps every supported Pulumi type token to its adapter. To add a type,
write a class in the service's module (same shape as its neighbours), list it in
that module's ``ADAPTERS``, and it is supported.
"""

from __future__ import annotations

from harness.adapters import iam, s3, sqs
from harness.adapters.base import Adapter

_MODULES = (iam, s3, sqs)


def _build() -> dict[str, Adapter]:
    registry: dict[str, Adapter] = {}
    for module in _MODULES:
        for cls in module.ADAPTERS:
            adapter = cls()
            for token in (cls.type_token, *cls.aliases):
                registry[token] = adapter
    return registry


REGISTRY: dict[str, Adapter] = _build()


def supported_types() -> list[str]:
    return sorted(REGISTRY)
