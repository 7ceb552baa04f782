"""`kata grade <slug> --roster roster.csv`: every submission of a class or a hiring round.

Each line names a person and their fork (a directory, or a git URL with a ref). Each entry
is graded by harness.grade.grade, the single-grade path, so it has the same isolation as
`kata grade --submission` (own sandbox, own emulator, only the candidate files taken).
A pool of worker processes (one per core) grades the entries; the processes stay warm
across entries (imports, checkov's environment), the grades share nothing else.

A bad entry (a missing fork, a clone that fails, unreadable files) becomes a row with its
reason; the others still grade. Each run appends to history.jsonl beside the scoreboard,
which gives each person's attempts over time.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.context import RunOptions
from harness.errors import EXIT_FAILED, EXIT_PASSED, HarnessError
from harness.kata import REPO_ROOT, Kata, parse_kata

HISTORY = "history.jsonl"
COLUMNS = ("name", "source", "ref")


class RosterError(HarnessError):
    kind = "usage"


@dataclass
class Entry:
    line: int
    name: str
    source: str  # a directory or a git URL
    ref: str = ""  # for a git URL: branch, tag or commit
    problem: str = ""  # a malformed line: why


@dataclass
class Row:
    """One person's grade: what the scoreboard shows."""

    name: str
    source: str
    ref: str
    status: str  # "passed", "failed", "incomplete" or "bad entry"
    reason: str = ""  # the first reason it did not pass (or why it could not grade)
    requirements: dict[str, dict[str, str]] = field(default_factory=dict)  # R1 -> outcome, why
    commit: str = ""
    commit_time: str = ""  # of the graded commit, ISO 8601; "" when not a git checkout
    graded_at: str = ""
    seconds: float = 0.0
    attempts: list[dict[str, Any]] = field(default_factory=list)  # earlier runs, oldest first
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds (kata bench)
    sandboxed: bool = False  # the program ran in Linux namespaces


def read_roster(path: Path) -> list[Entry]:
    """``name,source[,ref]`` per line; a header line and ``#`` comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise RosterError(f"cannot read the roster {path}: {err.strerror}") from None
    entries = []
    for number, cells in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] == ["name", "source"]:
            continue
        name = cells[0] if cells else ""
        source = cells[1] if len(cells) > 1 else ""
        ref = cells[2] if len(cells) > 2 else ""
        problem = "" if source else "no fork named: expected name,source[,ref]"
        entries.append(Entry(number, name or f"line {number}", source, ref, problem))
    if not entries:
        raise RosterError(f"the roster {path} names nobody", "one line per person: name,source,ref")
    return entries


def _git(directory: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=30
    )
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _commit_of(directory: Path) -> tuple[str, str]:
    """(commit, committer time) of a git checkout; ("", "") for a plain directory."""
    if not (directory / ".git").exists():
        return "", ""
    out = _git(directory, "log", "-1", "--format=%H %cI")
    commit, _, when = out.partition(" ")
    return commit, when


def _requirement_cells(kata: Kata, result: Any) -> tuple[dict[str, dict[str, str]], str]:
    """Per requirement: outcome and the first reason; and the run's first reason overall."""
    cells: dict[str, dict[str, str]] = {}
    for req in kata.requirements:
        mine = [r for r in result.results if r.requirement == req.id]
        bad = [r for r in mine if r.blocking]
        unknown = [r for r in mine if r.unevaluated]
        if bad and all(r.id.endswith(":not-run") for r in bad):
            # Synth or deploy failed: the row's reason says why, once, not per cell.
            cells[req.id] = {"outcome": "not run", "why": ""}
        elif bad:
            cells[req.id] = {"outcome": "fail", "why": bad[0].message}
        elif unknown:
            cells[req.id] = {"outcome": "not evaluable", "why": unknown[0].message}
        elif mine:
            cells[req.id] = {"outcome": "pass", "why": ""}
        else:
            cells[req.id] = {"outcome": "not run", "why": "no check of it ran"}
    first = ""
    if result.error is not None:
        first = str(result.error)
    else:
        blocking = [r for r in result.results if r.blocking]
        order = {req: i for i, req in enumerate(kata.requirement_ids)}
        # A failure of no requirement (deploy, policy) first, then R1, R2, …
        blocking.sort(key=lambda r: -1 if r.requirement is None else order.get(r.requirement, 0))
        if blocking:
            r = blocking[0]
            where = r.requirement or str(r.stage)
            # A behavioral check's message names its requirement already ("R6 \"…\": …").
            first = r.message if r.message.startswith(where) else f"{where}: {r.message}"
    return cells, first


def grade_entry(job: dict[str, Any]) -> dict[str, Any]:
    """Grade one entry (in a pool worker). Never raises: a bad entry is a row."""
    from harness.grade import grade
    from harness.runner import freeze_what_lasts
    from harness.sandbox import forkserver

    # This worker grades entry after entry, each in a sandbox of its own: its emulator
    # and zygote enter that sandbox by fork from warm servers (harness.sandbox.forkserver).
    forkserver.enable()
    # What the worker imported (and the last grade left alive) is not garbage: keep the
    # collector from scanning it again and again during this grade (measured: a roster
    # of 20 used 103 s of CPU without, 76-79 s with).
    freeze_what_lasts()

    entry = Entry(**job["entry"])
    kata = parse_kata(Path(job["kata_dir"]))
    row = Row(entry.name, entry.source, entry.ref, status="bad entry")
    row.graded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kata-roster-"))
    try:
        if entry.problem:
            raise RosterError(f"roster line {entry.line}: {entry.problem}")
        directory = _fetch(entry, tmp)
        row.commit, row.commit_time = _commit_of(directory)
        options = RunOptions(**job["options"])
        options.out_dir = Path(job["out_dir"])
        result = grade(kata, directory, options, trusted_root=Path(job["trusted_root"]))
        row.requirements, row.reason = _requirement_cells(kata, result)
        row.stages = {t.stage: round(t.duration_s, 2) for t in result.timings}
        row.sandboxed = bool(result.isolation.get("namespaces"))
        row.status = result.verdict
        if result.error is not None and not result.results:
            row.status, row.reason = "bad entry", str(result.error)
    except HarnessError as err:
        row.reason = str(err)
    except Exception as err:  # unreadable files, a clone gone wrong: this row only
        row.reason = f"{type(err).__name__}: {err}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    row.seconds = round(time.perf_counter() - started, 1)
    return asdict(row)


def _fetch(entry: Entry, tmp: Path) -> Path:
    from harness.commands.pack import clone, is_git_url

    if is_git_url(entry.source):
        clone(entry.source, entry.ref or None, tmp / "fork")
        return tmp / "fork"
    directory = Path(entry.source).expanduser()
    if not directory.is_dir():
        raise RosterError(f"no fork at {entry.source}: not a directory")
    if entry.ref and (directory / ".git").exists():
        # Grade the named commit, not whatever the working tree holds now.
        proc = subprocess.run(
            ["git", "clone", "-q", "--no-checkout", str(directory), str(tmp / "fork")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        checkout = subprocess.run(
            ["git", "-C", str(tmp / "fork"), "checkout", "-q", entry.ref],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if proc.returncode or checkout.returncode:
            why = (proc.stderr or checkout.stderr).strip().splitlines()[-1:] or ["?"]
            raise RosterError(f"cannot check out {entry.ref} of {entry.source}: {why[0]}")
        return tmp / "fork"
    return directory


def _options_dict(options: RunOptions) -> dict[str, Any]:
    data = asdict(options)
    data.pop("out_dir", None)
    data.pop("variant", None)
    return data


def grade_all(
    kata: Kata,
    entries: list[Entry],
    options: RunOptions,
    out_dir: Path,
    trusted_root: Path | None = None,
    workers: int | None = None,
    on_row: Any = None,
) -> list[dict[str, Any]]:
    """Grade every entry in a pool of warm worker processes; rows in roster order."""
    workers = max(1, min(workers or os.cpu_count() or 2, len(entries)))
    jobs = [
        {
            "entry": asdict(e),
            "kata_dir": str(kata.path),
            "trusted_root": str(trusted_root or REPO_ROOT),
            "options": _options_dict(options),
            "out_dir": str(out_dir / "runs" / f"{i:03d}"),
        }
        for i, e in enumerate(entries)
    ]
    ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
    rows: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for row in pool.map(grade_entry, jobs):
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return rows


def add_history(rows: list[dict[str, Any]], out_dir: Path, slug: str) -> None:
    """Append this run to history.jsonl; give each row its earlier attempts."""
    path = out_dir / HISTORY
    earlier: list[dict[str, Any]] = []
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                earlier.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a torn line of an interrupted run
    for row in rows:
        row["attempts"] = [
            a for a in earlier if a.get("kata") == slug and a.get("name") == row["name"]
        ]
    with path.open("a") as f:
        for row in rows:
            f.write(json.dumps({"kata": slug, **_attempt(row)}) + "\n")


def _attempt(row: dict[str, Any]) -> dict[str, Any]:
    reqs = row["requirements"]
    return {
        "name": row["name"],
        "graded_at": row["graded_at"],
        "commit": row["commit"],
        "commit_time": row["commit_time"],
        "status": row["status"],
        "passed": sum(1 for c in reqs.values() if c["outcome"] == "pass"),
        "of": len(reqs),
    }


def grade_roster(
    kata: Kata,
    roster: Path,
    options: RunOptions,
    trusted_root: Path | None,
    console: Any,
    args: Any,
) -> int:
    """The CLI's roster grade: grade, write the scoreboard, print a summary."""
    from rich.markup import escape

    from harness.reports.scoreboard import write_scoreboard

    entries = read_roster(roster)
    out_dir = Path(args.scoreboard or (REPO_ROOT / ".kata-runs" / kata.slug / "roster")).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]{kata.title}[/]: grading {len(entries)} roster entries …")
    started = time.perf_counter()
    rows = grade_all(
        kata,
        entries,
        options,
        out_dir,
        trusted_root,
        getattr(args, "workers", None),
        on_row=lambda r: console.print(
            f"  {escape(r['name'])}: {r['status']} ({r['seconds']:.0f} s)"
            + (f" — {escape(r['reason'][:160])}" if r["reason"] else "")
        ),
    )
    wall = time.perf_counter() - started
    add_history(rows, out_dir, kata.slug)
    html, csv_path = write_scoreboard(kata, rows, out_dir)
    console.print(f"{len(rows)} graded in {wall:.0f} s; scoreboard: {html} and {csv_path}")
    return EXIT_PASSED if all(r["status"] == "passed" for r in rows) else EXIT_FAILED
