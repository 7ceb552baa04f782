"""Benchmark: per-stage wall times of each kata's solution, median of N runs; and grading
throughput, N submissions of one kata graded in parallel (``kata bench --grade N``)."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from harness.context import RunOptions
from harness.kata import Kata
from harness.kata_format.variants import find_mutant, mutant_files, solution_files, write
from harness.runner import run_kata

STAGES = ("validate", "synth", "policy", "deploy", "behavior", "converge", "teardown")


def bench_kata(kata: Kata, runs: int = 5) -> dict[str, float]:
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        result = run_kata(kata, RunOptions(variant="solution"))
        if not result.passed:
            raise RuntimeError(f"{kata.slug} solution did not pass; refusing to benchmark it")
        for t in result.timings:
            samples[t.stage].append(t.duration_s)
        samples["total"].append(result.duration_s)
    return {stage: statistics.median(vals) for stage, vals in samples.items()}


def _grade_one(job: tuple[str, str, str, str]) -> dict[str, object]:
    """One submission, graded in a pool worker (its own emulator and sandbox)."""
    slug, variant, submission, out = job
    from harness.grade import grade
    from harness.kata import load_kata

    started = time.perf_counter()
    result = grade(load_kata(slug), Path(submission), RunOptions(out_dir=Path(out)))
    expected_pass = variant == "solution"
    return {
        "variant": variant,
        "passed": result.passed,
        "as_expected": result.passed == expected_pass and result.error is None,
        "seconds": time.perf_counter() - started,
        "namespaces": bool(result.isolation.get("namespaces")),
        "stages": {t.stage: t.duration_s for t in result.timings},
        "detail": "; ".join(
            [f"failing {', '.join(sorted(result.failing_requirements()))}"]
            + [
                f"{r.id}: {r.message[:200]}"
                for r in result.results
                if r.blocking and not r.requirement
            ]
            + ([f"error: {result.error}"] if result.error else [])
        ),
    }


def bench_grade(kata: Kata, n: int = 20, workers: int | None = None) -> dict[str, object]:
    """Grade ``n`` submissions of one kata in parallel; submissions per minute.

    The submissions are bare directories holding the kata's solution and its mutants in
    turn (a realistic mix: most fail somewhere). Each grade is a full run (sandbox,
    embedded emulator, policy scan); ``workers`` processes grade at once.
    """
    workers = workers or os.cpu_count() or 2
    variants = ["solution", *(f"mutant:{m.id}" for m in kata.mutants)]
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as tmp:
        jobs = []
        for i in range(n):
            variant = variants[i % len(variants)]
            files = solution_files(kata)
            if variant.startswith("mutant:"):
                files = mutant_files(kata, find_mutant(kata, variant.split(":", 1)[1]))
            sub = Path(tmp) / f"submission-{i}"
            sub.mkdir()
            for name, text in files.items():
                write(sub / name, text)
            jobs.append((kata.slug, variant, str(sub), str(Path(tmp) / f"out-{i}")))
        started = time.perf_counter()
        ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            runs = list(pool.map(_grade_one, jobs))
        wall = time.perf_counter() - started
    return {
        "kata": kata.slug,
        "submissions": n,
        "workers": workers,
        "cores": os.cpu_count(),
        "wall_s": round(wall, 1),
        "per_minute": round(n / wall * 60, 1),
        "median_grade_s": round(statistics.median(r["seconds"] for r in runs), 1),
        "as_expected": sum(1 for r in runs if r["as_expected"]),
        "sandboxed": sum(1 for r in runs if r["namespaces"]),
        "unexpected": [f"{r['variant']}: {r['detail']}" for r in runs if not r["as_expected"]],
        "stage_medians_s": {
            stage: round(
                statistics.median(r["stages"][stage] for r in runs if stage in r["stages"]), 2
            )  # type: ignore[index]
            for stage in STAGES
            if any(stage in r["stages"] for r in runs)  # type: ignore[operator]
        },
    }
