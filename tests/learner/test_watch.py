"""`kata watch`: what changed between runs, saves noticed, a real re-grade on save."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from harness.commands.watch import (
    Changes,
    _wait_for_save,
    change_lines,
    compare_runs,
    snapshot,
    watch,
)
from harness.kata import load_kata
from harness.workspace import create_workspace, load_progress

SLUG = "least-privilege-iam"


def test_changes_since_the_last_run_put_new_passes_and_failures_first() -> None:
    before = {"R1": "failed", "R2": "passed", "R3": "failed", "R4": "passed", "R5": "passed"}
    after = {"R1": "passed", "R2": "failed", "R3": "failed", "R4": "passed", "R5": "not_evaluable"}
    changes = compare_runs(before, after)
    assert changes == Changes(
        newly_passing=["R1"],
        newly_failing=["R2"],
        still_failing=["R3"],
        other=["R5 passed → not_evaluable"],
    )
    lines = change_lines(changes, first_run=False)
    assert lines[0].endswith("R1") and "now passing" in lines[0]
    assert "now failing" in lines[1] and lines[1].endswith("R2")
    assert lines[-1] == "still failing R3"


def test_the_first_run_and_a_run_that_changed_nothing() -> None:
    first = compare_runs(None, {"R1": "failed", "R2": "passed"})
    assert first == Changes(still_failing=["R1"])
    assert change_lines(first, first_run=True) == ["failing R1"]
    same = compare_runs({"R1": "passed"}, {"R1": "passed"})
    assert change_lines(same, first_run=False) == ["no requirement changed"]


def test_a_save_is_noticed_once_the_file_settles(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("a")
    seen = snapshot(tmp_path, ["__main__.py", "absent.py"])
    assert list(seen) == ["__main__.py"]

    def save() -> None:
        time.sleep(0.1)
        (tmp_path / "__main__.py").write_text("ab")

    threading.Thread(target=save).start()
    started = time.perf_counter()
    after = _wait_for_save(tmp_path, ["__main__.py"], seen, 0.05)
    assert after != seen and after["__main__.py"][1] == 2
    assert time.perf_counter() - started < 5


@pytest.mark.slow
def test_watch_regrades_on_save_and_reports_what_changed(tmp_path: Path) -> None:
    """The starter fails; saving the solution re-grades it in the same warm process."""
    kata = load_kata(SLUG)
    workspace, _ = create_workspace(kata)
    console = Console(record=True, width=200)
    results = []

    def on_result(result) -> None:  # type: ignore[no-untyped-def]
        results.append(result)
        if len(results) == 1:  # the learner saves their fix
            shutil.copy2(kata.solution_dir / "__main__.py", workspace / "__main__.py")

    code = watch(
        kata, workspace, console, policy=False, poll_s=0.1, max_runs=2, on_result=on_result
    )
    text = console.export_text()
    assert code == 0
    assert [r.verdict for r in results] == ["failed", "passed"]
    assert "now passing" in text and "run 2" in text
    assert load_progress()["katas"][SLUG]["attempts"] == 2
    assert (workspace / ".kata-results" / "results.json").is_file()
