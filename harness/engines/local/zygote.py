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
import os
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

    from harness.engines.local import worker
    from harness.sandbox import limits

    init = os.getpid() == 1  # PID 1 of the sandbox's PID namespace
    print("ready", flush=True)
    for line in sys.stdin:
        request_path = line.strip()
        if not request_path:
            continue
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
