"""Pinned policy tools (checkov, cfn-lint) in their own virtualenv.

checkov pins boto3 1.35, packaging<24 and networkx<2.7, which the harness's own
dependencies (boto3 1.44, moto) cannot share, so the tools live in a venv of their
own under ``<repo>/.tools/`` (``KATA_TOOLS_DIR`` moves it), keyed by a hash of
``policies/requirements.txt`` and the Python version: bumping a pin builds a new
venv instead of mutating one a concurrent run is using.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from harness.errors import ToolError

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO_ROOT / "policies" / "requirements.txt"
READY = ".kata-ready"  # written last: a venv without it is a half-finished install
INSTALL_TIMEOUT_S = 900


def tools_dir() -> Path:
    return Path(os.environ.get("KATA_TOOLS_DIR") or REPO_ROOT / ".tools")


def tool_python(
    name: str = "checkov",
    requirements: Path = REQUIREMENTS,
    interpreter: str = sys.executable,
    version: tuple[int, int] = sys.version_info[:2],
) -> Path:
    """The Python of the tool venv holding ``name``, installing it on first use.

    ``interpreter`` builds the venv (LocalStack needs a newer Python than the harness);
    its ``version`` is part of the key, so another interpreter gets another venv.
    """
    try:
        reqs = requirements.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {requirements}: {exc.strerror}") from None
    key = hashlib.sha256(reqs + f"{tuple(version)}".encode()).hexdigest()[:12]
    root = tools_dir()
    venv = root / f"{name}-{key}"
    python = venv / "bin" / "python"
    if (venv / READY).is_file():
        return python
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / f"{name}-{key}.lock", "w")  # noqa: SIM115 (held across the install)
    except OSError as exc:
        raise ToolError(f"cannot create the tools directory {root}: {exc.strerror}") from None
    with lock:
        # Whoever waited on the lock may find the other run finished the install.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / READY).is_file():
            _install(name, venv, requirements, reqs.decode(), interpreter)
    return python


def _install(name: str, venv: Path, requirements: Path, reqs: str, interpreter: str) -> None:
    pin = re.search(rf"^{re.escape(name)}==(\S+)", reqs, re.MULTILINE)
    version = f" {pin.group(1)}" if pin else ""
    shown = _shown(venv)
    print(f"installing {name}{version} into {shown} (one time)", file=sys.stderr, flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    python = venv / "bin" / "python"
    uv = shutil.which("uv")
    if uv:
        # The harness sets PYTHONDONTWRITEBYTECODE, so without precompiled bytecode
        # every checkov run would recompile ~8000 modules (5.5 s instead of 3.3 s).
        steps = [
            [uv, "venv", "--quiet", "--python", interpreter, str(venv)],
            [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python),
             "-r", str(requirements)],
        ]  # fmt: skip
    else:
        steps = [
            [interpreter, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(requirements)],
        ]  # fmt: skip
    for cmd in steps:
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            raise ToolError(
                f"installing {name} into {shown} took over {INSTALL_TIMEOUT_S} s",
                "check access to the package index, then run again",
            ) from None
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            cause = lines[-1] if lines else f"exit code {proc.returncode}"
            raise ToolError(
                f"installing {name} into {shown} failed: {cause}",
                f"see {requirements.name}; delete {shown} and run again",
            )
    (venv / READY).write_text(reqs)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
