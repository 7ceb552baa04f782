"""The local engine, its worker and sandbox, for a program that is not a kata.

`kata scan` and `kata up` run programs exactly as a kata run does (the same worker,
zygote and namespaces); what differs is said to the worker through its environment:
a scan has no emulator and lets types without an adapter pass through, and a named
backend directory is where StackReferences find other stacks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.commands.program import Program
from harness.engines.base import ProgramSpec
from harness.engines.local import LocalEngine
from harness.engines.local.stack_reference import BACKEND_ENV, SHOWN_ENV, state_path
from harness.engines.local.worker import SCAN_ENV
from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.sandbox import Sandbox

NO_EMULATOR = "http://127.0.0.1:0"  # port 0: nothing listens, lookups answer offline
PROGRAM_TIMEOUT_S = 300.0  # public programs are larger than katas: a few hundred resources


class ProgramEngine(LocalEngine):
    def __init__(
        self,
        spec: ProgramSpec,
        scan: bool = False,
        backend: Path | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        super().__init__(spec, sandbox=sandbox)
        self.scan = scan
        self.backend = backend

    def _env(self) -> dict[str, str]:
        env = super()._env()
        if self.scan:
            env[SCAN_ENV] = "1"
        if self.backend is not None:
            env[BACKEND_ENV] = str(self._backend_view())
            env[SHOWN_ENV] = str(self.backend)
        return env

    def _backend_view(self) -> Path:
        """Where the worker reads other stacks: the backend, or (sandboxed) a copy of
        its outputs inside the sandbox, which covers /tmp and homes and must not let a
        program write another stack's state."""
        assert self.backend is not None
        if self.sandbox is None:
            return self.backend
        return self.sandbox.root / "backend"

    def _run_worker(self, mode: str) -> dict[str, Any]:
        if self.backend is not None and self.sandbox is not None:
            view = self._backend_view()
            shutil.rmtree(view, ignore_errors=True)
            for state in self.backend.glob("*/*.json"):
                outputs = json.loads(state.read_text()).get("outputs") or {}
                copy = view / state.parent.name / state.name
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_text(json.dumps({"outputs": outputs}))
            self.sandbox.give(view)
        return super()._run_worker(mode)


def program_engine(
    program: Program,
    workdir: Path,
    scratch: Path,
    endpoint: str = NO_EMULATOR,
    backend: Path | None = None,
    sandbox: Sandbox | None = None,
) -> ProgramEngine:
    """A local engine for ``program`` copied to ``workdir``; state in the backend if given."""
    state_file = (
        state_path(backend, program.project, program.stack) if backend else scratch / "state.json"
    )
    state_file.parent.mkdir(parents=True, exist_ok=True)
    spec = ProgramSpec(
        workdir=workdir,
        project=program.project,
        stack=program.stack,
        config=program.config,
        endpoint=endpoint,
        state_file=state_file,
        timeout_s=PROGRAM_TIMEOUT_S,
    )
    return ProgramEngine(spec, scan=endpoint == NO_EMULATOR, backend=backend, sandbox=sandbox)


def open_sandbox(scratch: Path, writable: list[Path], mode: str) -> tuple[Sandbox | None, str]:
    """The run's namespaces where the OS has them; (None, why) otherwise."""
    from harness.sandbox import Sandbox, SandboxUnavailable

    if mode == "off":
        return None, "--sandbox off"
    try:
        return Sandbox(scratch / "sandbox", writable=writable), ""
    except SandboxUnavailable as err:
        if mode == "require":
            raise HarnessError(
                f"the sandbox is required but unavailable: {err.message}",
                "on Linux, allow unprivileged user namespaces (see README, Isolation)",
            ) from None
        return None, err.message
