"""Builders for small resource graphs, shaped like the synth stage's ResourceState."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from harness.engines.state import ResourceState
from harness.results import CheckResult, Outcome

URN = "urn:pulumi:test::katas::"


def resource(
    token: str, name: str, inputs: dict[str, Any] | None = None, **extra: Any
) -> ResourceState:
    return ResourceState(
        urn=f"{URN}{token}::{name}", type=token, name=name, inputs=inputs or {}, **extra
    )


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def outcomes(results: list[CheckResult], check_id: str) -> dict[str | None, Outcome]:
    """resource name → outcome of one check."""
    return {r.resource: r.outcome for r in results if r.id == check_id}


@pytest.fixture(scope="session")
def make() -> Callable[..., ResourceState]:
    return resource


@pytest.fixture(scope="session")
def doc() -> Callable[..., str]:
    return document


@pytest.fixture(scope="session")
def by_resource() -> Callable[[list[CheckResult], str], dict[str | None, Outcome]]:
    return outcomes
