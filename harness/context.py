"""What the stages of one run share: the kata, the program copy, the engine, results."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.emulator import Emulator
from harness.engines.base import Engine, Plan
from harness.engines.state import StackState
from harness.kata import Kata
from harness.results import CheckResult, Stage


@dataclass
class StageTiming:
    stage: str
    duration_s: float
    outcome: str  # "ok", "failed", "error", "skipped"
    detail: str = ""


@dataclass
class RunOptions:
    variant: str = "starter"  # "starter", "solution", "mutant:<id>", "program:<dir>"
    engine: str = "local"
    endpoint: str | None = None
    emulator: str = "moto"  # the embedded one: "moto" or "localstack" (ignored with endpoint)
    allow_remote_endpoint: bool = False
    out_dir: Path | None = None
    policy: bool = True
    stage_timeout_s: float = 120.0  # each program run: synth, deploy, converge
    behavior_timeout_s: float = 300.0  # the kata's checks, all together
    policy_timeout_s: float = 300.0  # checkov and cfn-lint, from the end of deploy on
    sandbox: str = "auto"  # "auto" (namespaces where the OS has them), "require", "off"
    max_resources: int = 1000  # resources one program may declare
    # Only these requirements' checks (kata verify's mutant runs: a mutant must fail on
    # the requirements it names, and nothing else is asked of it); () means all.
    focus: tuple[str, ...] = ()


@dataclass
class RunContext:
    kata: Kata
    options: RunOptions
    workdir: Path  # scratch copy of the program being graded
    out_dir: Path
    emulator: Emulator | None = None
    engine: Engine | None = None
    plan: Plan | None = None
    state: StackState | None = None
    results: list[CheckResult] = field(default_factory=list)
    timings: list[StageTiming] = field(default_factory=list)
    policy_handle: Any = None
    policy_graph: str = ""  # "deployed" or "preview": which graph the policy verdict rests on
    warm_checkov: Any = None  # harness.policy.warm.WarmCheckov, started with the run
    on_stage: Callable[[StageTiming], None] | None = None
    sandbox: Any = None  # harness.sandbox.Sandbox, when the run has one
    isolation: Any = None  # harness.sandbox.Isolation: what the program got
    # Runs handed an emulator by their caller (watch, verify, the tests, the benchmark)
    # grade one person's programs in one process: they may share a warm zygote.
    shares_workers: bool = False

    @property
    def state_file(self) -> Path:
        return self.out_dir / "state.json"

    @contextmanager
    def timed(self, stage: Stage | str, detail: str = ""):  # type: ignore[no-untyped-def]
        timing = StageTiming(str(stage), 0.0, "ok", detail)
        start = time.perf_counter()
        try:
            yield timing
        except BaseException:
            timing.outcome = "error"
            raise
        finally:
            timing.duration_s = time.perf_counter() - start
            self.timings.append(timing)
            if self.on_stage:
                self.on_stage(timing)
