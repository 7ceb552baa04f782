"""`kata up DIR [DIR …]`: does this program deploy? The honest answer, on the emulator.

Each program is deployed in order to one embedded emulator (so a later program's
StackReference finds an earlier one's outputs in the run's backend), then previewed
again — a second preview must want no changes — and every stack is torn down, last
first, with the leak check of a kata run. The stages are harness.stages' own (deploy,
converge, teardown); what the local engine refuses (types without an adapter, inputs
an adapter would not apply) is the deploy's one-line failure.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness import report
from harness.commands.engine import ProgramEngine, open_sandbox, program_engine
from harness.commands.program import Program, load_program, require_packages
from harness.context import RunContext, RunOptions
from harness.engines.state import StackState
from harness.results import CheckResult, Outcome, Stage
from harness.stages import converge, deploy, teardown


@dataclass
class UpOptions:
    stack: str | None = None
    backend: Path | None = None  # default: a directory of the run, gone afterwards
    sandbox: str = "auto"


@dataclass
class UpOutcome:
    program: Program
    results: list[CheckResult] = field(default_factory=list)
    state: StackState | None = None  # as deployed, before teardown emptied it

    @property
    def deployed(self) -> bool:
        return any(r.id == "deploy" and r.outcome == Outcome.PASSED for r in self.results)

    @property
    def ok(self) -> bool:
        return self.deployed and all(r.outcome == Outcome.PASSED for r in self.results)


def up_programs(dirs: list[Path], options: UpOptions, console: Console) -> list[UpOutcome]:
    """Deploy, converge-check and tear down every program; never raises for a failing one."""
    from harness import emulator as emu

    programs = [load_program(d, options.stack) for d in dirs]  # usage errors before any run
    for program in programs:
        require_packages(program)
    scratch = Path(tempfile.mkdtemp(prefix="kata-up-"))
    backend = options.backend or scratch / "backend"
    workdirs = [p.copy_to(scratch / f"program-{i}") for i, p in enumerate(programs)]
    sandbox, why = open_sandbox(scratch, workdirs, options.sandbox)
    if sandbox is None:
        console.print(f"[yellow]note[/] the programs run without the sandbox ({escape(why)})")
    emulator = None
    runs: list[tuple[UpOutcome, RunContext]] = []
    try:
        emulator = emu.start_embedded(sandbox=sandbox)
        for program, workdir in zip(programs, workdirs, strict=True):
            engine = program_engine(
                program, workdir, scratch / workdir.name, emulator.endpoint, backend, sandbox
            )
            ctx = _context(program, workdir, engine, emulator, console)
            outcome = UpOutcome(program)
            runs.append((outcome, ctx))
            console.print(f"[bold]{escape(program.project)}[/] (stack {program.stack})")
            outcome.results += deploy.run(ctx)
            outcome.state = ctx.state
            if outcome.deployed:
                outcome.results += converge.run(ctx)
    finally:
        if runs and emulator is not None:
            console.print("[bold]teardown[/] (last deployed first)")
        for outcome, ctx in reversed(runs):  # dependents (StackReference users) go first
            if emulator is not None:
                outcome.results += teardown.run(ctx)
            if ctx.engine is not None:
                ctx.engine.close()
        if emulator is not None:
            emulator.stop()
        if sandbox is not None:
            sandbox.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return [outcome for outcome, _ in runs]


def _context(
    program: Program, workdir: Path, engine: ProgramEngine, emulator: object, console: Console
) -> RunContext:
    """The stages' context for a program that is no kata (they read only the engine)."""
    ctx = RunContext(
        kata=None,  # type: ignore[arg-type]
        options=RunOptions(variant=f"program:{program.path}"),
        workdir=workdir,
        out_dir=workdir.parent,
        emulator=emulator,  # type: ignore[arg-type]
        engine=engine,
        on_stage=lambda t: report.stage_line(console, t),
    )
    return ctx


def print_outcome(console: Console, outcome: UpOutcome) -> None:
    program = outcome.program
    failed = [r for r in outcome.results if r.outcome != Outcome.PASSED]
    if outcome.ok:
        stages = ", ".join(str(r.stage) for r in outcome.results)
        console.print(f"[green]ok[/] {escape(program.project)}: {stages}")
        return
    for r in failed:
        stage = "deploy" if r.stage == Stage.DEPLOY else str(r.stage)
        console.print(f"[red]{stage}[/] {escape(program.project)}: {escape(r.message)}")
