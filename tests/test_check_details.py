"""A behavioral check's recorded details reach its result, passed or failed
(``record_property("details", {...})`` in the check; harness/stages/behavior.py)."""

from __future__ import annotations

from types import SimpleNamespace

from harness.results import Outcome
from harness.stages.behavior import _Collector


def _report(outcome: str, properties: list) -> SimpleNamespace:
    return SimpleNamespace(
        when="call",
        outcome=outcome,
        passed=outcome == "passed",
        failed=outcome == "failed",
        skipped=False,
        nodeid="tests/test_numbers.py::test_bill",
        user_properties=[("requirement", "R7"), *properties],
        duration=0.1,
        longrepr=SimpleNamespace(reprcrash=SimpleNamespace(message="AssertionError: R7: over")),
    )


def test_a_passing_check_keeps_what_it_recorded() -> None:
    collector = _Collector()
    bill = {"monthly_usd": 2357.36, "items": [["EC2", 727.54]]}
    collector.pytest_runtest_logreport(_report("passed", [("details", bill)]))
    (result,) = collector.results.values()
    assert result.outcome == Outcome.PASSED and result.details == bill
    assert result.to_dict()["details"] == bill


def test_no_details_or_a_non_mapping_is_an_empty_dict() -> None:
    collector = _Collector()
    collector.pytest_runtest_logreport(_report("failed", [("details", "not a dict")]))
    (result,) = collector.results.values()
    assert result.outcome == Outcome.FAILED and result.details == {}
