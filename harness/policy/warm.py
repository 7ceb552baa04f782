"""A checkov process started early, so its imports overlap synth instead of following it."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from harness.policy.toolenv import tool_python

BOOT = Path(__file__).with_name("_checkov_boot.py")


class WarmCheckov:
    """Starts (in a thread: the first run installs the tool venv) and waits for one scan."""

    def __init__(self) -> None:
        from harness.policy.scan import _tool_env  # scan imports this module

        self.home = Path(tempfile.mkdtemp(prefix="kata-checkov-home-"))
        self._env = _tool_env(self.home)
        self._proc: subprocess.Popen[bytes] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._spawn, name="checkov-warm", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        try:
            python = tool_python("checkov")
            self._proc = subprocess.Popen(
                [str(python), "-P", str(BOOT)],
                env=self._env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except BaseException as exc:  # the scan then falls back to a cold start
            self._error = exc

    def take(self, argv: list[str], cwd: Path) -> subprocess.Popen[bytes] | None:
        """Hand the warm process its scan; None if it could not start (use a cold one)."""
        self._thread.join()
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None or proc.stdin is None:
            return None
        try:
            proc.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd)}).encode() + b"\n")
            proc.stdin.close()
            proc.stdin = None  # communicate() would flush the closed pipe otherwise
        except OSError:
            proc.kill()
            proc.wait()
            return None
        return proc

    def close(self) -> None:
        """Stop an unused warm process and remove its home (idempotent)."""
        self._thread.join()
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                if proc.stdin:
                    proc.stdin.close()  # an empty request: it exits by itself
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)
