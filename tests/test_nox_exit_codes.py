"""The documented exit codes hold through nox (`nox -s kata`, `nox -s grade`), not only
through `kata`: nox itself ends with 1 for any failed command (issue 10, class 8)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE

REPO = Path(__file__).resolve().parents[1]
NOX = shutil.which("nox")
pytestmark = pytest.mark.skipif(NOX is None, reason="nox is not on PATH (it runs the sessions)")


def _nox(*args: str) -> subprocess.CompletedProcess[str]:
    # --no-venv --no-install: the sessions' code as written, with this environment's kata
    # (a fresh session virtualenv would install the project first).
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [NOX, "-f", str(REPO / "noxfile.py"), "--no-venv", "--no-install", *args],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["-s", "kata", "--", "no-such-kata"],
        ["-s", "kata"],
        ["-s", "grade", "--", "least-privilege-iam", "--submission", "/nonexistent-dir"],
        ["-s", "grade"],
    ],
    ids=["unknown-kata", "kata-without-slug", "missing-submission", "grade-without-args"],
)
def test_a_usage_error_exits_2_through_nox(args):
    proc = _nox(*args)
    assert proc.returncode == EXIT_USAGE, proc.stdout[-2000:] + proc.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "code"), [([], EXIT_FAILED), (["--solution"], EXIT_PASSED)])
def test_a_graded_kata_exits_0_or_1_through_nox(tmp_path, variant, code):
    args = ["least-privilege-iam", *variant, "--no-policy", "--out", str(tmp_path)]
    proc = _nox("-s", "kata", "--", *args)
    assert proc.returncode == code, proc.stdout[-2000:] + proc.stderr[-2000:]
