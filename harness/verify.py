"""Kata fidelity: the starter fails, the solution passes, every mutant fails on the
requirement it names. One embedded emulator serves all runs (reset between them).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.context import RunOptions
from harness.emulator import Emulator
from harness.kata import Kata
from harness.runner import RunResult, run_kata


@dataclass
class Verdict:
    variant: str
    expected: str  # "pass", "fail", "fail on R2"
    ok: bool
    detail: str
    result: RunResult


def verify_kata(kata: Kata, emulator: Emulator | None = None) -> list[Verdict]:
    verdicts = []

    def run(variant: str) -> RunResult:
        if emulator is not None:
            emulator.reset()
        return run_kata(kata, RunOptions(variant=variant), emulator=emulator)

    starter = run("starter")
    verdicts.append(Verdict("starter", "fail", not starter.passed, _failing(starter), starter))
    solution = run("solution")
    verdicts.append(
        Verdict("solution", "pass", solution.passed, _failing(solution) or "all passed", solution)
    )
    for mutant in kata.mutants:
        res = run(f"mutant:{mutant.id}")
        failing = res.failing_requirements()
        caught = not res.passed and set(mutant.breaks) <= failing
        verdicts.append(
            Verdict(
                f"mutant:{mutant.id}",
                f"fail on {', '.join(mutant.breaks)}",
                caught,
                _failing(res),
                res,
            )
        )
    return verdicts


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
