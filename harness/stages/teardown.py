"""teardown: destroy the stack and prove nothing the program created is left."""

from __future__ import annotations

from harness.context import RunContext
from harness.engines.local import leftovers
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
        kept = set(result.retained) | set(result.protected)
        # Checked with the local engine's adapters whichever engine destroyed: they read
        # any resource by type and id, so the pulumi engine's teardown is verified too.
        leaked, unverified = leftovers(
            [r for r in before.managed() if r.urn not in kept],
            endpoint=engine.spec.endpoint,
            default_region=engine.spec.config.get("aws:region", "us-east-1"),
        )
        t.detail = f"{len(result.deleted)} deleted"
        if unverified:
            t.detail += f", {len(unverified)} of types the leak check cannot read"
        if result.protected:
            t.outcome = "failed"
            names = [u.rsplit("::", 1)[-1] for u in result.protected]
            return [_result(Outcome.FAILED, f"protected resources block teardown: {names}")]
        if leaked:
            t.outcome = "failed"
            names = [f"{r.type} {r.name}" for r in leaked]
            return [_result(Outcome.FAILED, f"left behind after destroy: {names}")]
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
