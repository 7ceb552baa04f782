"""Time limits of the stages that run trusted code in the harness process: the kata's
behavior checks (pytest, in-process) and the policy scan (checkov, in the background)."""

from __future__ import annotations

import textwrap
import time
from types import SimpleNamespace

import pytest

from harness.errors import ToolError
from harness.stages import behavior, policy

ENDLESS_CHECKS = """
    import time

    import pytest


    @pytest.mark.requirement("R1")
    def test_first():
        pass


    @pytest.mark.requirement("R1")
    def test_never_ends():
        while True:
            time.sleep(0.05)


    @pytest.mark.requirement("R2")
    def test_after():
        pass
"""


def test_behavior_checks_are_stopped_at_their_time_limit(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_endless.py").write_text(textwrap.dedent(ENDLESS_CHECKS))
    started = time.monotonic()

    results = behavior.run_checks(
        tests_dir=tests,
        state_file=tmp_path / "state.json",
        endpoint="http://127.0.0.1:9",
        emulator_kind="moto",
        region="us-east-1",
        timeout_s=1.5,
    )

    assert time.monotonic() - started < 15
    by_id = {r.id.rsplit("::", 1)[-1]: r for r in results}
    assert by_id["test_first"].outcome == "passed"
    assert "test_after" not in by_id  # the session ended: nothing after the stuck check
    timeout = by_id["behavior:timeout"]
    assert timeout.outcome == "error" and timeout.blocking
    assert "did not finish within 2 s and were stopped" in timeout.message
    time.sleep(0.3)  # no KeyboardInterrupt is left pending for this thread afterwards


def test_behavior_checks_that_finish_are_not_touched_by_the_deadline(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_quick.py").write_text(
        'import pytest\n\n\n@pytest.mark.requirement("R1")\ndef test_quick():\n    pass\n'
    )
    results = behavior.run_checks(
        tests, tmp_path / "s.json", "http://127.0.0.1:9", "moto", "us-east-1", timeout_s=30
    )
    assert [r.outcome for r in results] == ["passed"]


class _StuckScan:
    cancelled = False

    def result(self, timeout: float | None = None) -> list:
        time.sleep(timeout or 0)
        raise ToolError(f"the policy scan did not finish within {timeout} s")

    def done(self) -> bool:
        return False

    def cancel(self) -> None:
        self.cancelled = True


def test_policy_scan_is_stopped_at_its_time_limit():
    scan = _StuckScan()
    ctx = SimpleNamespace(
        policy_handle=(time.perf_counter(), scan),
        options=SimpleNamespace(policy_timeout_s=1.0),
        timings=[],
        on_stage=None,
    )
    with pytest.raises(ToolError) as caught:
        policy.collect(ctx)  # type: ignore[arg-type]
    assert "the policy scan did not finish within 1 s" in caught.value.message
    assert scan.cancelled
