"""`kata start` makes a workspace the learner owns, and `kata run` grades it by default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness import cli
from harness.kata import load_kata
from harness.workspace import RESULTS_DIR, existing_workspace, load_progress, save_progress

SLUG = "least-privilege-iam"


def test_start_copies_the_starter_and_keeps_the_repository_pristine(kata_home: Path) -> None:
    kata = load_kata(SLUG)
    before = {p: p.read_bytes() for p in kata.path.iterdir() if p.is_file()}
    assert cli.main(["start", SLUG]) == 0
    workspace = kata_home / "workspace" / SLUG
    assert existing_workspace(SLUG) == workspace
    assert sorted(p.name for p in workspace.iterdir()) == sorted(
        ["Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"]
    )
    assert (workspace / "__main__.py").read_text() == (kata.path / "__main__.py").read_text()
    (workspace / "__main__.py").write_text("# my work\n")
    assert {p: p.read_bytes() for p in kata.path.iterdir() if p.is_file()} == before


def test_start_again_keeps_the_learners_work_unless_fresh(kata_home: Path) -> None:
    cli.main(["start", SLUG])
    main_py = kata_home / "workspace" / SLUG / "__main__.py"
    main_py.write_text("# my work\n")
    assert cli.main(["start", SLUG]) == 0
    assert main_py.read_text() == "# my work\n"
    assert cli.main(["start", SLUG, "--fresh"]) == 0
    assert main_py.read_text() == (load_kata(SLUG).path / "__main__.py").read_text()


def test_run_grades_the_workspace_when_there_is_one(
    kata_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, Path | None]] = []

    def fake_run_kata(kata, options, on_stage=None):  # type: ignore[no-untyped-def]
        seen.append((options.variant, options.out_dir))
        raise KeyboardInterrupt  # stop before grading: only the choice is under test

    monkeypatch.setattr("harness.runner.run_kata", fake_run_kata)
    cli.main(["run", SLUG])
    assert seen[-1][0] == "starter"  # no workspace yet: the repository's starter
    cli.main(["start", SLUG])
    workspace = kata_home / "workspace" / SLUG
    cli.main(["run", SLUG])
    assert seen[-1] == (f"program:{workspace}", workspace / RESULTS_DIR)
    cli.main(["run", SLUG, "--repo-starter"])
    assert seen[-1][0] == "starter"
    cli.main(["run", SLUG, "--solution"])
    assert seen[-1][0] == "solution"


def test_progress_file_is_replaced_atomically(kata_home: Path) -> None:
    save_progress({"katas": {SLUG: {"attempts": 1}}})
    save_progress({"katas": {SLUG: {"attempts": 2}}})
    assert json.loads((kata_home / "progress.json").read_text())["katas"][SLUG]["attempts"] == 2
    assert [p.name for p in kata_home.iterdir()] == ["progress.json"]  # no temporary left


def test_an_unreadable_progress_file_does_not_stop_the_learner(kata_home: Path) -> None:
    kata_home.mkdir(parents=True)
    (kata_home / "progress.json").write_text("{half a fi")
    assert load_progress() == {"katas": {}}


@pytest.mark.slow
def test_a_learner_solves_a_kata_in_the_workspace(
    kata_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """start, a failing run, the solution pasted in, a passing run: progress says solved,
    the SPEC's follow-ups and a shareable summary are shown, the repository untouched."""
    kata = load_kata(SLUG)
    assert cli.main(["start", SLUG, "--timed"]) == 0
    workspace = kata_home / "workspace" / SLUG
    assert cli.main(["run", SLUG, "--no-policy"]) == 1
    out = capsys.readouterr().out
    assert "time left" in out
    assert (workspace / RESULTS_DIR / "results.json").is_file()
    shutil.copy2(kata.solution_dir / "__main__.py", workspace / "__main__.py")
    assert cli.main(["run", SLUG, "--no-policy"]) == 0
    out = capsys.readouterr().out
    assert "interview follow-ups" in out
    assert "Permissions boundaries, SCPs" in out  # the SPEC's first follow-up question
    assert f"({SLUG}) (timed): solved in" in out
    assert "2 graded runs" in out
    entry = load_progress()["katas"][SLUG]
    assert entry["attempts"] == 2 and entry["solved_attempts"] == 2
    assert entry["last"]["passed"] == entry["last"]["total"] == len(kata.requirements)
    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "solved" in out and "2 attempts" in out
    assert (kata.path / "__main__.py").read_text() != (workspace / "__main__.py").read_text()
