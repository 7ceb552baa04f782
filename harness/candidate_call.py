"""Call a function of a candidate's Python module (not a Pulumi program: e.g. a kata's
``drift.py``) from a check, without running candidate code in the harness process.

Each call is a fresh ``python -I`` process in the program's directory, with the same
scrubbed environment a program run gets (and inside the run's sandbox when there is
one): JSON in on stdin, JSON out. What the function prints goes to the check's
failure message, not into the result.

    results = call_each(program_dir, "drift", "classify", [report_a, report_b])

Several payloads share one process (about 50 ms to start), one result per payload in
order. A function that raises, returns something that is not JSON, or runs past the
time limit is a ``CandidateError`` naming the module, the function and the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness.errors import ProgramError

TIMEOUT_S = 20.0
_RUNNER = r"""
import importlib, json, os, sys, traceback
out = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # the function's prints go to stderr
sys.path.insert(0, os.getcwd())
module, function = sys.argv[1], sys.argv[2]
try:
    fn = getattr(importlib.import_module(module), function)
    results = [fn(payload) for payload in json.load(sys.stdin)]
    text = json.dumps(results)
except BaseException:
    tb = traceback.extract_tb(sys.exc_info()[2])
    where = next((f"{os.path.basename(f.filename)}:{f.lineno}" for f in reversed(tb)
                  if f.filename.startswith(os.getcwd())), "")
    err = traceback.format_exception_only(*sys.exc_info()[:2])[-1].strip()
    out.write(json.dumps({"error": err, "where": where}))
    sys.exit(3)
out.write(json.dumps({"results": results}))
"""


class CandidateError(ProgramError):
    """The candidate's function failed; the message says where and why."""


def call_each(
    program_dir: Path,
    module: str,
    function: str,
    payloads: list[Any],
    timeout_s: float = TIMEOUT_S,
    sandbox: Any = None,
) -> list[Any]:
    from harness.engines.local import sandbox_env

    what = f"{module}.{function}()"
    prefix = (
        sandbox.prefix(pid_namespace=True, workdir=program_dir, confined=True) if sandbox else []
    )
    with tempfile.TemporaryDirectory(prefix="kata-call-") as home:
        env = sandbox_env("http://127.0.0.1:1", "us-east-1", Path(home))
        env.pop("AWS_ENDPOINT_URL")  # a classifier has no business calling AWS
        try:
            proc = subprocess.run(
                [*prefix, sys.executable, "-I", "-c", _RUNNER, module, function],
                cwd=program_dir,
                env=env,
                input=json.dumps(payloads),
                capture_output=True,
                text=True,
                timeout=timeout_s,
            )
        except subprocess.TimeoutExpired:
            raise CandidateError(
                f"{what} did not return within {timeout_s:.0f} s", "look for a loop"
            ) from None
    printed = proc.stderr.strip()
    try:
        answer = json.loads(proc.stdout or "{}")
    except ValueError:
        answer = {}
    if "error" in answer:
        where = f" at {answer['where']}" if answer.get("where") else ""
        raise CandidateError(f"{what} raised{where}: {answer['error']}", _tail(printed))
    if "results" not in answer:
        raise CandidateError(
            f"{what} did not return a JSON-serializable result (exit code {proc.returncode})",
            _tail(printed),
        )
    return list(answer["results"])


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.splitlines()[-lines:])
