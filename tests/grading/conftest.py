"""A tiny trusted checkout to grade submissions against, and a grader that checks nothing
of the host is left behind (no process, no temp directory) after each grade."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from corpus import KATA_FILES, REPO_FILES, SLUG, descendants, write_files

from harness import report
from harness.context import RunOptions
from harness.grade import grade
from harness.kata import Kata, parse_kata
from harness.runner import RunResult
from harness.sandbox import forkserver


@pytest.fixture
def trusted(tmp_path: Path) -> Path:
    root = tmp_path / "trusted"
    write_files(root / "katas" / SLUG, KATA_FILES)
    write_files(root, REPO_FILES)
    return root


@pytest.fixture
def kata(trusted: Path) -> Kata:
    return parse_kata(trusted / "katas" / SLUG)


@pytest.fixture
def make_fork(trusted: Path, tmp_path: Path) -> Callable[..., Path]:
    """``make_fork(program)``: a checkout of the trusted repo with the kata's program."""

    def make(program: str, name: str | None = None) -> Path:
        fork = tmp_path / (name or f"fork-{uuid.uuid4().hex[:6]}")
        shutil.copytree(trusted, fork)
        write_files(fork / "katas" / SLUG, {"__main__.py": program})
        return fork

    return make


@pytest.fixture
def grade_it(
    kata: Kata, trusted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., RunResult]:
    """``grade_it(submission, **RunOptions)``: grade, write every report, and prove the
    run left no process and no temporary file behind."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # every temp dir of the run

    def run(submission: Path, **options: object) -> RunResult:
        before = descendants()
        out = tmp_path / "out" / uuid.uuid4().hex[:6]
        opts = RunOptions(policy=False, out_dir=out)
        for key, value in options.items():
            setattr(opts, key, value)
        result = grade(kata, submission, opts, trusted_root=trusted)
        report.write_all(result)
        # A roster worker's fork servers outlive a grade by design; their children do not.
        assert descendants() - forkserver.server_pids() <= before, "the run left processes behind"
        assert list(scratch.iterdir()) == [], "the run left temporary files behind"
        return result

    return run


@pytest.fixture(params=["exec", "fork"])
def entered_by(request: pytest.FixtureRequest) -> Iterator[str]:
    """How the emulator and the zygote enter the run's sandbox: exec'd through nsenter
    (a single grade) or forked by warm servers that join its namespaces (a roster
    worker, harness.sandbox.forkserver). Every isolation claim must hold both ways."""
    if request.param == "fork":
        forkserver.enable()
    try:
        yield request.param
        if request.param == "fork":  # no silent fall back to exec: the fork path ran
            counts = forkserver.spawned()
            assert counts.get("emulator", 0) >= 1 and counts.get("zygote", 0) >= 1, counts
    finally:
        forkserver.disable()
