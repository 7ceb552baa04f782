"""Kata fidelity: the starter fails, the solution and every alternative pass, every
mutant fails on the requirements it names, and every clause of every requirement is
broken by some mutant. One embedded emulator serves all runs (reset between them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.context import RunOptions
from harness.emulator import Emulator
from harness.kata import Kata
from harness.kata_format.coverage import Coverage, clause_coverage
from harness.results import Outcome
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


def options_for(kata: Kata, variant: str, **options: Any) -> RunOptions:
    """How verify runs a variant. A mutant must fail on the requirements it names and is
    asked nothing else, so only those requirements' checks run (``RunOptions.focus``):
    the others would only cost time. Every other variant is graded whole."""
    mutant = next((m for m in kata.mutants if variant == f"mutant:{m.id}"), None)
    focus = tuple(mutant.breaks) if mutant is not None else ()
    return RunOptions(variant=variant, focus=focus, **options)


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
        res = run_kata(kata, options_for(kata, variant), emulator=emulator)
        if variant == "starter":
            verdict = Verdict(variant, "fail", not res.passed, _failing(res), res)
        elif variant in mutants:
            breaks = mutants[variant].breaks
            caught, why = caught_on(res, breaks)
            detail = "; ".join(p for p in (_failing(res), why) if p)
            verdict = Verdict(variant, f"fail on {', '.join(breaks)}", caught, detail, res)
        else:  # the solution and the alternatives: correct programs
            verdict = Verdict(variant, "pass", res.passed, _failing(res) or "all passed", res)
        verdict.seconds = time.perf_counter() - t0
        out.verdicts.append(verdict)
        if on_verdict is not None:
            on_verdict(verdict)
    out.seconds = time.perf_counter() - started
    return out


def caught_on(result: RunResult, breaks: tuple[str, ...]) -> tuple[bool, str]:
    """Whether a check *failed* on every requirement the mutant breaks, and if not, why.

    A check that errored (a fixture that broke, a policy that matched no resource, a
    deploy that stopped the run) did not judge the mistake: counting it as a catch
    would let a broken check suite prove every mutant caught.
    """
    failed = {
        r.requirement
        for r in result.results
        if r.enforced and r.requirement and r.outcome == Outcome.FAILED
    }
    missing = [b for b in breaks if b not in failed]
    if not missing:
        return True, ""
    errored = {
        b: sorted(r.id for r in result.results if r.requirement == b and r.blocking)
        for b in missing
    }
    why = [
        f"{b} errored, no check failed ({', '.join(ids[:3])}{' …' if len(ids) > 3 else ''})"
        if ids
        else f"{b} passed"
        for b, ids in errored.items()
    ]
    return False, "; ".join(why)


def _failing(result: RunResult) -> str:
    reqs = sorted(result.failing_requirements(), key=lambda r: int(r[1:]))
    # A harness stage that failed (synth, deploy, teardown) says why in one line: under
    # load a run can fail for reasons that are not the variant's, and the verdict
    # must show which.
    other = {r.id: r.message for r in result.results if r.blocking and not r.requirement}
    parts = []
    if reqs:
        parts.append("failing " + ", ".join(reqs))
    if other:
        parts.append(
            "harness: "
            + ", ".join(
                f"{cid} ({_one_line(msg)})" if msg else cid for cid, msg in sorted(other.items())
            )
        )
    if result.error:
        parts.append(f"error: {result.error}")
    return "; ".join(parts)


def _one_line(message: str, limit: int = 160) -> str:
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
