"""Kata fidelity, for every kata: the starter fails, the solution and every
alternative pass, and every mutant fails on the requirement it names. This is
`nox -s verify` as tests (clause coverage, which needs no deploy, is `kata lint`'s).
"""

from __future__ import annotations

import pytest

from harness.emulator import start_embedded
from harness.kata import available_katas, load_kata
from harness.kata_format.variants import mutant_files, solution_files
from harness.runner import RunResult, run_kata
from harness.verify import caught_on, options_for, variants

KATAS = available_katas()
VARIANTS = [(slug, variant) for slug in KATAS for variant in variants(load_kata(slug))]
MUTANTS = [(slug, m.id) for slug in KATAS for m in load_kata(slug).mutants]


@pytest.fixture(scope="module")
def emulator():
    with start_embedded() as emu:
        yield emu


def _run(slug: str, variant: str, emulator, tmp_path) -> RunResult:
    emulator.reset()
    kata = load_kata(slug)
    return run_kata(kata, options_for(kata, variant, out_dir=tmp_path / "out"), emulator=emulator)


def _explain(result: RunResult) -> str:
    lines = [
        f"{r.id} [{r.requirement}] {r.outcome}: {r.message}" for r in result.results if r.blocking
    ]
    if result.error:
        lines.append(f"error: {result.error}")
    return "\n".join(lines) or "nothing failed"


@pytest.mark.parametrize(("slug", "mutant_id"), MUTANTS, ids=[f"{s}:{m}" for s, m in MUTANTS])
def test_mutant_diff_applies_and_changes_the_solution(slug, mutant_id):
    # Fast (no deploy): a stale diff fails here, naming its hunk, before any slow run.
    kata = load_kata(slug)
    mutant = next(m for m in kata.mutants if m.id == mutant_id)
    assert mutant.is_diff, f"mutants/{mutant_id}/ is a v1 copy: make it mutants/{mutant_id}.diff"
    assert mutant_files(kata, mutant) != solution_files(kata), f"{mutant_id} changes nothing"


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "variant"), VARIANTS, ids=[f"{s}:{v}" for s, v in VARIANTS])
def test_kata_variant(slug, variant, emulator, tmp_path):
    result = _run(slug, variant, emulator, tmp_path)
    kata = load_kata(slug)
    # Whatever the variant, the run must clean up after itself.
    teardown = [r for r in result.results if r.id == "teardown"]
    assert teardown and teardown[0].outcome == "passed", _explain(result)
    if variant == "solution" or variant.startswith("alternative:"):
        assert result.passed, _explain(result)
        assert result.exit_code == 0
        rows = {r.requirement for r in result.results if r.requirement and r.enforced}
        assert rows == set(kata.requirement_ids), "every requirement is verified by a check"
    elif variant == "starter":
        assert not result.passed and result.exit_code == 1, "the starter must fail"
    else:
        mutant = next(m for m in kata.mutants if f"mutant:{m.id}" == variant)
        assert not result.passed, f"mutant {mutant.id} ({mutant.mistake}) was not caught"
        caught, why = caught_on(result, mutant.breaks)
        assert caught, f"mutant {mutant.id} must fail on {sorted(mutant.breaks)}, but {why}"
