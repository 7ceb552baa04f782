"""deploy: apply the program to the emulator through the engine."""

from __future__ import annotations

from harness.context import RunContext
from harness.errors import HarnessError
from harness.results import CheckResult, Outcome, Stage


def run(ctx: RunContext) -> list[CheckResult]:
    assert ctx.engine is not None
    with ctx.timed(Stage.DEPLOY) as t:
        try:
            ctx.state = ctx.engine.up()
        except HarnessError as err:
            t.outcome = "failed"
            ctx.state = ctx.engine.state()
            return [
                CheckResult(
                    id="deploy",
                    stage=Stage.DEPLOY,
                    requirement=None,
                    outcome=Outcome.FAILED,
                    title="the program deploys",
                    message=str(err),
                )
            ]
        t.detail = f"{len(ctx.state.managed())} resources"
    return [
        CheckResult(
            id="deploy",
            stage=Stage.DEPLOY,
            requirement=None,
            outcome=Outcome.PASSED,
            title="the program deploys",
            duration_s=t.duration_s,
        )
    ]
