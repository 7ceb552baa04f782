"""Kata fidelity: the starter fails, the solution and every alternative pass, every
mutant fails on the requirements it names, and every clause of every requirement is
broken by some mutant. One embedded emulator serves all runs (reset between them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.context import RunOptions
from harness.emulator import Emulator
from harness.kata import Kata
from harness.kata_format.coverage import Coverage, clause_coverage
from harness.runner import RunResult, run_kata


@dataclass
class Verdict:
    variant: str
    expected: str  # "pass", "fail", "fail on R2"
    ok: bool
    detail: str
    result: RunResult
    seconds: float = 0.0


@dataclass
class KataVerification:
    kata: Kata
    verdicts: list[Verdict] = field(default_factory=list)
    coverage: Coverage | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        runs_ok = all(v.ok for v in self.verdicts)
        return runs_ok and self.coverage is not None and self.coverage.ok


def variants(kata: Kata) -> list[str]:
    """What verify runs, in order: starter, solution, alternatives, mutants."""
    return [
        "starter",
        "solution",
        *(f"alternative:{a.name}" for a in kata.alternatives),
        *(f"mutant:{m.id}" for m in kata.mutants),
    ]


def verify_kata(
    kata: Kata,
    emulator: Emulator | None = None,
    on_verdict: Callable[[Verdict], None] | None = None,
) -> KataVerification:
    started = time.perf_counter()
    out = KataVerification(kata, coverage=clause_coverage(kata))
    mutants = {f"mutant:{m.id}": m for m in kata.mutants}
    for variant in variants(kata):
        if emulator is not None:
            emulator.reset()
        t0 = time.perf_counter()
        res = run_kata(kata, RunOptions(variant=variant), emulator=emulator)
        if variant == "starter":
            verdict = Verdict(variant, "fail", not res.passed, _failing(res), res)
        elif variant in mutants:
            breaks = mutants[variant].breaks
            caught = not res.passed and set(breaks) <= res.failing_requirements()
            verdict = Verdict(variant, f"fail on {', '.join(breaks)}", caught, _failing(res), res)
        else:  # the solution and the alternatives: correct programs
            verdict = Verdict(variant, "pass", res.passed, _failing(res) or "all passed", res)
        verdict.seconds = time.perf_counter() - t0
        out.verdicts.append(verdict)
        if on_verdict is not None:
            on_verdict(verdict)
    out.seconds = time.perf_counter() - started
    return out


def _failing(result: RunResult) -> str:
    reqs = sorted(result.failing_requirements(), key=lambda r: int(r[1:]))
    other = sorted({r.id for r in result.results if r.blocking and not r.requirement})
    parts = []
    if reqs:
        parts.append("failing " + ", ".join(reqs))
    if other:
        parts.append("harness: " + ", ".join(other))
    if result.error:
        parts.append(f"error: {result.error}")
    return "; ".join(parts)
