"""`kata hint`: one hint at a time, remembered; `kata progress`: status and what is next."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import cli
from harness.commands.hint import Hint, kata_hints, parse_hints
from harness.commands.progress import statuses, suggest_next
from harness.kata import available_katas, load_kata
from harness.workspace import save_progress

SLUG = "least-privilege-iam"


def test_hints_are_numbered_items_under_their_section() -> None:
    hints = parse_hints(
        "# Hints\n\nOpen one at a time.\n\n## Getting started\n\n1. Run it.\n2. Read the\n"
        "   report.\n\n## R7 — escalation\n\nNo list here, one hint.\n"
    )
    assert hints == [
        Hint("Getting started", "Run it."),
        Hint("Getting started", "Read the\nreport."),
        Hint("R7 — escalation", "No list here, one hint."),
    ]


@pytest.mark.parametrize("slug", available_katas())
def test_every_katas_hints_split_into_several(slug: str) -> None:
    hints = kata_hints(load_kata(slug))
    assert len(hints) >= 5
    assert all(h.text and not h.text[0].isdigit() for h in hints)  # the number is stripped
    assert hints[0].section == "Getting started"


def test_hint_shows_the_next_one_and_remembers(capsys: pytest.CaptureFixture[str]) -> None:
    total = len(kata_hints(load_kata(SLUG)))
    assert cli.main(["hint", SLUG]) == 0
    assert f"hint 1 of {total} — Getting started" in capsys.readouterr().out
    assert cli.main(["hint", SLUG]) == 0
    out = capsys.readouterr().out
    assert f"hint 2 of {total}" in out and "Work one principal at a time" in out
    # another kata has its own count
    assert cli.main(["hint", "canary-release"]) == 0
    assert "hint 1 of" in capsys.readouterr().out
    for _ in range(total + 2):  # past the end: the last one again, said so
        cli.main(["hint", SLUG])
    out = capsys.readouterr().out
    assert f"hint {total} of {total}" in out and "that was the last hint" in out
    assert f"hint {total + 1} of" not in out


def test_hint_all_shows_every_hint(capsys: pytest.CaptureFixture[str]) -> None:
    total = len(kata_hints(load_kata(SLUG)))
    assert cli.main(["hint", SLUG, "--all"]) == 0
    out = capsys.readouterr().out
    assert all(f"hint {i} of {total}" in out for i in range(1, total + 1))


def test_progress_statuses_and_the_suggested_next_kata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    katas = [load_kata(s) for s in available_katas()]
    found = {s.slug: s for s in statuses(katas)}
    assert {s.state for s in found.values()} == {"not started"}
    # nothing started: the easiest kata (difficulty, then the shortest timebox)
    first = suggest_next(katas, list(found.values()))
    assert first is not None and first.difficulty == "intermediate"
    save_progress(
        {
            "katas": {
                SLUG: {
                    "started_at": 1_780_000_000.0,
                    "attempts": 4,
                    "solved_at": 1_780_001_000.0,
                    "solved_attempts": 4,
                    "best_time_s": 1000.0,
                },
                "canary-release": {
                    "started_at": 1_780_000_000.0,
                    "attempts": 2,
                    "last": {"passed": 3, "total": 9, "failing": ["R4", "R6"]},
                },
            }
        }
    )
    found = {s.slug: s for s in statuses(katas)}
    assert found[SLUG].state == "solved"
    assert found[SLUG].detail == "2026-05-28, 4 attempts, best time 16m40s"
    assert found["canary-release"].state == "in progress"
    assert found["canary-release"].detail == "3/9 requirements (failing R4, R6)"
    assert found["drift-detection"].state == "not started"
    # something started and unsolved: finish it first
    assert suggest_next(katas, list(found.values())).slug == "canary-release"  # type: ignore[union-attr]
    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert f"1 of {len(katas)} katas solved" in out
    assert "next: canary-release" in out


def test_progress_says_when_everything_is_solved(kata_home: Path) -> None:
    katas = [load_kata(s) for s in available_katas()]
    save_progress({"katas": {k.slug: {"solved_at": 1.0, "best_time_s": 1.0} for k in katas}})
    assert suggest_next(katas, statuses(katas)) is None
