"""synth: run the program without touching the emulator; capture the resource graph."""

from __future__ import annotations

from harness.context import RunContext
from harness.results import Stage
from harness.stages.validate import check_sources


def run(ctx: RunContext) -> None:
    assert ctx.engine is not None
    with ctx.timed(Stage.SYNTH) as t:
        check_sources(ctx.workdir, ctx.kata.candidate_files)
        ctx.plan = ctx.engine.preview()
        t.detail = f"{len([r for r in ctx.plan.resources if r.custom])} resources"
