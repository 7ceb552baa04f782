"""teardown: destroy the stack and prove nothing the program created is left."""

from __future__ import annotations

from harness.context import RunContext
from harness.errors import HarnessError
from harness.results import CheckResult, Outcome, Stage


def run(ctx: RunContext) -> list[CheckResult]:
    engine = ctx.engine
    if engine is None:
        return []
    with ctx.timed(Stage.TEARDOWN) as t:
        before = engine.state()
        if before is None or not before.resources:
            t.outcome, t.detail = "skipped", "nothing deployed"
            return []
        try:
            result = engine.destroy()
        except HarnessError as err:
            t.outcome = "failed"
            return [_result(Outcome.FAILED, f"destroy failed: {err}")]
        leaked = []
        retained = set(result.retained) | set(result.protected)
        exists = getattr(engine, "exists", None)
        for res in before.managed():
            if res.id and res.urn not in retained and exists is not None and exists(res):
                leaked.append(f"{res.type} {res.name}")
        t.detail = f"{len(result.deleted)} deleted"
        if result.protected:
            t.outcome = "failed"
            names = [u.rsplit("::", 1)[-1] for u in result.protected]
            return [_result(Outcome.FAILED, f"protected resources block teardown: {names}")]
        if leaked:
            t.outcome = "failed"
            return [_result(Outcome.FAILED, f"left behind after destroy: {leaked}")]
    return [_result(Outcome.PASSED, "")]


def _result(outcome: Outcome, message: str) -> CheckResult:
    return CheckResult(
        id="teardown",
        stage=Stage.TEARDOWN,
        requirement=None,
        outcome=outcome,
        title="destroy removes everything the program created",
        message=message,
    )
