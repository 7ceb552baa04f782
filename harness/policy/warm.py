"""checkov kept warm: one server per harness process forks a child for every scan.

Importing checkov costs ~3 s of CPU of a ~4 s scan. The first run of a process starts
the server (harness/policy/_checkov_boot.py) at the start of the run, so the import
overlaps synth and deploy; every later run of the same process (``kata verify``, the
test suite, a roster, ``kata watch``) forks its scan from the already-imported server
and pays only the scan. Each scan is its own child process with its own cwd and
output files, so scans share no state; the harness can kill one like any process.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from harness.policy.toolenv import tool_python

BOOT = Path(__file__).with_name("_checkov_boot.py")


class ForkedScan:
    """One scan forked by the server; the part of ``subprocess.Popen`` the scan uses."""

    def __init__(self, request_id: int, out: Path, err: Path) -> None:
        self._id = request_id
        self._out, self._err = out, err
        self.pid: int | None = None
        self.returncode: int | None = None
        self._done = threading.Event()

    # Called by the server's reader thread.
    def _started(self, pid: int) -> None:
        self.pid = pid

    def _ended(self, code: int) -> None:
        self.returncode = code
        self._done.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired("checkov", timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[bytes, bytes]:
        self.wait(timeout)
        return _read(self._out), _read(self._err)

    def kill(self) -> None:
        if self.pid is not None and self.returncode is None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)  # the child leads its own group


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


class _Server:
    """The warm checkov process and the reader of its answers."""

    def __init__(self) -> None:
        from harness.policy.scan import _tool_env  # scan imports this module

        self.home = Path(tempfile.mkdtemp(prefix="kata-checkov-home-"))
        self._proc = subprocess.Popen(
            [str(tool_python("checkov")), "-P", str(BOOT)],
            env=_tool_env(self.home),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._ids = itertools.count(1)
        self._scans: dict[int, ForkedScan] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, name="checkov-server", daemon=True).start()

    def alive(self) -> bool:
        return self._proc.poll() is None

    def submit(self, argv: list[str], cwd: Path) -> ForkedScan | None:
        """Fork a scan with ``cwd``; None when the server no longer listens."""
        # Its output goes beside its report, in the run's policy directory (cwd).
        out, err = cwd / "checkov.stdout", cwd / "checkov.stderr"
        with self._lock:
            request_id = next(self._ids)
            scan = ForkedScan(request_id, out, err)
            self._scans[request_id] = scan
            request = {
                "id": request_id,
                "argv": argv,
                "cwd": str(cwd),
                "stdout": str(out),
                "stderr": str(err),
            }
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write(json.dumps(request).encode() + b"\n")
                self._proc.stdin.flush()
            except (OSError, ValueError):
                self._scans.pop(request_id, None)
                return None
        return scan

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                scan = self._scans.get(message.get("id"))
                if scan is not None and "exit" in message:
                    self._scans.pop(message["id"], None)
            if scan is None:
                continue
            if "pid" in message:
                scan._started(int(message["pid"]))
            elif "exit" in message:
                scan._ended(int(message["exit"]))
        # The server is gone: whatever it had not answered will never end by itself.
        with self._lock:
            orphans, self._scans = list(self._scans.values()), {}
        for scan in orphans:
            scan._ended(-signal.SIGKILL)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self._proc.stdin:
                self._proc.stdin.close()  # it kills what it still runs and exits
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


_server: _Server | None = None
_server_lock = threading.Lock()


def _shared_server() -> _Server:
    global _server
    with _server_lock:
        if _server is None or not _server.alive():
            _server = _Server()
            atexit.register(_server.close)
        return _server


class WarmCheckov:
    """A run's handle on the warm server: starting it early overlaps its import with
    synth; ``take`` hands it the scan. The server outlives the run, for the next one."""

    def __init__(self) -> None:
        self._server: _Server | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._spawn, name="checkov-warm", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        try:  # the first run of a process may install the tool venv here
            self._server = _shared_server()
        except BaseException as exc:  # the scan then falls back to a cold start
            self._error = exc

    def take(self, argv: list[str], cwd: Path) -> ForkedScan | None:
        """Hand the server its scan; None if it could not start (use a cold process)."""
        self._thread.join()
        if self._server is None or not self._server.alive():
            return None
        return self._server.submit(argv, cwd)

    def close(self) -> None:
        """Nothing of the run's is left to stop: its scan ended or was killed."""
        self._thread.join()
