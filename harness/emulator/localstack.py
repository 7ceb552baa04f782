"""LocalStack, embedded: ``--emulator localstack`` without Docker.

``localstack-core`` runs on the host as a plain Python process (verified with 2026.3.0),
but it needs Python >= 3.12 while the harness may run on 3.11, so it lives in a tool venv
of its own under ``.tools/`` (``localstack/requirements.txt``), built with an interpreter
found here. Each run gets a free loopback port, fresh state in a volume directory of its
own, and is stopped with everything it started (its own session, killed as a group).

It runs beside the run's sandbox, not inside it: the sandbox covers ``/root`` and
``/home``, where the >= 3.12 interpreters live (pyenv, uv), and keeps only the harness's
own interpreter. The program reaches it through the sandbox's inward bridge, as it does an
``--endpoint`` (harness.runner.open_sandbox), and the report says so.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness.emulator import Emulator, free_port
from harness.errors import EmulatorError

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO_ROOT / "localstack" / "requirements.txt"
MIN_PYTHON = (3, 12)
# Measured here: 2-12 s when idle, about 25 s with other runs competing for two cores.
START_TIMEOUT_S = 120.0
HEALTH_PATH = "/_localstack/health"
ACCOUNT_ID = "000000000000"  # LocalStack's default account


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=20, check=False,
        ).stdout.split()  # fmt: skip
        return (int(out[0]), int(out[1])) if len(out) == 2 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def _candidates() -> list[str]:
    """Interpreters to try, most explicit first: $KATA_LOCALSTACK_PYTHON, uv, pyenv, PATH."""
    found: list[str] = []
    if os.environ.get("KATA_LOCALSTACK_PYTHON"):
        found.append(os.environ["KATA_LOCALSTACK_PYTHON"])
    uv = shutil.which("uv")
    if uv:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            proc = subprocess.run(
                [uv, "python", "find", "--no-python-downloads", ">=3.12"],
                capture_output=True, text=True, timeout=20, check=False,
            )  # fmt: skip
            if proc.returncode == 0 and proc.stdout.strip():
                found.append(proc.stdout.strip())
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found += sorted(glob.glob(f"{root}/versions/3.1[2-9]*/bin/python3"), reverse=True)
    found += [p for p in (shutil.which(n) for n in ("python3.13", "python3.12")) if p]
    found += [p for p in (shutil.which("python3"),) if p]
    return found


def find_interpreter() -> tuple[str, tuple[int, int]]:
    """A Python >= 3.12 on this machine, or one line saying what to install (exit 2)."""
    for python in _candidates():
        version = _version_of(python)
        if version and version >= MIN_PYTHON:
            return os.path.realpath(python), version
    raise EmulatorError(
        "LocalStack needs Python >= 3.12 and none was found (uv python find, pyenv, "
        "python3.13, python3.12)",
        "install one (e.g. `pyenv install 3.12`) or set KATA_LOCALSTACK_PYTHON to its path",
    )


def tool_python() -> Path:
    """The LocalStack tool venv's Python, installed on first use (one time, about 30 s)."""
    from harness.policy import toolenv

    interpreter, version = find_interpreter()
    return toolenv.tool_python("localstack-core", REQUIREMENTS, interpreter, version)


def health(endpoint: str, timeout: float = 3.0) -> dict | None:
    """LocalStack's own account of its services, or None when it does not answer so."""
    try:
        with urllib.request.urlopen(f"{endpoint}{HEALTH_PATH}", timeout=timeout) as r:
            body = json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return body if isinstance(body, dict) and isinstance(body.get("services"), dict) else None


class LocalStack(Emulator):
    """An embedded LocalStack process: stopping it removes its state and its files."""

    scratch: Path | None = None

    def stop(self) -> None:
        proc, self._process = self._process, None
        if proc is not None:
            # SIGTERM costs 3 s or more (its shutdown hooks) and there is no state to
            # save: the whole session is ours, so it is killed at once.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def start(port: int | None = None) -> LocalStack:
    """Start LocalStack on a free loopback port with fresh state; wait for its health."""
    python = tool_python()
    port = port or free_port()
    scratch = Path(tempfile.mkdtemp(prefix="kata-localstack-"))
    (scratch / "volume").mkdir()
    (scratch / "tmp").mkdir()
    agents = {"SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "DBUS_SESSION_BUS_ADDRESS"}
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "LOCALSTACK_", "PYTHON")) and k not in agents
    }
    env.update(
        GATEWAY_LISTEN=f"127.0.0.1:{port}",
        LOCALSTACK_VOLUME_DIR=str(scratch / "volume"),
        TMPDIR=str(scratch / "tmp"),
        PERSISTENCE="0",
        DISABLE_EVENTS="1",  # no analytics sent anywhere
        SKIP_SSL_CERT_DOWNLOAD="1",
    )
    log = open(scratch / "localstack.log", "w")  # noqa: SIM115 (closed below)
    try:
        proc = subprocess.Popen(
            [str(python), "-m", "localstack.runtime.main"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            cwd=scratch, start_new_session=True,
        )  # fmt: skip
    finally:
        log.close()
    emulator = LocalStack(endpoint=f"http://127.0.0.1:{port}", kind="localstack", _process=proc)
    emulator.scratch = scratch
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if health(emulator.endpoint, timeout=2) is not None:
            return emulator
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    lines = (scratch / "localstack.log").read_text(errors="replace").strip().splitlines()
    emulator.stop()
    why = lines[-1] if lines else "no output"
    if proc.returncode is None or proc.returncode < 0:
        why = f"no answer at {HEALTH_PATH} within {START_TIMEOUT_S:.0f} s"
    raise EmulatorError(
        f"embedded LocalStack did not start on 127.0.0.1:{port}: {why}",
        "run again; if it persists, delete .tools/localstack-core-* to reinstall it",
    )
