"""`kata progress`: every kata's status from the learner's own runs, and what to do next.

A kata is *not started* until `kata start` or a first graded run of its workspace,
*in progress n/N* (requirements passing in the last run) until a run passes, then
*solved* with the date, the number of graded runs it took and the best time from
`kata start` to the passing run. Only runs of the workspace count: grading the
reference solution is not the learner's progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.kata import Kata
from harness.workspace import kata_progress, load_progress, now

if TYPE_CHECKING:
    from harness.runner import RunResult

DIFFICULTY_ORDER = {"beginner": 0, "intermediate": 1, "advanced": 2}
SOLVED_VERDICTS = ("passed", "incomplete")  # incomplete: nothing failed, some not evaluable


@dataclass(frozen=True)
class KataStatus:
    slug: str
    state: str  # "not started", "in progress", "solved"
    detail: str


def record_start(kata: Kata, *, timed: bool) -> dict[str, Any]:
    with kata_progress(kata.slug) as entry:
        entry["started_at"] = now()
        entry["timed"] = timed
        entry["timebox_minutes"] = kata.timebox_minutes
        entry.setdefault("attempts", 0)
        return dict(entry)


def record_run(kata: Kata, result: RunResult) -> dict[str, Any]:
    """Count a graded run of the workspace; return the kata's entry after it."""
    from harness.report import requirement_rows

    rows = requirement_rows(result)
    passing = sum(1 for r in rows if r["passed"])
    with kata_progress(kata.slug) as entry:
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry.setdefault("started_at", now())
        entry["last"] = {
            "at": now(),
            "verdict": result.verdict,
            "passed": passing,
            "total": len(rows),
            "failing": [r["id"] for r in rows if r["status"] == "failed"],
            "not_evaluable": [r["id"] for r in rows if r["status"] == "not_evaluable"],
        }
        if result.error is None and result.verdict in SOLVED_VERDICTS:
            elapsed = now() - float(entry["started_at"])
            entry.setdefault("solved_at", now())
            entry.setdefault("solved_attempts", entry["attempts"])
            best = entry.get("best_time_s")
            entry["best_time_s"] = elapsed if best is None else min(float(best), elapsed)
            entry["last_solve_s"] = elapsed
        return dict(entry)


def status_of(kata: Kata, entry: dict[str, Any] | None) -> KataStatus:
    if entry and entry.get("solved_at"):
        day = dt.datetime.fromtimestamp(float(entry["solved_at"]), dt.UTC).date().isoformat()
        attempts = entry.get("solved_attempts", entry.get("attempts", 0))
        detail = f"{day}, {attempts} attempts, best time {format_duration(entry['best_time_s'])}"
        return KataStatus(kata.slug, "solved", detail)
    if not entry or (not entry.get("started_at") and not entry.get("attempts")):
        return KataStatus(kata.slug, "not started", f"{len(kata.requirements)} requirements")
    last = entry.get("last")
    if last:
        failing = ", ".join(last.get("failing", [])[:6])
        detail = f"{last['passed']}/{last['total']} requirements" + (
            f" (failing {failing})" if failing else ""
        )
    else:
        detail = f"0/{len(kata.requirements)} requirements (no run yet)"
    return KataStatus(kata.slug, "in progress", detail)


def statuses(katas: list[Kata]) -> list[KataStatus]:
    doc = load_progress()["katas"]
    return [status_of(k, doc.get(k.slug)) for k in katas]


def suggest_next(katas: list[Kata], found: list[KataStatus]) -> Kata | None:
    """Finish what is started first (most requirements passing), else the easiest
    kata not started (difficulty, then timebox), rustlings-style; None when all solved."""
    by_slug = {k.slug: k for k in katas}
    doc = load_progress()["katas"]
    started = [s for s in found if s.state == "in progress"]
    if started:

        def done(s: KataStatus) -> float:
            last = doc.get(s.slug, {}).get("last") or {}
            return last.get("passed", 0) / max(1, last.get("total", 1))

        return by_slug[max(started, key=done).slug]
    fresh = [by_slug[s.slug] for s in found if s.state == "not started"]
    if not fresh:
        return None
    return min(fresh, key=lambda k: (DIFFICULTY_ORDER.get(k.difficulty, 9), k.timebox_minutes))


def format_duration(seconds: float) -> str:
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
