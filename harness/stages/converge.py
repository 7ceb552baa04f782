"""converge: after everything ran, a second preview must want no changes.

A program that is not idempotent (timestamps in names, random values, inputs the
provider normalizes differently) would redeploy forever in a real pipeline.
"""

from __future__ import annotations

from harness.context import RunContext
from harness.errors import HarnessError
from harness.results import CheckResult, Outcome, Stage


def run(ctx: RunContext) -> list[CheckResult]:
    assert ctx.engine is not None
    with ctx.timed(Stage.CONVERGE) as t:
        try:
            plan = ctx.engine.preview()
        except HarnessError as err:
            t.outcome = "failed"
            return [_result(Outcome.ERROR, f"second preview failed: {err}")]
        pending = plan.pending
        if pending:
            t.outcome = "failed"
            listed = ", ".join(
                f"{c.op} {c.name}{' (' + ', '.join(c.properties) + ')' if c.properties else ''}"
                for c in pending[:6]
            )
            more = f" and {len(pending) - 6} more" if len(pending) > 6 else ""
            return [_result(Outcome.FAILED, f"a second preview wants changes: {listed}{more}")]
        t.detail = "no changes"
    return [_result(Outcome.PASSED, "")]


def _result(outcome: Outcome, message: str) -> CheckResult:
    return CheckResult(
        id="converge",
        stage=Stage.CONVERGE,
        requirement=None,
        outcome=outcome,
        title="a second preview shows no changes",
        message=message,
    )
