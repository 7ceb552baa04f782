"""`kata start --timed`: the kata's timebox counted down; follow-ups and a summary on a pass."""

from __future__ import annotations

import pytest

from harness import cli, workspace
from harness.commands.start import clock_line, interview_follow_ups, share_summary, time_left
from harness.kata import available_katas, load_kata

SLUG = "least-privilege-iam"


def test_timed_start_counts_down_the_timebox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(workspace, "now", lambda: 1_000_000.0)
    monkeypatch.setattr("harness.commands.progress.now", lambda: 1_000_000.0)
    monkeypatch.setattr("harness.commands.start.now", lambda: 1_000_000.0)
    assert cli.main(["start", SLUG, "--timed"]) == 0
    assert "time left 1h00m00s of 60 min" in capsys.readouterr().out
    entry = workspace.load_progress()["katas"][SLUG]
    monkeypatch.setattr("harness.commands.start.now", lambda: 1_000_000.0 + 25 * 60 + 5)
    assert time_left(entry) == pytest.approx(34 * 60 + 55)
    assert clock_line(entry) == "time left 34m55s of 60 min"
    monkeypatch.setattr("harness.commands.start.now", lambda: 1_000_000.0 + 61 * 60)
    assert clock_line(entry) == "over time by 1m00s (60 min timebox)"


def test_untimed_start_has_no_clock() -> None:
    cli.main(["start", SLUG])
    assert clock_line(workspace.load_progress()["katas"][SLUG]) is None


@pytest.mark.parametrize("slug", available_katas())
def test_follow_ups_are_the_specs_section_only(slug: str) -> None:
    kata = load_kata(slug)
    follow_ups = interview_follow_ups(kata)
    spec = (kata.path / "SPEC.md").read_text()
    if "## Interview follow-ups" not in spec:
        assert follow_ups == ""
        return
    assert follow_ups.startswith("1. ")
    assert "## " not in follow_ups  # stops at the next section
    assert follow_ups in spec


def test_the_shareable_summary_says_time_attempts_and_requirements() -> None:
    kata = load_kata(SLUG)
    entry = {
        "timed": True,
        "attempts": 7,
        "last_solve_s": 41 * 60 + 3,
        "last": {"passed": 10, "total": 10},
    }
    assert share_summary(kata, entry) == (
        f"IaC Katas · {kata.title} ({SLUG}) (timed): solved in 41m03s of a 60 min timebox, "
        "7 graded runs, 10/10 requirements"
    )
