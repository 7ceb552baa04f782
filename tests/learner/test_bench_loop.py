"""`kata bench --loop <slug>`: one cold grade, warm re-grades on one kept emulator."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from harness import bench, cli


@dataclass
class FakeResult:
    passed: bool = True
    error: object = None
    results: list[object] = field(default_factory=list)
    verdict: str = "failed"


@dataclass
class Calls:
    emulators: list[object] = field(default_factory=list)


def test_bench_loop_prints_cold_warm_and_ratio(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = Calls()

    def fake_run_kata(kata, options, on_stage=None, emulator=None):  # type: ignore[no-untyped-def]
        calls.emulators.append(emulator)
        return FakeResult()

    monkeypatch.setattr(bench, "run_kata", fake_run_kata)
    assert cli.main(["bench", "--loop", "least-privilege-iam", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"cold [\d.]+ s, warm [\d.]+ s, ratio [\d.]+", out), out
    assert "load average" in out
    cold, *warm = calls.emulators
    assert cold is None  # the cold grade starts its own emulator, as `kata run` does
    # watch's first run, then the two timed re-grades: all on one emulator, kept warm
    assert len(warm) == 3 and warm[0] is warm[1] is warm[2] is not None


def test_bench_loop_refuses_a_failing_solution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "run_kata", lambda *a, **k: FakeResult(passed=False))
    with pytest.raises(RuntimeError, match="did not pass"):
        bench.bench_loop(SimpleNamespace(slug="x"), warm_runs=1)  # type: ignore[arg-type]


def test_tree_cpu_counts_the_cpu_of_children_that_ended() -> None:
    import subprocess
    import sys

    before = bench.tree_cpu_s()
    burn = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    assert bench.tree_cpu_s() - before >= 0.45  # the child's 0.5 s, reaped by us
