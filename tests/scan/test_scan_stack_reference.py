"""StackReference: another stack's outputs from the local backend, or one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.engines.local import stack_reference
from harness.errors import ProgramError


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = stack_reference.state_path(tmp_path, "network", "prod")
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"outputs": {"vpcId": "vpc-123"}, "resources": []}))
    monkeypatch.setenv(stack_reference.BACKEND_ENV, str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("name", ["organization/network/prod", "network/prod", "acme/network/prod"])
def test_outputs_of_another_project_stack(backend: Path, name: str) -> None:
    state = stack_reference.read(name, "app", dry_run=False)
    assert state["outputs"] == {"vpcId": "vpc-123"} and state["name"] == name


def test_a_bare_stack_name_is_a_stack_of_this_project(backend: Path) -> None:
    assert stack_reference.read("prod", "network", dry_run=False)["outputs"]["vpcId"]


def test_a_missing_stack_is_one_line_naming_it_and_the_backend(backend: Path) -> None:
    with pytest.raises(ProgramError) as err:
        stack_reference.read("organization/network/staging", "app", dry_run=True)
    message = str(err.value)
    assert "\n" not in message
    assert f"no stack network/staging in the local backend {backend}" in message


def test_a_malformed_name_is_a_program_error(backend: Path) -> None:
    with pytest.raises(ProgramError, match="not a stack name"):
        stack_reference.read("a/b/c/d", "app", dry_run=False)


def test_a_preview_without_backend_has_unknown_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(stack_reference.BACKEND_ENV, raising=False)
    state = stack_reference.read("organization/network/prod", "app", dry_run=True)
    assert state["outputs"] == stack_reference.UNKNOWN
    with pytest.raises(ProgramError, match=r"\(this run has no backend\)"):
        stack_reference.read("organization/network/prod", "app", dry_run=False)
