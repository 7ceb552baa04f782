"""`kata start <slug> [--timed]`: the learner's workspace, and the interview clock.

The timed mode counts down the kata's timebox (kata.yaml ``timebox_minutes``) from the
start; every graded run of the workspace shows the time left, and a passing run shows
the SPEC's "Interview follow-ups" and a summary the learner can share.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from harness.commands.progress import format_duration, record_start
from harness.kata import Kata
from harness.workspace import create_workspace, now

if TYPE_CHECKING:
    from rich.console import Console

    from harness.runner import RunResult

_SECTION = re.compile(r"^##\s+(?P<title>.+?)\s*$", re.MULTILINE)


def start(kata: Kata, *, timed: bool = False, force: bool = False) -> tuple[Path, bool]:
    """Create (or keep) the workspace and start the clock; (workspace, created)."""
    path, created = create_workspace(kata, force=force)
    record_start(kata, timed=timed)
    return path, created


def time_left(entry: dict[str, Any]) -> float | None:
    """Seconds left in a timed attempt (negative when over), None when not timed."""
    if not entry.get("timed") or not entry.get("started_at"):
        return None
    deadline = float(entry["started_at"]) + 60 * int(entry.get("timebox_minutes", 0))
    return deadline - now()


def clock_line(entry: dict[str, Any]) -> str | None:
    left = time_left(entry)
    if left is None:
        return None
    if left >= 0:
        return f"time left {format_duration(left)} of {entry['timebox_minutes']} min"
    return f"over time by {format_duration(-left)} ({entry['timebox_minutes']} min timebox)"


def interview_follow_ups(kata: Kata) -> str:
    """The SPEC's "Interview follow-ups" section, without its heading ("" if none)."""
    spec = (kata.path / "SPEC.md").read_text()
    sections = list(_SECTION.finditer(spec))
    for i, match in enumerate(sections):
        if match["title"].lower().startswith("interview follow-up"):
            end = sections[i + 1].start() if i + 1 < len(sections) else len(spec)
            return spec[match.end() : end].strip()
    return ""


def share_summary(kata: Kata, entry: dict[str, Any]) -> str:
    """One plain line a learner can paste: kata, time against the timebox, attempts,
    requirements."""
    last = entry.get("last") or {}
    elapsed = entry.get("last_solve_s")
    took = format_duration(elapsed) if elapsed is not None else "?"
    timed = " (timed)" if entry.get("timed") else ""
    return (
        f"IaC Katas · {kata.title} ({kata.slug}){timed}: solved in {took} "
        f"of a {kata.timebox_minutes} min timebox, {entry.get('attempts', 0)} graded runs, "
        f"{last.get('passed', 0)}/{last.get('total', len(kata.requirements))} requirements"
    )


def report_attempt(console: Console, kata: Kata, result: RunResult) -> dict[str, Any]:
    """After a graded run of the workspace: count it, show the clock, and on a pass the
    follow-up questions and the shareable summary."""
    from harness.commands.progress import SOLVED_VERDICTS, record_run

    entry = record_run(kata, result)
    clock = clock_line(entry)
    solved = result.error is None and result.verdict in SOLVED_VERDICTS
    if clock and not solved:
        console.print(f"[cyan]{escape(clock)}[/]")
    if solved:
        follow_ups = interview_follow_ups(kata)
        if follow_ups:
            console.rule("interview follow-ups")
            console.print(follow_ups, markup=False)
        console.rule("share")
        console.print(share_summary(kata, entry), markup=False)
    return entry
