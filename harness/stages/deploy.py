"""deploy: apply the program to the emulator through the engine."""

from __future__ import annotations

from harness.context import RunContext
from harness.engines.state import ResourceState
from harness.errors import HarnessError
from harness.results import CheckResult, Outcome, Stage

SHOWN = 5  # resources named in a graph-difference message


def run(ctx: RunContext) -> list[CheckResult]:
    assert ctx.engine is not None
    with ctx.timed(Stage.DEPLOY) as t:
        try:
            ctx.state = ctx.engine.up()
        except HarnessError as err:
            t.outcome = "failed"
            ctx.state = ctx.engine.state()
            return [_result(Outcome.FAILED, str(err))]
        t.detail = f"{len(ctx.state.managed())} resources"
        if ctx.plan is not None:
            differs = graph_difference(ctx.plan.resources, ctx.state.resources)
            if differs:
                t.outcome = "failed"
                return [_result(Outcome.FAILED, differs)]
    return [_result(Outcome.PASSED, "", t.duration_s)]


def graph_difference(synth: list[ResourceState], deployed: list[ResourceState]) -> str:
    """Why the graph the program deployed is not the one it showed at synth ("" if it is).

    A program can tell a preview from an update (``pulumi.runtime.is_dry_run()``) and
    show the checks of synth one graph while deploying another; the policy verdict and
    the reviewer would judge the wrong one. The same program must register the same
    resources (URN and type) both times.
    """
    before = {(r.urn, r.type) for r in synth}
    after = {(r.urn, r.type) for r in deployed}
    if before == after:
        return ""
    parts = []
    for label, found in (("only in deploy", after - before), ("only in synth", before - after)):
        if found:
            names = sorted(f"{t} {urn.rsplit('::', 1)[-1]!r}" for urn, t in found)
            more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
            parts.append(f"{label}: {', '.join(names[:SHOWN])}{more}")
    return (
        "the program registered other resources in deploy than in synth ("
        + "; ".join(parts)
        + ") — a program must declare the same graph whether previewed or deployed"
    )


def _result(outcome: Outcome, message: str, duration_s: float = 0.0) -> CheckResult:
    return CheckResult(
        id="deploy",
        stage=Stage.DEPLOY,
        requirement=None,
        outcome=outcome,
        title="the program deploys",
        message=message,
        duration_s=duration_s,
    )
