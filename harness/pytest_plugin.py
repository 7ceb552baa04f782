"""pytest plugin for a kata's behavior checks (loaded with ``-p harness.pytest_plugin``).

Fixtures a kata's tests use:

``stack``     the deployed StackState: ``stack.outputs``, ``stack.resources``,
              ``stack.named("ingest-role")``, ``stack.of_type("aws:iam/role:Role")``.
``aws``       a client factory bound to the emulator with the harness's admin
              credentials: ``aws("s3")``, ``aws("iam", region="eu-west-1")``.
``iam``       principals for least-privilege checks (``harness.drills.iam``):
              ``iam.role(arn)``, ``iam.user(name)``, ``iam.stranger()`` and
              ``with iam.enforced():`` to evaluate IAM on every call inside.
``emulator``  the Emulator (endpoint, kind, IAM enforcement switch).

Every check carries ``@pytest.mark.requirement("R3")``; a test without one is an
error, because the report is per requirement of the kata's SPEC.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.emulator import Emulator
from harness.engines.state import StackState

ENV_STATE = "KATA_STATE_FILE"
ENV_ENDPOINT = "KATA_ENDPOINT"
ENV_EMULATOR_KIND = "KATA_EMULATOR_KIND"
ENV_REGION = "KATA_REGION"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(id): the kata SPEC requirement (R1, R2, …) this check verifies"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("requirement") is None:
            raise pytest.UsageError(
                f"{item.nodeid}: every kata check needs @pytest.mark.requirement('R…')"
            )


def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise pytest.UsageError(f"{name} is not set: run kata checks through `kata run`")
    return value


@pytest.fixture(scope="session")
def emulator() -> Emulator:
    return Emulator(
        endpoint=_require_env(ENV_ENDPOINT), kind=os.environ.get(ENV_EMULATOR_KIND, "moto")
    )


@pytest.fixture(scope="session")
def stack() -> StackState:
    return StackState.read(Path(_require_env(ENV_STATE)))


@pytest.fixture(scope="session")
def region() -> str:
    return os.environ.get(ENV_REGION, "us-east-1")


@pytest.fixture(scope="session")
def aws(emulator: Emulator, region: str) -> Callable[..., Any]:
    from harness.drills.iam import client_factory

    return client_factory(emulator.endpoint, region)


@pytest.fixture
def iam(emulator: Emulator, region: str) -> Iterator[Any]:
    from harness.drills.iam import Principals

    principals = Principals(emulator, region)
    try:
        yield principals
    finally:
        principals.close()
