"""Benchmark: per-stage wall times of each kata's solution, median of N runs."""

from __future__ import annotations

import statistics
from collections import defaultdict

from harness.context import RunOptions
from harness.kata import Kata
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
