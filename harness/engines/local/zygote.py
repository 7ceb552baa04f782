"""A pre-warmed worker: imports the Pulumi SDK once, then forks one child per program run.

Importing pulumi and boto3 costs about a second; a kata run executes the program
three times (synth, deploy, converge). The zygote pays that once. It is started
with the same scrubbed environment as a plain worker and holds no state between
runs: every run is a fresh fork, in its own session so a timeout can kill it whole.

Inside a run's sandbox the zygote is PID 1 of a PID namespace of its own (see
harness.sandbox). It then also watches the run: more than ``limits.MAX_PROCESSES``
processes in the namespace end the run at once, and after every run it kills whatever
the program left behind, so no process of the candidate outlives its program run.
Limits that the child puts on itself come after the fork: the zygote is not bound by them.

Protocol on stdin/stdout, one line each: we read ``<request.json path>``, write
``pid <n>``, then ``exit <status>`` (``exit <status> processes`` when the process limit
stopped it) when the child is done.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import select
import signal
import sys
import time

WATCH_INTERVAL_S = 0.02


def serve() -> None:
    # Warm the expensive imports before the first fork.
    import boto3  # noqa: F401
    import pulumi
    import pulumi.runtime.mocks  # noqa: F401

    with contextlib.suppress(ImportError):
        import pulumi_aws  # noqa: F401  # 1-2 s; its service modules are warmed as used

    from harness.engines.local import worker
    from harness.sandbox import limits

    init = os.getpid() == 1  # PID 1 of the sandbox's PID namespace
    if init:  # its /proc is new: make its sysctls read-only as the keeper did its own
        limits.readonly_proc_sys()
    print("ready", flush=True)
    for line in sys.stdin:
        request_path = line.strip()
        if not request_path:
            continue
        with contextlib.suppress(Exception):  # warming is best effort, never fatal
            _warm_source_of(request_path)
            _warm_types_of(request_path)
        # The SDK's modules live as long as the zygote: the program's collector need not
        # scan them (nor touch, and so copy, their pages).
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # child: become the worker for this one request
            os.setsid()
            _child(request_path, worker)
        print(f"pid {pid}", flush=True)
        if init:
            status, reason = _watch(pid, limits.MAX_PROCESSES)
        else:
            _, raw = os.waitpid(pid, 0)
            status, reason = os.waitstatus_to_exitcode(raw), ""
        print(f"exit {status} {reason}".rstrip(), flush=True)


def _count_processes() -> int:
    # Our own /proc (mounted for this PID namespace) lists exactly the run's processes.
    return sum(1 for name in os.listdir("/proc") if name.isdigit())


def _watch(pid: int, max_processes: int) -> tuple[int, str]:
    """Wait for the child; stop everything if the namespace holds too many processes."""
    reason = ""
    status = None
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        pidfd = None
    while status is None:
        if pidfd is not None:
            select.select([pidfd], [], [], WATCH_INTERVAL_S)
        else:
            time.sleep(WATCH_INTERVAL_S)
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
        elif _count_processes() > max_processes + 1:  # + 1: ourselves
            reason = "processes"
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
            _, raw = os.waitpid(pid, 0)
            status = os.waitstatus_to_exitcode(raw)
    if pidfd is not None:
        os.close(pidfd)
    _kill_all()  # whatever the program left running (a daemon, a fork) goes with it
    return status, reason


def _kill_all() -> None:
    """As PID 1: SIGKILL every other process of the namespace, then reap them."""
    for _ in range(50):
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)  # from PID 1: everyone in the namespace but us
        while True:
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return  # no children left at all
            if not done:
                break
        if _count_processes() <= 1:
            _reap()
            return
        time.sleep(0.005)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


# pulumi_aws loads a service module (all its classes) on first use: 0.5-4 s each (ec2 is
# the largest), paid again by every forked run if the zygote has not. A kata runs its
# program three to five times (synth, deploy, the checks' redeploys, converge), so the
# zygote loads what the program uses before forking: the classes its source names
# (best effort, before the first run) and the types earlier runs registered (exact).
_WARMED: set[str] = set()
_USE = re.compile(r"\b([a-z][a-z0-9_]*)\.([A-Z][A-Za-z0-9]*)\b")  # ec2.SecurityGroup


def _warm_source_of(request_path: str) -> None:
    """Before a program's first run: load the pulumi_aws classes its source names."""
    import json

    try:
        with open(request_path) as f:
            workdir = json.load(f)["workdir"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    warm_workdir(workdir)


def warm_workdir(workdir: str) -> None:
    """Load the pulumi_aws classes the program's sources name (once per directory).
    Also called by a roster worker's fork server before it forks a grade's zygote, so
    the modules are imported once per worker, not once per grade; it reads the files
    without following links (it runs outside the sandbox)."""
    from pathlib import Path

    from harness.sandbox.files import read_untrusted

    if workdir in _WARMED:
        return
    _WARMED.add(workdir)
    pairs = set()
    with contextlib.suppress(OSError):
        for path in sorted(os.listdir(workdir))[:50]:
            if path.endswith(".py"):
                # Bytes, decoded leniently: a stray byte must not end the warm process.
                with contextlib.suppress(OSError):
                    text = read_untrusted(Path(workdir) / path, 1_000_000)
                    pairs |= set(_USE.findall(text.decode(errors="replace")))
    _load(pairs)


def _load(pairs: set[tuple[str, str]]) -> None:
    import importlib

    for module, cls in sorted(pairs):
        for name in (f"pulumi_aws.{module}", f"pulumi_aws.{module}_"):  # lambda -> lambda_
            try:
                getattr(importlib.import_module(name), cls)
                break
            except Exception:
                continue


def _warm_types_of(request_path: str) -> None:
    """Load the pulumi_aws classes of every type earlier runs registered (the harness,
    which applied them, lists them in the request)."""
    import json

    try:
        with open(request_path) as f:
            types = list(json.load(f).get("warm_types", []))
    except (OSError, ValueError, AttributeError, TypeError):
        return
    pairs = set()
    for token in {str(t) for t in types}:
        parts = token.split(":")  # aws:ec2/securityGroup:SecurityGroup
        if len(parts) == 3 and parts[0] == "aws":
            pairs.add((parts[1].split("/")[0], parts[2]))
    _load(pairs)


def _child(request_path: str, worker: object) -> None:
    import json

    with open(request_path) as f:
        request = json.load(f)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.chdir(request["workdir"])
    # A zygote shared by a process's runs (harness.engines.local.shared) serves each
    # with that run's own environment (HOME, TMPDIR, region): the one a fresh worker
    # would have been started with.
    if isinstance(request.get("env"), dict):
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    # The zygote may predate the emulator (it warms up during synth): point the
    # program at the endpoint of this run, as a fresh worker's environment would.
    os.environ["AWS_ENDPOINT_URL"] = request["endpoint"]
    sys.argv = ["worker", request_path]
    try:
        worker.main()  # type: ignore[attr-defined]  # ends with os._exit
    finally:
        os._exit(70)


if __name__ == "__main__":
    serve()
    # Skip the interpreter's final collection of the warm SDK (seconds, for nothing).
    sys.stdout.flush()
    os._exit(0)
