"""`kata watch <slug>`: re-grade the workspace on every save, and say what changed.

One process holds what a cold run pays for again and again: the embedded emulator
stays up and is reset between runs, with its slow backends rebuilt while the user
edits (``ready_for_next``); checkov's warm server (harness.policy.warm) and the
program's zygote (harness.engines.local.shared, which keeps the Pulumi SDK and the
pulumi_aws modules the program uses imported) are started once per process. Saves
are noticed by polling the candidate files' mtimes and sizes (0.3 s; no extra
dependency), and a burst of saves (an editor writing a file in two steps) becomes one
run: the files must stay unchanged for one poll before the run starts. Ctrl-C stops
the run in flight, tears the emulator down and leaves nothing behind (run_kata removes
its scratch directory either way).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from harness.errors import EXIT_PASSED
from harness.kata import Kata
from harness.workspace import RESULTS_DIR

if TYPE_CHECKING:
    from rich.console import Console

    from harness.emulator import Emulator
    from harness.runner import RunResult

POLL_S = 0.3

Snapshot = dict[str, tuple[int, int]]  # candidate file -> (mtime_ns, size); missing: absent


def snapshot(workspace: Path, files: list[str]) -> Snapshot:
    seen: Snapshot = {}
    for name in files:
        try:
            st = (workspace / name).stat()
        except OSError:
            continue
        seen[name] = (st.st_mtime_ns, st.st_size)
    return seen


@dataclass
class Changes:
    newly_passing: list[str] = field(default_factory=list)
    newly_failing: list[str] = field(default_factory=list)
    still_failing: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # e.g. passed -> not evaluable


def compare_runs(before: dict[str, str] | None, after: dict[str, str]) -> Changes:
    """Requirement statuses of two runs (``passed``, ``failed``, ``not_evaluable``)."""
    changes = Changes()
    for req, status in after.items():
        was = (before or {}).get(req)
        if status == "passed":
            if was not in (None, "passed"):
                changes.newly_passing.append(req)
        elif status == "failed":
            (changes.still_failing if was in (None, "failed") else changes.newly_failing).append(
                req
            )
        elif was is not None and status != was:
            changes.other.append(f"{req} {was} → {status}")
    return changes


def change_lines(changes: Changes, first_run: bool) -> list[str]:
    """Rich markup lines: newly passing and newly failing first."""
    lines = []
    if changes.newly_passing:
        lines.append(f"[green]now passing[/] {', '.join(changes.newly_passing)}")
    if changes.newly_failing:
        lines.append(f"[red]now failing[/] {', '.join(changes.newly_failing)}")
    lines += [f"[yellow]changed[/] {escape(o)}" for o in changes.other]
    if changes.still_failing:
        label = "failing" if first_run else "still failing"
        lines.append(f"{label} {', '.join(changes.still_failing)}")
    if not first_run and not (changes.newly_passing or changes.newly_failing or changes.other):
        lines.append("no requirement changed")
    return lines


def statuses(result: RunResult) -> dict[str, str]:
    from harness.report import requirement_rows

    return {row["id"]: row["status"] for row in requirement_rows(result)}


def watch(
    kata: Kata,
    workspace: Path,
    console: Console,
    *,
    policy: bool = True,
    poll_s: float = POLL_S,
    max_runs: int | None = None,
    on_result: Callable[[RunResult], None] | None = None,
    emulator: Emulator | None = None,
) -> int:
    """Grade now, then on every save; returns the last run's exit code (Ctrl-C included).

    max_runs and on_result are for tests and the benchmark; an emulator given is not
    stopped here (its owner does it)."""
    from harness import emulator as emu
    from harness.commands.start import report_attempt
    from harness.context import RunOptions
    from harness.report import print_summary, write_all
    from harness.runner import run_kata

    own = emulator is None
    emulator = emulator or emu.start_embedded()
    options = RunOptions(
        variant=f"program:{workspace}", out_dir=workspace / RESULTS_DIR, policy=policy
    )
    previous: dict[str, str] | None = None
    exit_code = EXIT_PASSED
    runs = 0
    try:
        seen = snapshot(workspace, kata.candidate_files)
        while True:
            result = run_kata(kata, options, emulator=emulator)
            runs += 1
            write_all(result)
            exit_code = result.exit_code
            console.rule(f"run {runs} — {time.strftime('%H:%M:%S')}")
            print_summary(console, result)
            if result.results:
                now = statuses(result)
                for line in change_lines(compare_runs(previous, now), previous is None):
                    console.print(line)
                previous = now
                report_attempt(console, kata, result)
            elif result.error is not None:
                console.print(f"[red]error[/] {escape(str(result.error))}")
            if on_result is not None:
                on_result(result)
            if max_runs is not None and runs >= max_runs:
                return exit_code
            ready_for_next(emulator, kata)  # while the user reads and edits
            console.print(
                f"[dim]watching {escape(str(workspace))} — save to re-grade, Ctrl-C to stop[/]"
            )
            seen = _wait_for_save(workspace, kata.candidate_files, seen, poll_s)
    except KeyboardInterrupt:
        console.print("[yellow]stopped[/]: the emulator is torn down")
        return exit_code
    finally:
        if own:
            emulator.stop()


def ready_for_next(emulator: Emulator, kata: Kata) -> None:
    """Between runs, in the time a person takes to read and edit: drop the last run's
    stack (nothing of it is left to collide with) and rebuild the emulator's slow
    backends (IAM's managed policies, …), so the next re-grade pays only its work."""
    from harness import emulator as emu
    from harness.runner import freeze_what_lasts

    emulator.reset()
    emu.warm_backends(emulator, kata.services, kata.config.get("aws:region", "us-east-1"))
    freeze_what_lasts()  # now, not when the next re-grade starts


def _wait_for_save(workspace: Path, files: list[str], seen: Snapshot, poll_s: float) -> Snapshot:
    """Block until a candidate file changes and then stays unchanged for one poll."""
    while True:
        time.sleep(poll_s)
        now = snapshot(workspace, files)
        if now == seen:
            continue
        while True:  # settle: an editor's save can be several writes
            time.sleep(poll_s)
            later = snapshot(workspace, files)
            if later == now:
                return now
            now = later
