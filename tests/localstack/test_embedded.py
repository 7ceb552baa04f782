"""Embedded LocalStack (``--emulator localstack``): started, probed and graded honestly.

These start real LocalStack processes from the tool venv under ``.tools/`` (installed on
first use by the harness; ``.ci/run`` makes sure a Python >= 3.12 exists). Without such
an interpreter they fail with the one line the harness gives, never skip: the
not-evaluable outcome is part of what the project promises.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.context import RunOptions
from harness.emulator import localstack
from harness.emulator.capabilities import missing_services, name_of, require_services
from harness.errors import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_USAGE, EmulatorError
from harness.kata import load_kata
from harness.results import Outcome
from harness.runner import run_kata

pytestmark = pytest.mark.slow

ENFORCEMENT_CLAUSES = {f"R{i}" for i in range(1, 8)}  # least-privilege-iam's IAM probes


@pytest.fixture(scope="module")
def ls() -> Iterator[localstack.LocalStack]:
    emulator = localstack.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def test_an_interpreter_of_at_least_3_12_is_found() -> None:
    python, version = localstack.find_interpreter()
    assert version >= (3, 12) and os.access(python, os.X_OK), (python, version)


def test_it_answers_health_and_is_named_localstack(ls: localstack.LocalStack) -> None:
    report = localstack.health(ls.endpoint)
    assert report is not None and report["services"].get("s3") in ("available", "running")
    assert name_of(ls) == "localstack"


def test_a_kata_needing_codedeploy_stops_before_deploy_naming_it(
    ls: localstack.LocalStack,
) -> None:
    kata = load_kata("canary-release")
    assert missing_services(ls, kata.services) == ["codedeploy"]
    with pytest.raises(EmulatorError, match=r"canary-release needs codedeploy, which localstack"):
        require_services(ls, kata.services, kata.slug)
    result = run_kata(kata, RunOptions(variant="solution", policy=False), emulator=ls)
    assert result.exit_code == EXIT_USAGE and not result.results, result.error


def test_stop_leaves_no_process_and_no_files() -> None:
    emulator = localstack.start()
    proc, scratch = emulator._process, emulator.scratch
    assert proc is not None and scratch is not None and scratch.is_dir()
    emulator.stop()
    assert proc.poll() is not None, "LocalStack still runs after stop()"
    assert not scratch.exists(), f"{scratch} left behind"


def test_the_reference_solution_is_incomplete_where_iam_is_not_enforced(tmp_path) -> None:
    """Exit 3: the IAM-enforcement clauses are not evaluable, everything else passes."""
    kata = load_kata("least-privilege-iam")
    options = RunOptions(variant="solution", emulator="localstack", policy=False, out_dir=tmp_path)
    result = run_kata(kata, options)
    assert result.error is None, result.error
    unevaluated = {r.requirement for r in result.results if r.unevaluated}
    failed = [r for r in result.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    assert unevaluated == ENFORCEMENT_CLAUSES, unevaluated
    assert not failed, [(r.requirement, r.message) for r in failed]
    assert all("not evaluable on localstack" in r.message for r in result.results if r.unevaluated)
    assert (result.verdict, result.exit_code) == ("incomplete", EXIT_INCOMPLETE)


def test_the_starter_still_fails(ls: localstack.LocalStack, tmp_path) -> None:
    kata = load_kata("least-privilege-iam")
    result = run_kata(kata, RunOptions(policy=False, out_dir=tmp_path), emulator=ls)
    assert result.exit_code == EXIT_FAILED
    assert any(r.outcome == Outcome.FAILED for r in result.results)


def test_an_endpoint_is_probed_like_the_embedded_one(ls: localstack.LocalStack) -> None:
    options = RunOptions(variant="solution", endpoint=ls.endpoint, policy=False)
    result = run_kata(load_kata("canary-release"), options)
    assert result.exit_code == EXIT_USAGE and not result.results
    assert result.error is not None and "needs codedeploy" in result.error.message
