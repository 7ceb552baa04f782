"""Benchmark: per-stage wall times of each kata's solution, median of N runs; and grading
throughput, N submissions of one kata graded in parallel (``kata bench --grade N``)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from harness.context import RunOptions
from harness.kata import Kata
from harness.kata_format.variants import find_mutant, mutant_files, solution_files, write
from harness.runner import RunResult, run_kata

STAGES = ("validate", "synth", "policy", "deploy", "behavior", "converge", "teardown")


def bench_kata(kata: Kata, runs: int = 5, emulator: str = "moto") -> dict[str, float]:
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        result = run_kata(kata, RunOptions(variant="solution", emulator=emulator))
        if not result.passed:
            raise RuntimeError(f"{kata.slug} solution did not pass; refusing to benchmark it")
        for t in result.timings:
            samples[t.stage].append(t.duration_s)
        samples["total"].append(result.duration_s)
    return {stage: statistics.median(vals) for stage, vals in samples.items()}


def bench_grade(
    kata: Kata, n: int = 20, workers: int | None = None, emulator: str = "moto"
) -> dict[str, object]:
    """Grade ``n`` submissions of one kata as a roster; submissions per minute.

    The submissions are bare directories holding the kata's solution and its mutants in
    turn (a realistic mix: most fail somewhere). Each grade is a full single grade
    (sandbox, embedded emulator, policy scan) through harness.commands.roster, whose
    ``workers`` processes stay warm across the roster.
    """
    from harness.commands.roster import Entry, grade_all

    workers = workers or os.cpu_count() or 2
    variants = ["solution", *(f"mutant:{m.id}" for m in kata.mutants)]
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as tmp:
        entries, expected = [], {}
        for i in range(n):
            variant = variants[i % len(variants)]
            files = solution_files(kata)
            if variant.startswith("mutant:"):
                files = mutant_files(kata, find_mutant(kata, variant.split(":", 1)[1]))
            sub = Path(tmp) / f"submission-{i}"
            sub.mkdir()
            for name, text in files.items():
                write(sub / name, text)
            entries.append(Entry(i + 1, f"{i:02d} {variant}", str(sub)))
            expected[f"{i:02d} {variant}"] = "passed" if variant == "solution" else "failed"
        started, cpu = time.perf_counter(), tree_cpu_s()
        # The roster's path: a warm pool, each entry a single grade (own sandbox, emulator).
        options = RunOptions(emulator=emulator)
        runs = grade_all(kata, entries, options, Path(tmp) / "out", workers=workers)
        wall = time.perf_counter() - started
        cpu = tree_cpu_s() - cpu  # the pool's workers and their servers: ended and reaped
    ok = [r for r in runs if r["status"] == expected[r["name"]]]
    return {
        "kata": kata.slug,
        "submissions": n,
        "workers": workers,
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        # What the grades would take on the machine's cores with nothing else running.
        "quiet_wall_s": round(cpu / (os.cpu_count() or 1), 1),
        "per_minute": round(n / wall * 60, 1),
        "median_grade_s": round(statistics.median(r["seconds"] for r in runs), 1),
        "as_expected": len(ok),
        "sandboxed": sum(1 for r in runs if r["sandboxed"]),
        "unexpected": [
            f"{r['name']}: {r['status']}: {r['reason'][:200]}" for r in runs if r not in ok
        ],
        "stage_medians_s": {
            stage: round(
                statistics.median(r["stages"][stage] for r in runs if stage in r["stages"]), 2
            )
            for stage in STAGES
            if any(stage in r["stages"] for r in runs)
        },
    }


def tree_cpu_s() -> float:
    """CPU seconds used so far by this process and every process below it, live or reaped
    (harness.procs: each one's own and its reaped children's). A figure the machine's load
    does not inflate, unlike wall time; orphans are not counted."""
    from harness import procs

    now = procs.table()
    mine = {os.getpid(), *procs.descendants(os.getpid(), now)}
    return sum(now[pid].cpu_s for pid in mine if pid in now)


def bench_loop(kata: Kata, warm_runs: int = 3, policy: bool = True) -> dict[str, float]:
    """The learner's loop, as the two commands run it, in this process.

    cold: one grade as `kata run` does it — its own sandbox and emulator, the program's
    zygote started in that sandbox, checkov's server started (harness modules are
    already imported, so a shell's `kata run` costs a little more than this).
    warm: re-grades as `kata watch` does them after its first run — one emulator kept up,
    reset and re-warmed between runs while the user edits (``ready_for_next``, not
    timed: no one is waiting for it), the shared zygote and checkov's server warm.
    Grades the reference solution, so every stage runs to the end."""
    from harness import emulator as emu
    from harness.commands.watch import ready_for_next

    options = RunOptions(variant="solution", policy=policy)
    started, cpu = time.perf_counter(), tree_cpu_s()
    cold = run_kata(kata, options)
    cold_s, cold_cpu = time.perf_counter() - started, tree_cpu_s() - cpu
    if not cold.passed:
        raise RuntimeError(
            f"{kata.slug} solution did not pass; refusing to benchmark it: {_why(cold)}"
        )
    warm: list[float] = []
    warm_cpu: list[float] = []
    with emu.start_embedded() as emulator:  # started once, like watch: not a re-grade cost
        started = time.perf_counter()
        first = run_kata(kata, options, emulator=emulator)  # watch's first run
        first_s = time.perf_counter() - started
        if not first.passed:
            raise RuntimeError(f"{kata.slug} solution failed watch's first run: {_why(first)}")
        for _ in range(warm_runs):
            ready_for_next(emulator, kata)
            started, cpu = time.perf_counter(), tree_cpu_s()
            result = run_kata(kata, options, emulator=emulator)
            warm.append(time.perf_counter() - started)
            warm_cpu.append(tree_cpu_s() - cpu)
            if not result.passed:
                raise RuntimeError(f"{kata.slug} solution failed a warm re-grade: {_why(result)}")
    warm_s = statistics.median(warm)
    return {
        "cold_s": round(cold_s, 2),
        "first_watch_run_s": round(first_s, 2),
        "warm_s": round(warm_s, 2),
        "warm_min_s": round(min(warm), 2),
        "ratio": round(warm_s / cold_s, 2),
        # CPU seconds of the whole process tree: what the load average cannot inflate.
        "cold_cpu_s": round(cold_cpu, 2),
        "warm_cpu_s": round(statistics.median(warm_cpu), 2),
        "warm_runs": warm_runs,
        "load_average": round(os.getloadavg()[0], 1),
        "cores": os.cpu_count() or 1,
    }


def _why(result: RunResult) -> str:
    """The first blocking check or the run's error, in one line."""
    if result.error is not None:
        return str(result.error)
    bad = next((r for r in result.results if r.blocking), None)
    return f"{bad.requirement} {bad.id}: {bad.message}"[:400] if bad else result.verdict
