"""`kata compare` and `kata matrix` without emulators: the table logic on given results."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from harness.commands.compare import (
    BEGIN,
    END,
    MatrixRow,
    disagreements,
    matrix_markdown,
    write_matrix,
)
from harness.results import CheckResult, Outcome, Stage


def _run(*checks: CheckResult, error: object = None) -> SimpleNamespace:
    return SimpleNamespace(results=list(checks), error=error)


def _check(check_id: str, outcome: Outcome, message: str = "", req: str = "R1") -> CheckResult:
    return CheckResult(check_id, Stage.BEHAVIOR, req, outcome, message=message)


def test_only_checks_whose_outcome_differs_are_rows_with_each_sides_why() -> None:
    moto = _run(_check("t::a", Outcome.PASSED), _check("t::b", Outcome.PASSED, req="R2"))
    ls = _run(
        _check("t::a", Outcome.PASSED),
        _check("t::b", Outcome.NOT_EVALUABLE, "not evaluable on localstack: IAM", req="R2"),
    )
    rows = disagreements({"moto": moto, "localstack": ls})  # type: ignore[dict-item]
    assert [(r.check, r.requirement) for r in rows] == [("t::b", "R2")]
    assert rows[0].outcomes == {"moto": "passed", "localstack": "not_evaluable"}
    assert rows[0].why["localstack"] == "not evaluable on localstack: IAM"


def test_a_check_that_ran_on_one_side_only_says_why_the_other_did_not() -> None:
    err = SimpleNamespace(message="canary-release needs codedeploy")
    rows = disagreements(
        {"moto": _run(_check("t::a", Outcome.PASSED)), "localstack": _run(error=err)}  # type: ignore[dict-item]
    )
    assert rows[0].outcomes == {"moto": "passed", "localstack": "absent"}
    assert rows[0].why["localstack"] == "canary-release needs codedeploy"


def test_the_matrix_replaces_only_what_lies_between_its_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n\n{BEGIN}\nold table\n{END}\n\noutro\n")
    rows = [MatrixRow("k", "localstack", "incomplete", "failed", ["R1", "R2"])]
    write_matrix(readme, matrix_markdown(rows))
    text = readme.read_text()
    assert "old table" not in text and text.startswith("intro") and text.endswith("outro\n")
    assert "| k | localstack | incomplete | failed | R1, R2 |" in text
