"""policy: checkov (and cfn-lint) on the deployed graph, in the background.

The verdict is computed on what was deployed: every input resolved by the emulator
(ARNs, ids, documents built with ``get_policy_document_output`` or ``json.dumps``
inside ``apply``). A preview cannot show those values, and a program can register
something else at synth than at deploy, so the synthesized graph is scanned only
when nothing was deployed — and then an enforced verdict on a resource with a value
unknown at synth is reported as not evaluable, never as a pass or a failure.

The scan starts right after deploy, so its few seconds overlap the behavior checks;
checkov's imports already overlapped synth (harness.policy.warm).
"""

from __future__ import annotations

import time

from harness.context import RunContext, StageTiming
from harness.engines.state import ResourceState
from harness.errors import ToolError
from harness.results import CheckResult, Outcome, Stage

DEPLOYED = "deployed"
PREVIEW = "preview"


def start(ctx: RunContext, deployed: bool) -> None:
    """Scan the deployed graph, or (``deployed=False``) the synthesized one."""
    from harness.policy.scan import start_scan

    assert ctx.plan is not None
    # Statement lines come from synth, where the SDK reported where each resource
    # was declared; the deployed state is keyed by the same URNs.
    sources = {r.urn: r.source for r in ctx.plan.resources if r.source}
    resources = ctx.state.resources if deployed and ctx.state is not None else ctx.plan.resources
    ctx.policy_graph = DEPLOYED if deployed and ctx.state is not None else PREVIEW
    ctx.policy_handle = (
        time.perf_counter(),
        start_scan(
            resources,
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
    # The scan started after deploy: it gets what is left of its time limit.
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
    if ctx.policy_graph == PREVIEW:
        results = [_unknown_at_synth(r, ctx.plan.resources) for r in results]  # type: ignore[union-attr]
    failed = sum(1 for r in results if r.blocking)
    timing = StageTiming(
        str(Stage.POLICY),
        time.perf_counter() - started,
        "failed" if failed else "ok",
        f"{len(results)} findings on the {ctx.policy_graph} graph, {failed} enforced failing"
        " (ran in background)",
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


def unknown_inputs(resource: ResourceState) -> list[str]:
    """Top-level inputs whose value (or part of it) was unknown when the graph was made."""
    from harness.policy.tfplan import UNKNOWN

    def unknown(value: object) -> bool:
        if isinstance(value, str):
            return value == UNKNOWN
        if isinstance(value, dict):
            return any(unknown(v) for v in value.values())
        if isinstance(value, list):
            return any(unknown(v) for v in value)
        return False

    return sorted(k for k, v in resource.inputs.items() if unknown(v))


def _unknown_at_synth(result: CheckResult, graph: list[ResourceState]) -> CheckResult:
    """An enforced verdict that may rest on a value the preview could not know."""
    if not result.enforced or result.outcome == Outcome.SKIPPED:
        return result
    resource = next((r for r in graph if result.resource in (r.urn, r.name)), None)
    if resource is None:
        # "matched no resource": with nothing deployed, that may be an unknown too.
        if any(unknown_inputs(r) for r in graph) and result.outcome != Outcome.PASSED:
            result.outcome = Outcome.NOT_EVALUABLE
            result.message = (
                f"not evaluable: {result.message} — some inputs were unknown at synth and the "
                "program did not deploy, so the deployed values could not be scanned"
            )
        return result
    missing = unknown_inputs(resource)
    if missing:
        result.outcome = Outcome.NOT_EVALUABLE
        result.message = (
            f"not evaluable: {resource.name} ({resource.type}) has inputs unknown until deploy "
            f"({', '.join(missing)}) and the program did not deploy"
        )
    return result
