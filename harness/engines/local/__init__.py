"""The local engine: the program runs under the Pulumi SDK in a sandboxed subprocess
(see worker.py); resources are applied to the emulator by boto3 adapters.

preview and up run the program; refresh and destroy only need the state and the
adapters, so they run here, in the harness process, without candidate code.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import emulator as emu
from harness.engines.base import (
    Change,
    DestroyResult,
    Drift,
    Engine,
    Op,
    Plan,
    ProgramSpec,
)
from harness.engines.local import shared
from harness.engines.local.applier import (
    Applier,
    Registration,
    ResourceFailure,
    describe,
    parse_default_tags,
    rejected,
)
from harness.engines.local.channel import HarnessEnd
from harness.engines.local.worker import SCAN_ENV
from harness.engines.state import ResourceState, StackState
from harness.errors import (
    EmulatorError,
    HarnessError,
    OutputLimit,
    ProcessLimit,
    ProgramError,
    ResourceLimit,
    ResourceRejected,
    StageTimeout,
    UnsupportedResource,
)
from harness.sandbox import forkserver, limits, short_tmp
from harness.sandbox.files import UnsafeFile, read_untrusted, size_untrusted

if TYPE_CHECKING:
    from harness.sandbox import Sandbox

ERRORS_BY_KIND: dict[str, type[HarnessError]] = {
    "program": ProgramError,
    "unsupported-resource": UnsupportedResource,
    "resource-rejected": ResourceRejected,
    "protected": ResourceRejected,
    "environment": EmulatorError,
    "resource-limit": ResourceLimit,
    "out-of-band": ResourceRejected,
}
OUTPUT_LIMIT = 1_000_000  # bytes of program stdout/stderr kept; the rest is dropped
RESULT_LIMIT = 64 * 1024 * 1024  # bytes of a worker's result or journal read back
MAX_RESOURCES = 1000  # resources one program may declare; past that the run stops
REFRESH_THREADS = 8  # concurrent reads of one refresh


def sandbox_env(endpoint: str, region: str, home: Path, tmp: Path | None = None) -> dict[str, str]:
    """Only what the program needs: no host AWS credentials, profiles or config."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    if "VIRTUAL_ENV" in os.environ:
        env["VIRTUAL_ENV"] = os.environ["VIRTUAL_ENV"]
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return env


class LocalEngine(Engine):
    name = "local"

    def __init__(
        self,
        spec: ProgramSpec,
        account_id: str = "123456789012",
        sandbox: Sandbox | None = None,
        max_resources: int = MAX_RESOURCES,
        share_zygote: bool = True,
    ) -> None:
        super().__init__(spec)
        # Without a sandbox, fork from the process's shared zygote (harness.engines.local
        # .shared) — unless the caller grades other people's programs one after another
        # (a roster without namespaces), where each run keeps a zygote of its own.
        self.share_zygote = share_zygote
        self.account_id = account_id
        self.sandbox = sandbox  # the run's namespaces, when the OS gives them
        self.max_resources = max_resources
        self.region = spec.config.get("aws:region", "us-east-1")
        self.last_output = ""  # what the program printed, for the report
        self._state_copy: bytes | None = None
        self._appliers: dict[tuple[str, bool], Applier] = {}
        self._zygote: Zygote | None = None
        self._home: Path | None = None
        self._seen_types: set[str] = set()  # what the zygote should load before a run

    # -- program runs ------------------------------------------------------------

    def _run_worker(self, mode: str) -> dict[str, Any]:
        """Run the program once; the harness applies what it registers (channel.py) and
        builds the result itself: what was applied, what changed, how it ended."""
        prior = self.state()
        # The program never sees it; the channel's socket may live in it, so keep its
        # path short (a deep TMPDIR would exceed AF_UNIX's ~100-byte limit).
        private = Path(tempfile.mkdtemp(prefix="kata-apply-", dir=short_tmp()))
        applier = Applier(
            endpoint=self.spec.endpoint,
            stack=self.spec.stack,
            default_region=self.region,
            account_id=self.account_id,
            apply=mode == "up",
            prior={r.urn: r for r in prior.resources} if prior else {},
            journal=private / "journal.jsonl" if mode == "up" else None,
            pass_through=self._env().get(SCAN_ENV) == "1",
            default_tags=parse_default_tags(self.spec.config.get("aws:defaultTags")),
        )
        run = _ProgramRun(applier, self.max_resources, self.spec.workdir)
        where = self.sandbox.sockets if self.sandbox is not None else private
        channel = HarnessEnd(where / f"worker-{os.urandom(4).hex()}.sock", run.handle)
        channel.start()
        emu.set_guard(self.spec.endpoint, True)  # no write but the harness's from now on
        refused: list[dict[str, str]] | None = None
        try:
            with tempfile.TemporaryDirectory(prefix="kata-worker-", dir=self._tmp_root()) as tmp:
                result = self._supervise(mode, Path(tmp), channel, run, prior, private)
        finally:
            channel.close()
            shutil.rmtree(private, ignore_errors=True)
            refused = emu.set_guard(self.spec.endpoint, False)
        if refused:
            result["error"] = out_of_band(refused)
        return result

    def _supervise(
        self,
        mode: str,
        tmpdir: Path,
        channel: HarnessEnd,
        run: _ProgramRun,
        prior: StackState | None,
        private: Path,
    ) -> dict[str, Any]:
        log_path = tmpdir / "output.log"
        journal = private / "journal.jsonl"
        request = {
            "mode": mode,
            "workdir": str(self.spec.workdir),
            "project": self.spec.project,
            "stack": self.spec.stack,
            "config": self.spec.config,
            "endpoint": self.spec.endpoint,
            "account_id": self.account_id,
            "channel": str(channel.path),
            "log": str(log_path),
            "sandboxed": self.sandbox is not None,
            "online": emu.is_up(self.spec.endpoint),  # may lookups ask the emulator yet?
            "warm_types": sorted(self._seen_types),
            "env": self._env(),  # a shared zygote forks this run with this run's env
        }
        (tmpdir / "request.json").write_text(json.dumps(request, default=str))
        if self.sandbox is not None:
            self.sandbox.give(tmpdir)
        try:
            self._execute(tmpdir / "request.json", log_path)
        except StageTimeout:
            channel.close()  # nothing more is applied for a program that is gone
            self._recover_from_journal(prior, journal)
            raise StageTimeout(
                f"the program did not finish {mode} within {self.spec.timeout_s:.0f} s",
                "look for a loop or a blocking call in the program",
            ) from None
        except BaseException:
            channel.close()
            self._recover_from_journal(prior, journal)
            raise
        channel.close()  # the worker is gone: every answer it waited for was given
        # The program can write here: never follow what it may have put in place.
        self.last_output = _read_output(log_path, tmpdir)
        if size_untrusted(log_path) >= limits.MAX_FILE_BYTES:
            self._recover_from_journal(prior, journal)
            raise OutputLimit(
                f"the program printed more than {limits.MAX_FILE_BYTES // 2**20} MB and was "
                "stopped",
                "print less: the harness keeps the first MB of what a program prints",
            )
        error = run.error or (channel.done or {}).get("error")
        if run.error is None and channel.done is None:
            self._recover_from_journal(prior, journal)
            tail = self.last_output.strip().splitlines()[-1:] or ["(no output)"]
            why = f"; {channel.broken}" if channel.broken else ""
            raise ProgramError(
                f"the program's process died before finishing ({tail[0]}{why})",
                "run the program with `python __main__.py` to see the full error",
            )
        if error is None and mode == "up":
            error = _delete_unregistered(run.applier, run.applier.prior)
        self._seen_types |= {r.type for r in run.applier.resources.values()}
        return {
            "error": error,
            "resources": [r.__dict__ for r in run.applier.resources.values()],
            "changes": [c.__dict__ for c in run.applier.changes],
            "outputs": run.exports,
        }

    def _execute(self, request_path: Path, log_path: Path) -> None:
        """Run one worker: forked from the warm zygote, or as a fresh process."""
        if self.sandbox is None and self.share_zygote and self._zygotes_allowed():
            with shared.borrowed(self._env()) as zygote:
                if zygote is not None:
                    try:
                        zygote.run(request_path, self.spec.timeout_s)
                    except BaseException:
                        shared.discard()  # its protocol may be mid-answer: start afresh
                        raise
                    return
        zygote = self._zygote_or_none()
        if zygote is not None:
            try:
                zygote.run(request_path, self.spec.timeout_s)
            except (StageTimeout, KeyboardInterrupt, ProcessLimit):
                if self.sandbox is not None:
                    self._stop_zygote()  # its PID namespace goes, and every process in it
                raise
            return
        prefix = []
        if self.sandbox is not None:
            prefix = self.sandbox.prefix(pid_namespace=True, workdir=self.spec.workdir)
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [*prefix, sys.executable, "-m", "harness.engines.local.worker", str(request_path)],
                cwd=self.spec.workdir,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=self.spec.timeout_s)
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid)
                proc.wait()
                raise StageTimeout("timeout") from None
            except BaseException:
                _kill_group(proc.pid)
                proc.wait()
                raise

    def _tmp_root(self) -> Path | None:
        """Where the program's files go: inside the sandbox, its only writable directory."""
        return self.sandbox.root if self.sandbox is not None else None

    def _env(self) -> dict[str, str]:
        if self._home is None:
            self._home = Path(tempfile.mkdtemp(prefix="kata-home-", dir=self._tmp_root()))
            if self.sandbox is not None:
                self.sandbox.give(self._home)
        tmp = self._tmp_root()
        return {
            **sandbox_env(self.spec.endpoint, self.region, self._home, tmp),
            "PYTHONPATH": _harness_path(),
        }

    @staticmethod
    def _zygotes_allowed() -> bool:
        return not os.environ.get("KATA_NO_ZYGOTE") and hasattr(os, "fork")

    def _zygote_or_none(self) -> Zygote | None:
        if not self._zygotes_allowed():
            return None
        if self._zygote is None or not self._zygote.alive():
            try:
                self._zygote = Zygote(self._env(), sandbox=self.sandbox, workdir=self.spec.workdir)
            except OSError:
                return None
        return self._zygote

    def _stop_zygote(self) -> None:
        if self._zygote is not None:
            self._zygote.kill()
            self._zygote = None

    def close(self) -> None:
        if self._zygote is not None:
            self._zygote.stop()
            self._zygote = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def _recover_from_journal(self, prior: StackState | None, journal: Path) -> None:
        """A killed worker leaves no result: rebuild state from its journal for teardown."""
        try:
            text = read_untrusted(journal, RESULT_LIMIT).decode(errors="replace")
        except OSError:
            return
        state = prior or StackState(project=self.spec.project, stack=self.spec.stack)
        resources = state.by_urn()
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the last line may be cut short by the kill
            res = ResourceState.from_dict(entry["resource"])
            if entry["event"] == "deleted":
                if resources.get(res.urn) and resources[res.urn].id == res.id:
                    resources.pop(res.urn)
            else:
                resources[res.urn] = res
        state.resources = list(resources.values())
        state.write(self.spec.state_file)

    def _raise(self, error: dict[str, Any]) -> None:
        cls = ERRORS_BY_KIND.get(error.get("kind", ""), ProgramError)
        raise cls(error["message"], error.get("hint", ""))

    def preview(self) -> Plan:
        result = self._run_worker("preview")
        if result.get("error"):
            self._raise(result["error"])
        resources = [ResourceState.from_dict(r) for r in result["resources"]]
        changes = [Change(**{**c, "op": Op(c["op"])}) for c in result["changes"]]
        prior = self.state()
        if prior:
            registered = {r.urn for r in resources}
            changes += [
                Change(r.urn, r.type, r.name, Op.DELETE)
                for r in prior.resources
                if r.urn not in registered
            ]
        return Plan(resources=resources, changes=changes, outputs=result.get("outputs", {}))

    def up(self, refresh: bool = False) -> StackState:
        if refresh:
            self._read_live(write=True)
        result = self._run_worker("up")
        state = StackState(
            project=self.spec.project,
            stack=self.spec.stack,
            resources=[ResourceState.from_dict(r) for r in result.get("resources", [])],
            outputs=result.get("outputs", {}),
            engine=self.name,
            endpoint=self.spec.endpoint,
        )
        # Written even on failure: teardown must find what was created before it.
        state.write(self.spec.state_file)
        self._state_copy = self.spec.state_file.read_bytes()
        if result.get("error"):
            self._raise(result["error"])
        return state

    # -- state-only operations -----------------------------------------------------

    def _applier(self, purge: bool = False) -> Applier:
        # One applier (and its boto3 clients, ~0.1 s each to build) per endpoint and mode.
        key = (self.spec.endpoint, purge)
        if key not in self._appliers:
            self._appliers[key] = Applier(
                endpoint=self.spec.endpoint,
                stack=self.spec.stack,
                default_region=self.region,
                account_id=self.account_id,
                purge=purge,
            )
        return self._appliers[key]

    def refresh(self, include_ignored: bool = False) -> list[Drift]:
        """What drifted; the state is left as it was (see ``up(refresh=True)``)."""
        return self._read_live(include_ignored=include_ignored)

    def _read_live(self, include_ignored: bool = False, write: bool = False) -> list[Drift]:
        """Read every resource; ``write`` stores what was read, as ``pulumi refresh`` does:
        live values replace the state's inputs (and the outputs that repeat them), and a
        resource deleted out of band leaves the state, so the next ``up`` recreates it.
        """
        state = self.state()
        if state is None:
            return []
        applier = self._applier()
        drifts: list[Drift] = []
        gone: set[str] = set()

        readable = [r for r in state.managed() if r.id]
        adapters = {r.urn: applier.adapter(r.type) for r in readable}

        def read(res: ResourceState) -> dict[str, Any] | None:
            ctx = applier.context(
                res.urn, res.region or self.region, f"{self.spec.stack}:{res.urn}"
            )
            try:
                return adapters[res.urn].read(ctx, res.id, res.inputs)
            except Exception as exc:
                raise ResourceRejected(
                    f"could not read {res.type} {res.name!r} during refresh: {describe(exc)}"
                ) from None

        # Adapters are thread-safe (up calls them from the SDK's threads): read in
        # parallel, a refresh is a few dozen round trips to the emulator.
        with ThreadPoolExecutor(max_workers=REFRESH_THREADS) as pool:
            lives = list(pool.map(read, readable))
        for res, live in zip(readable, lives, strict=True):
            adapter = adapters[res.urn]
            found = diff_live(res, live, adapter.unreadable, include_ignored=include_ignored)
            drifts += found
            if write and live is None:
                gone.add(res.urn)
            elif write and live is not None:
                for key in {d.property for d in diff_live(res, live, adapter.unreadable, True)}:
                    res.inputs[key] = live.get(key)
                    if key in res.outputs:
                        res.outputs[key] = live.get(key)
        if write:
            state.resources = [r for r in state.resources if r.urn not in gone]
            state.write(self.spec.state_file)
        return drifts

    def destroy(self, purge: bool = True) -> DestroyResult:
        state = self.state()
        result = DestroyResult()
        if state is None:
            return result
        applier = self._applier(purge=purge)
        kept: list[ResourceState] = []

        def refused(res: ResourceState, why: str) -> None:
            (result.protected if why == "protected" else result.retained).append(res.urn)
            if why == "protected":
                kept.append(res)

        result.deleted = applier.delete_resources(state.resources, refused)
        state.resources = kept
        state.outputs = {} if not kept else state.outputs
        state.write(self.spec.state_file)
        return result

    def state(self) -> StackState | None:
        """The state file; if it vanished (a program without the sandbox can delete it),
        the copy this engine last saw, so teardown still finds what was created."""
        path = self.spec.state_file
        if path.is_file():
            self._state_copy = path.read_bytes()
            return super().state()
        if self._state_copy is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self._state_copy)
            return super().state()
        return None

    def exists(self, res: ResourceState) -> bool:
        """Is the resource still in the emulator? (the leak check after destroy)"""
        applier = self._applier()
        ctx = applier.context(res.urn, res.region or self.region, f"{self.spec.stack}:{res.urn}")
        return applier.adapter(res.type).read(ctx, res.id, res.inputs) is not None


def _assets_in(value: Any, workdir: Path | None) -> Any:
    """Inputs with each asset's relative path made absolute under the program's directory.

    Pulumi resolves ``FileArchive("./assets/x")`` against the program's directory; the
    harness applies from its own working directory, so it resolves them the same way.
    """
    if workdir is None:
        return value
    if isinstance(value, dict):
        out = {k: _assets_in(v, workdir) for k, v in value.items()}
        path = out.get("__asset_path")
        if isinstance(path, str):
            out["__asset_path"] = confine_asset(path, workdir)
        return out
    if isinstance(value, list):
        return [_assets_in(v, workdir) for v in value]
    return value


def confine_asset(path: str, workdir: Path) -> str:
    """The absolute path of an asset, which must be the program's own file.

    The harness reads assets (a Lambda's code) outside the sandbox: an absolute path, a
    ``..`` or a symlink in the program's directory would have it read a host file
    (``~/.aws/credentials``) into the emulator, where the program could read it back.
    """
    root = os.path.realpath(workdir)
    full = os.path.normpath(os.path.join(root, path))
    inside = full == root or full.startswith(root + os.sep)
    links = os.path.realpath(full) != full or any(
        os.path.islink(os.path.join(top, name))
        for top, dirs, files in os.walk(full)
        for name in dirs + files
    )
    if not inside or links:
        raise ProgramError(
            f"asset {path!r} is outside the program's directory or passes through a link",
            "ship the asset's files in the program's directory, as regular files",
        )
    return full


class _ProgramRun:
    """The harness's side of one program run: applies what the worker forwards."""

    def __init__(self, applier: Applier, max_resources: int, workdir: Path | None = None) -> None:
        self.applier = applier
        self.max_resources = max_resources
        self.workdir = workdir
        self.exports: dict[str, Any] = {}
        self.error: dict[str, Any] | None = None  # the harness's own verdict, if it has one
        self._count = 0
        self._lock = threading.Lock()

    def handle(self, op: str, message: dict[str, Any]) -> dict[str, Any]:
        if op == "outputs":
            outputs = message.get("outputs")
            self.exports = outputs if isinstance(outputs, dict) else {}
            return {"ok": None}
        if op != "register":
            return {"error": {"kind": "program", "message": f"unknown request {op!r}"}}
        reg = Registration(**message["reg"])
        if self._over_limit(reg):
            return {"stop": True, "error": self.error}
        try:
            inputs = _assets_in(message.get("inputs") or {}, self.workdir)
            id_, outputs = self.applier.register(reg, inputs)
        except ResourceFailure as failure:
            err = rejected(failure)
            return {"error": {"kind": err.kind, "message": err.message, "hint": err.hint}}
        except HarnessError as err:
            return {"error": {"kind": err.kind, "message": err.message, "hint": err.hint}}
        return {"ok": [id_, outputs]}

    def _over_limit(self, reg: Registration) -> bool:
        if not self.max_resources or not reg.custom or reg.type.startswith("pulumi:"):
            return self.error is not None and self.error["kind"] == "resource-limit"
        with self._lock:
            self._count += 1
            if self._count > self.max_resources and self.error is None:
                self.error = {
                    "kind": "resource-limit",
                    "message": f"the program declared more than {self.max_resources} "
                    "resources; the harness stopped it there",
                    "hint": "a kata needs a few dozen resources: look for a loop that creates them",
                }
            return self._count > self.max_resources


def out_of_band(refused: list[dict[str, str]]) -> dict[str, str]:
    """The run's failure when the program wrote to the emulator itself (guard.py)."""
    named = [
        " ".join(
            part
            for part in (
                w.get("service"),
                w.get("action"),
                repr(w["name"]) if w.get("name") else "",
            )
            if part
        )
        + (f" in {w['region']}" if w.get("region") else "")
        for w in refused[:5]
    ]
    more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
    return {
        "kind": "out-of-band",
        "message": "the program changed the emulator outside its Pulumi resources (refused): "
        + "; ".join(named)
        + more,
        "hint": "declare every resource in the program: only what Pulumi registers is graded",
    }


def _delete_unregistered(applier: Applier, prior: dict[str, ResourceState]) -> dict | None:
    gone = [r for urn, r in prior.items() if urn not in applier.resources]
    if not gone:
        return None
    refused: list[str] = []

    def keep(res: ResourceState, why: str) -> None:
        if why == "protected":
            refused.append(res.name)
            applier.resources[res.urn] = res  # still ours: stays in state

    try:
        applier.delete_resources(gone, keep)
    except HarnessError as err:
        return {"kind": err.kind, "message": err.message, "hint": err.hint}
    for res in gone:
        if res.name not in refused:
            applier.changes.append(Change(res.urn, res.type, res.name, Op.DELETE))
    if refused:
        return {
            "kind": "protected",
            "message": f"cannot delete protected resources removed from the program: {refused}",
            "hint": "unprotect them first (protect=False) or restore them in the program",
        }
    return None


def leftovers(
    resources: list[ResourceState], endpoint: str, default_region: str
) -> tuple[list[ResourceState], list[ResourceState]]:
    """Which of these resources still exist in the emulator? (leaked, not checkable)"""
    from harness.adapters import REGISTRY

    applier = Applier(
        endpoint=endpoint, stack="leak-check", default_region=default_region, account_id=""
    )
    leaked, unverified = [], []
    for res in resources:
        adapter = REGISTRY.get(res.type)
        if not res.id:
            continue
        if adapter is None:
            unverified.append(res)
            continue
        ctx = applier.context(res.urn, res.region or default_region, res.urn)
        if adapter.read(ctx, res.id, res.inputs) is not None:
            leaked.append(res)
    return leaked, unverified


def diff_live(
    res: ResourceState,
    live: dict[str, Any] | None,
    unreadable: frozenset[str],
    include_ignored: bool = False,
) -> list[Drift]:
    if live is None:
        return [Drift(res.urn, res.type, res.name, "", "deleted", expected=res.id)]
    from harness.engines.local.applier import changed_keys

    ignored = {k.split(".")[0].split("[")[0] for k in res.ignore_changes}
    skip = list(unreadable) + ([] if include_ignored else list(ignored))
    return [
        Drift(
            res.urn,
            res.type,
            res.name,
            key,
            "changed",
            res.inputs.get(key),
            live.get(key),
            ignored=key in ignored,
        )
        for key in sorted(changed_keys(res.inputs, live, skip))
    ]


def _read_output(log_path: Path, tmpdir: Path) -> str:
    try:
        return read_untrusted(log_path, OUTPUT_LIMIT, tmpdir).decode(errors="replace")
    except UnsafeFile:
        return "(the program replaced its output log with a link or a special file: not read)"
    except OSError:
        return ""


def _server_env(env: dict[str, str]) -> dict[str, str]:
    """A fork server's own environment: a run's, without what belongs to that run (each
    child is given its run's whole environment with its request)."""
    return {k: v for k, v in env.items() if k not in ("HOME", "TMPDIR", "AWS_ENDPOINT_URL")}


def _harness_path() -> str:
    """The worker imports the harness from this checkout, not from the program dir."""
    return str(Path(__file__).resolve().parents[3])


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class Zygote:
    """Client side of zygote.py: one warm process that forks a worker per request."""

    def __init__(
        self,
        env: dict[str, str],
        prefix: list[str] | None = None,
        sandbox: Sandbox | None = None,
        workdir: Path | None = None,
    ) -> None:
        # In a PID namespace the pids the zygote reports are the namespace's own: never
        # signal them from out here (the caller kills the whole zygote instead).
        self.in_namespace = bool(prefix) or sandbox is not None
        server = forkserver.server("zygote", _server_env(env)) if sandbox is not None else None
        if server is not None:
            # A roster worker's warm fork server enters the sandbox for us: the same
            # namespaces and PID 1 as the prefix gives, without importing the SDK again.
            self.proc: Any = server.spawn(
                sandbox.pid,  # type: ignore[union-attr]
                env,
                workdir=str(workdir) if workdir else None,
            )
        else:
            if sandbox is not None:
                prefix = sandbox.prefix(pid_namespace=True)
            self.proc = subprocess.Popen(
                [*(prefix or []), sys.executable, "-m", "harness.engines.local.zygote"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,
            )
        if self._readline(60) != "ready":
            self.stop()
            raise OSError("zygote did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _readline(self, timeout: float) -> str | None:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        return self.proc.stdout.readline().strip()

    def run(self, request_path: Path, timeout: float) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{request_path}\n")
        self.proc.stdin.flush()
        # Before it forks, the zygote imports the pulumi_aws modules the program uses
        # (seconds for a program touching many services, more on a loaded machine):
        # part of the run's work, so bounded by the run's limit, not a start-up one.
        started = self._readline(timeout) or ""
        if not started.startswith("pid "):
            self.stop()
            raise ProgramError("the program worker could not be started", "try again")
        pid = int(started.split()[1])
        try:
            ended = self._readline(timeout)
            if ended is None:
                if not self.in_namespace:
                    _kill_group(pid)
                    self._readline(10)  # the zygote reaps it and reports the exit
                raise StageTimeout("timeout")
        except KeyboardInterrupt:
            if not self.in_namespace:
                _kill_group(pid)
            raise
        if ended.endswith(" processes"):
            raise ProcessLimit(
                f"the program started more than {limits.MAX_PROCESSES} processes and was "
                "stopped, with every process it started",
                "a Pulumi program needs no processes of its own: remove the fork/subprocess",
            )

    def kill(self) -> None:
        """Kill the zygote now: as PID 1 of its namespace it takes every process in it."""
        _kill_group(self.proc.pid)
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


__all__ = ["LocalEngine"]
