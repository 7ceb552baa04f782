"""A pre-warmed worker: imports the Pulumi SDK once, then forks one child per program run.

Importing pulumi and boto3 costs about a second; a kata run executes the program
three times (synth, deploy, converge). The zygote pays that once. It is started
with the same scrubbed environment as a plain worker and holds no state between
runs: every run is a fresh fork, in its own session so a timeout can kill it whole.

Protocol on stdin/stdout, one line each: we read ``<request.json path>``, write
``pid <n>``, then ``exit <status>`` when the child is done.
"""

from __future__ import annotations

import os
import sys


def serve() -> None:
    # Warm the expensive imports before the first fork.
    import boto3  # noqa: F401
    import pulumi
    import pulumi.runtime.mocks  # noqa: F401

    from harness.engines.local import worker

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
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


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
