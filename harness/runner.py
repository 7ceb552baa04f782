"""One kata run: the stages in order, teardown always, results in one place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from harness import emulator as emu
from harness.context import RunContext, RunOptions, StageTiming
from harness.engines.base import Engine, ProgramSpec
from harness.errors import (
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_PASSED,
    HarnessError,
    KataFormatError,
    ToolError,
    UnsupportedResource,
)
from harness.kata import REPO_ROOT, Kata
from harness.results import CheckResult, Outcome, Stage
from harness.stages import behavior, converge, deploy, policy, synth, teardown, validate


@dataclass
class RunResult:
    kata: Kata
    options: RunOptions
    results: list[CheckResult]
    timings: list[StageTiming]
    duration_s: float
    out_dir: Path
    error: HarnessError | None = None
    interrupted: bool = False
    program_output: str = ""
    extra: dict = field(default_factory=dict)
    isolation: dict = field(default_factory=dict)  # what the program's sandbox gave it
    submission: dict | None = None  # set by `kata grade`: where the files came from

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and not self.interrupted
            and not any(r.blocking for r in self.results)
        )

    @property
    def verdict(self) -> str:
        """``passed``, ``failed`` or ``incomplete`` (exit 0, 1 or 3)."""
        if not self.passed:
            return "failed"
        return "incomplete" if self.incomplete else "passed"

    @property
    def incomplete(self) -> bool:
        """Nothing evaluable failed, but something enforced could not be evaluated."""
        return self.passed and any(r.unevaluated for r in self.results)

    @property
    def exit_code(self) -> int:
        if self.error is not None and not self.results:
            return self.error.exit_code
        if not self.passed:
            return EXIT_FAILED
        return EXIT_INCOMPLETE if self.incomplete else EXIT_PASSED

    def failing_requirements(self) -> set[str]:
        return {r.requirement for r in self.results if r.blocking and r.requirement}


def default_out_dir(kata: Kata, options: RunOptions) -> Path:
    variant = options.variant.replace(":", "-").replace("/", "_")
    return REPO_ROOT / ".kata-runs" / kata.slug / (variant if len(variant) < 60 else "program")


def make_engine(ctx: RunContext) -> Engine:
    assert ctx.emulator is not None
    try:
        project_file = yaml.safe_load((ctx.workdir / "Pulumi.yaml").read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise KataFormatError(f"{ctx.kata.slug}/Pulumi.yaml{line}: not valid YAML") from None
    if not isinstance(project_file, dict):
        raise KataFormatError(f"{ctx.kata.slug}/Pulumi.yaml: must be a mapping (name, runtime)")
    project = project_file.get("name", ctx.kata.slug)
    spec = ProgramSpec(
        workdir=ctx.workdir,
        project=str(project),
        stack="dev",
        config=dict(ctx.kata.config),
        endpoint=ctx.emulator.endpoint,
        state_file=ctx.state_file,
        timeout_s=ctx.options.stage_timeout_s,
    )
    if ctx.options.engine == "pulumi":
        from harness.engines.pulumi_engine import PulumiEngine

        return PulumiEngine(spec, services=ctx.kata.services)  # type: ignore[call-arg]
    if ctx.options.engine != "local":
        raise HarnessError(f"unknown engine {ctx.options.engine!r}", "use local or pulumi")
    from harness.engines.local import LocalEngine

    kwargs = {
        "sandbox": ctx.sandbox,
        "max_resources": ctx.options.max_resources,
        "share_zygote": ctx.shares_workers,
    }
    if ctx.emulator.kind in ("external", "localstack"):
        return LocalEngine(spec, account_id=emu.account_id(ctx.emulator.endpoint), **kwargs)
    return LocalEngine(spec, **kwargs)


def open_sandbox(
    ctx: RunContext, scratch: Path, given_emulator: bool = False, beside: str | None = None
) -> None:
    """The run's namespaces where the OS has them (see harness.sandbox); the report says
    what the program got either way. ``--sandbox require`` makes their absence an error.
    ``beside``: the endpoint of the run's own emulator when it runs outside the sandbox
    (embedded LocalStack), bridged inward like a loopback ``--endpoint``."""
    from harness.sandbox import Isolation, Sandbox, SandboxUnavailable, limits

    options = ctx.options
    endpoint = options.endpoint or beside
    iso = Isolation()
    iso.limits = [
        f"each program run {options.stage_timeout_s:.0f} s",
        f"behavior checks {options.behavior_timeout_s:.0f} s",
        f"policy scan {options.policy_timeout_s:.0f} s",
        f"output and files {limits.MAX_FILE_BYTES // 2**20} MB",
        f"{options.max_resources} resources",
    ]
    ctx.isolation = iso
    reason = ""
    inward: dict[int, str] = {}
    if options.sandbox == "off":
        reason = "--sandbox off"
    elif given_emulator:
        reason = "the run was handed an emulator that runs outside any sandbox"
    elif options.engine != "local":
        reason = "the pulumi engine runs the Pulumi CLI, which fetches plugins from the network"
    elif endpoint:
        if not emu.is_loopback(endpoint):
            reason = "a remote --endpoint cannot be reached from a loopback-only namespace"
        else:
            inward = {_port_of(endpoint): "endpoint.sock"}
    if not reason:
        try:
            ctx.sandbox = Sandbox(scratch / "sandbox", writable=[ctx.workdir], inward=inward)
        except SandboxUnavailable as err:
            reason = err.message.removeprefix("sandbox unavailable: ")
    if ctx.sandbox is None:
        iso.reason = reason
        iso.processes = "own session, killed on timeout; RLIMIT_NPROC" + (
            " (not enforced: the harness runs as root)" if os.getuid() == 0 else ""
        )
        iso.limits.append(f"about {limits.MAX_PROCESSES} processes only where RLIMIT_NPROC holds")
        iso.limits.append(f"memory: {limits.MAX_MEMORY // 2**20} MB over the SDK's (RLIMIT_DATA)")
        if options.sandbox == "require":
            raise HarnessError(
                f"the sandbox is required but unavailable: {reason}",
                "on Linux, allow unprivileged user namespaces (see README, Isolation)",
            )
        return
    sandbox = ctx.sandbox
    if inward:
        from urllib.parse import urlparse

        url = urlparse(endpoint)
        host, port = url.hostname or "127.0.0.1", _port_of(endpoint)
        sandbox.serve_unix(sandbox.socket("endpoint.sock"), host, port)
    sandbox.describe(iso, bridged=bool(inward))  # what held, as the sandbox measured it
    if options.sandbox == "require" and sandbox.missing():
        raise HarnessError(
            f"the sandbox is required but not whole here: {'; '.join(sandbox.missing())}",
            "see README, Isolation: what each guarantee needs from the OS",
        )


def _port_of(url: str) -> int:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return parsed.port or (443 if parsed.scheme == "https" else 80)


class _EmulatorStarter(threading.Thread):
    """Starts the embedded emulator while synth runs (they do not need each other)."""

    def __init__(
        self, options: RunOptions, sandbox: object = None, warm: tuple[list[str], str] = ([], "")
    ) -> None:
        super().__init__(daemon=True)
        self.options = options
        self.sandbox = sandbox
        self.warm = warm  # (services, region) whose slow backends to build once started
        self.emulator: emu.Emulator | None = None
        self.error: BaseException | None = None
        # Picked now so synth already names the endpoint deploy will use (issue 10).
        self.port = emu.free_port()

    def run(self) -> None:
        try:
            if self.options.endpoint:
                self.emulator = emu.connect_external(
                    self.options.endpoint, self.options.allow_remote_endpoint
                )
            else:
                self.emulator = emu.start_embedded(
                    sandbox=self.sandbox,  # type: ignore[arg-type]
                    preferred=self.port,
                    warm=self.warm,
                )
                emu.warm_backends(self.emulator, *self.warm)
        except BaseException as exc:
            self.error = exc

    def get(self) -> emu.Emulator:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.emulator is not None
        return self.emulator


def run_kata(
    kata: Kata,
    options: RunOptions,
    on_stage: callable | None = None,  # type: ignore[valid-type]
    emulator: emu.Emulator | None = None,
) -> RunResult:
    """Grade one variant of a kata. Never raises for a failing program: returns results."""
    if emulator is not None:  # one process grading run after run: verify, watch, the tests
        freeze_what_lasts()
    started = time.perf_counter()
    out_dir = options.out_dir or default_out_dir(kata, options)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"kata-{kata.slug}-"))
    ctx = RunContext(
        kata=kata, options=options, workdir=scratch / "program", out_dir=out_dir, on_stage=on_stage
    )
    starter = None
    own: emu.Emulator | None = None  # an embedded LocalStack this run started
    error: HarnessError | None = None
    interrupted = False
    try:
        with ctx.timed(Stage.VALIDATE):
            validate.prepare_program(kata, options.variant, ctx.workdir)
        if options.policy:  # checkov's ~3 s of imports overlap synth instead of following it
            from harness.policy.warm import WarmCheckov

            ctx.warm_checkov = WarmCheckov()
        if emulator is None and options.emulator == "localstack" and not options.endpoint:
            # Started first: synth predicts ARNs with its account id (000000000000), and
            # it runs beside the sandbox (harness.emulator.localstack says why).
            from harness.emulator import localstack

            own = emulator = localstack.start()
        # A given emulator (tests, verify) runs outside any sandbox, so the program does too.
        ctx.shares_workers = emulator is not None and own is None
        open_sandbox(
            ctx, scratch, emulator is not None and own is None, own.endpoint if own else None
        )
        warm = (kata.services, kata.config.get("aws:region", "us-east-1"))
        warmer = None
        if emulator is None:
            starter = _EmulatorStarter(options, ctx.sandbox, warm)
            starter.start()
        else:  # a given emulator is up: build its slow backends while synth runs
            warmer = threading.Thread(target=emu.warm_backends, args=(emulator, *warm))
            warmer.daemon = True
            warmer.start()
        if options.endpoint and starter is not None:
            # An external emulator is there already; its account id shapes the ARNs
            # synth predicts (LocalStack's is 000000000000, moto's 123456789012).
            emulator = starter.get()
            starter = None
        if emulator is not None and emulator.kind != "moto":
            from harness.emulator.capabilities import require_services

            require_services(emulator, kata.services, kata.slug)  # exit 2, before synth
        # synth does not need the emulator, but the engine wants an endpoint to name.
        ctx.emulator = emulator or emu.pending(starter.port if starter is not None else 0)
        ctx.engine = make_engine(ctx)
        try:
            synth.run(ctx)
        except UnsupportedResource as err:
            # Valid Pulumi the local engine cannot apply: the engine's limit, not the
            # candidate's mistake, so nothing is judged — neither passed nor failed.
            ctx.results += _not_evaluable(kata, f"not evaluable on the local engine: {err}")
            raise _Stop from None
        except HarnessError as err:
            ctx.results.append(_stage_failure("synth", Stage.SYNTH, "the program runs", err))
            raise _Stop from None
        if starter is not None:
            ctx.emulator = starter.get()
            ctx.engine.spec.endpoint = ctx.emulator.endpoint
        if warmer is not None:
            warmer.join()
        ctx.results += deploy.run(ctx)
        deployed = ctx.state is not None and not any(r.blocking for r in ctx.results)
        # The verdict rests on deployed values (harness.stages.policy). A focused run
        # (RunOptions.focus) scans only when an enforced check belongs to its focus.
        if options.policy and _in_focus(options, [p.requirement for p in kata.enforced_policies]):
            policy.start(ctx, deployed=deployed)
        if deployed:
            ctx.results += behavior.run(ctx)
            if not options.focus:  # convergence is no requirement of the SPEC's
                ctx.results += converge.run(ctx)
        else:
            ctx.results += _not_run(kata, "deploy failed, so this check could not run")
    except _Stop:
        if not any(r.unevaluated for r in ctx.results):
            ctx.results += _not_run(kata, "the program did not synthesize, so this could not run")
    except HarnessError as err:
        error = err
    except KeyboardInterrupt:
        interrupted = True
    finally:
        try:
            if interrupted:
                policy.cancel(ctx)  # Ctrl-C reached checkov too: its results are moot
            elif options.policy:
                ctx.results += policy.collect(ctx)
        except HarnessError as err:
            error = error or err
        except KeyboardInterrupt:
            interrupted = True
            policy.cancel(ctx)
        except Exception as exc:  # a bug in the scan must not skip teardown below
            error = error or ToolError(f"the policy stage failed: {type(exc).__name__}: {exc}")
        graph = _resource_graph(ctx)  # taken before teardown empties the state (results.html)
        try:
            if ctx.emulator is not None and ctx.emulator.kind != "pending":
                ctx.results += teardown.run(ctx)
        except KeyboardInterrupt:
            interrupted = True
            ctx.results += teardown.run(ctx)  # a second Ctrl-C is still honored by Python
        finally:
            if ctx.warm_checkov is not None:
                ctx.warm_checkov.close()
            if ctx.engine is not None:
                ctx.engine.close()
            if starter is not None:
                with contextlib.suppress(BaseException):
                    starter.get().stop()
            if own is not None:
                own.stop()
            if ctx.sandbox is not None:
                ctx.sandbox.stop()
            shutil.rmtree(scratch, ignore_errors=True)
    output = getattr(ctx.engine, "last_output", "") if ctx.engine else ""
    return RunResult(
        kata=kata,
        options=options,
        results=ctx.results,
        timings=ctx.timings,
        duration_s=time.perf_counter() - started,
        out_dir=out_dir,
        error=error,
        interrupted=interrupted,
        program_output=output,
        isolation=ctx.isolation.to_dict() if ctx.isolation is not None else {},
        extra={"graph": graph},
    )


def freeze_what_lasts() -> None:
    """Collect, then move what the process holds now (the harness, boto3, pytest, the
    last run's caches) out of the garbage collector's sight: the next run's collections
    scan only that run's objects. In a roster worker this cut a grade's CPU by a quarter;
    after the first call it costs only a collection of the last run's objects."""
    import gc

    gc.collect()
    gc.freeze()


def _resource_graph(ctx: RunContext) -> dict:
    """The stack's resources as deployed, else as previewed: what results.html draws.
    Never raises: the teardown after it must run."""
    from dataclasses import asdict

    try:
        if ctx.state is not None and ctx.state.resources:
            return {"source": "deployed", "resources": ctx.state.to_dict()["resources"]}
        if ctx.plan is not None:
            return {"source": "preview", "resources": [asdict(r) for r in ctx.plan.resources]}
    except Exception:  # a report's picture is not worth a leaked stack
        pass
    return {"source": "none", "resources": []}


def _not_evaluable(kata: Kata, why: str) -> list[CheckResult]:
    """Every requirement, and the program run itself, reported as not evaluable."""
    run = CheckResult(
        id="synth",
        stage=Stage.SYNTH,
        requirement=None,
        outcome=Outcome.NOT_EVALUABLE,
        title="the program runs",
        message=why,
    )
    return [run, *_each_requirement(kata, Outcome.NOT_EVALUABLE, Stage.SYNTH, why)]


def _in_focus(options: RunOptions, requirements: list[str]) -> bool:
    return not options.focus or bool(set(options.focus) & set(requirements))


class _Stop(Exception):
    """Internal: a stage failed in a way that makes the later stages pointless."""


def _stage_failure(check_id: str, stage: Stage, title: str, err: HarnessError) -> CheckResult:
    return CheckResult(
        id=check_id,
        stage=stage,
        requirement=None,
        outcome=Outcome.FAILED,
        title=title,
        message=str(err),
    )


def _not_run(kata: Kata, why: str) -> list[CheckResult]:
    """Every requirement without behavior results is marked as not verified."""
    return _each_requirement(kata, Outcome.ERROR, Stage.BEHAVIOR, why)


def _each_requirement(kata: Kata, outcome: Outcome, stage: Stage, why: str) -> list[CheckResult]:
    suffix = "not-evaluable" if outcome == Outcome.NOT_EVALUABLE else "not-run"
    return [
        CheckResult(
            id=f"{req.id}:{suffix}",
            stage=stage,
            requirement=req.id,
            outcome=outcome,
            title=req.title,
            message=why,
        )
        for req in kata.requirements
    ]
