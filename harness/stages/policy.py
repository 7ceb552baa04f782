"""policy: checkov (and cfn-lint) on the synthesized graph, in the background.

Started right after synth so its few seconds overlap deploy and behavior.
"""

from __future__ import annotations

import time

from harness.context import RunContext, StageTiming
from harness.errors import ToolError
from harness.results import CheckResult, Stage


def start(ctx: RunContext) -> None:
    from harness.policy.scan import start_scan

    assert ctx.plan is not None
    sources = {r.urn: r.source for r in ctx.plan.resources if r.source}
    ctx.policy_handle = (
        time.perf_counter(),
        start_scan(
            ctx.plan.resources,
            ctx.kata.enforced_policies,
            ctx.out_dir / "policy",
            sources,
            warm=ctx.warm_checkov,
        ),
    )


def collect(ctx: RunContext) -> list[CheckResult]:
    if ctx.policy_handle is None:
        return []
    started, handle = ctx.policy_handle
    ctx.policy_handle = None
    # The scan started with synth: it gets what is left of its time limit.
    left = ctx.options.policy_timeout_s - (time.perf_counter() - started)
    try:
        results = handle.result(timeout=max(left, 0.1))
    except ToolError:
        timed_out = not handle.done()
        handle.cancel()
        if not timed_out:
            raise
        raise ToolError(
            f"the policy scan did not finish within {ctx.options.policy_timeout_s:.0f} s",
            "checkov was stopped; a graph of a few dozen resources scans in seconds",
        ) from None
    failed = sum(1 for r in results if r.blocking)
    timing = StageTiming(
        str(Stage.POLICY),
        time.perf_counter() - started,
        "failed" if failed else "ok",
        f"{len(results)} findings, {failed} enforced failing (ran in background)",
    )
    ctx.timings.append(timing)
    if ctx.on_stage:
        ctx.on_stage(timing)
    return results


def cancel(ctx: RunContext) -> None:
    if ctx.policy_handle is not None:
        _, handle = ctx.policy_handle
        ctx.policy_handle = None
        cancel_fn = getattr(handle, "cancel", None)
        if cancel_fn:
            cancel_fn()
