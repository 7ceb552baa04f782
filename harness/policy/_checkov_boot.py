"""Runs inside the checkov tool venv: import checkov once, then fork one child per scan.

Importing checkov is ~3 s of CPU of its ~4 s run. The harness starts this server once
per harness process (harness.policy.warm) and sends it one line of JSON per scan:
``{"id": n, "argv": [...], "cwd": "...", "stdout": path, "stderr": path}``. For each,
it forks a child that runs the scan with that cwd and output files, and answers
``{"id": n, "pid": p}`` at once and ``{"id": n, "exit": code}`` when the child ends.
A child starts from the warm, never-used import state, so scans share nothing.
The server exits when its stdin closes (the harness ended); children it started are
killed with it.
"""

import contextlib
import gc
import json
import os
import signal
import sys
import threading

import checkov.main  # the point of the server: imported before any fork

gc.freeze()  # every scan's collector skips what the server imported

_lock = threading.Lock()
_children: dict[int, int] = {}  # pid -> request id


def _answer(message: dict) -> None:
    with _lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def _reap() -> None:
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            threading.Event().wait(0.05)
            continue
        with _lock:
            request_id = _children.pop(pid, None)
        if request_id is not None:
            _answer({"id": request_id, "exit": os.waitstatus_to_exitcode(status)})


def _scan(request: dict) -> None:
    """In the child: the scan, with its own cwd and output files; never returns."""
    code = 1
    try:
        os.setsid()  # its own group, so the harness can kill it whole
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, fd)
            os.close(out)
        sys.stdout = os.fdopen(1, "w", closefd=False)
        sys.stderr = os.fdopen(2, "w", closefd=False)
        os.chdir(request["cwd"])
        code = checkov.main.Checkov(argv=request["argv"]).run() or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # report it like a crashed checkov would
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    threading.Thread(target=_reap, daemon=True).start()
    for line in sys.stdin:
        request = json.loads(line)
        with _lock:  # registered before the reaper can see it end
            pid = os.fork()
            if pid == 0:
                _scan(request)
            _children[pid] = request["id"]
        _answer({"id": request["id"], "pid": pid})
    with _lock:
        for pid in list(_children):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
