"""The policy stage: checkov (and cfn-lint) on the synthesized resource graph.

The tools run from their own venv as subprocesses, so ``start_scan`` can begin
while deploy runs and the runner collects the findings with ``handle.result()``.
Every check checkov runs is reported (advisory unless the kata enforces it); an
enforced check that evaluated nothing is an ERROR, never a silent pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from harness.engines.state import ResourceState
from harness.errors import ToolError
from harness.kata import PolicyCheck
from harness.policy import cfn, findings
from harness.policy.tfplan import plan_addresses, to_terraform_plan
from harness.policy.toolenv import REPO_ROOT, tool_python
from harness.policy.warm import WarmCheckov
from harness.results import CheckResult

POLICIES_DIR = REPO_ROOT / "policies"
TIMEOUT_S = 300
CHECK_TYPES = Path(__file__).with_name("check_types.py")


class ScanHandle:
    """A scan running in the background; ``result()`` waits for it."""

    def __init__(
        self,
        resources: list[ResourceState],
        kata_enforced: list[PolicyCheck],
        workdir: Path,
        sources: dict[str, str] | None,
        warm: WarmCheckov | None = None,
    ) -> None:
        self.timings: dict[str, float] = {}  # seconds: install, checkov, check_types, total
        self._warm = warm
        self._resources = resources
        self._enforced = {p.id: p.requirement for p in kata_enforced}
        self._workdir = workdir.resolve()  # the tools run with it as their cwd
        given = sources or {}
        self._sources = {
            r.urn: s for r in resources if (s := given.get(r.urn) or given.get(r.name) or r.source)
        }
        self._procs: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._cancelled = False
        self._results: list[CheckResult] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="policy-scan", daemon=True)
        self._thread.start()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self, timeout: float | None = None) -> list[CheckResult]:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise ToolError(f"the policy scan did not finish within {timeout} s")
        if self._error is not None:
            raise self._error
        return self._results

    def cancel(self) -> None:
        """Stop the tools (e.g. on Ctrl-C); ``result()`` then raises ToolError."""
        with self._lock:
            self._cancelled = True
        self._kill()

    def _kill(self) -> None:
        with self._lock:
            running = [p for p in self._procs if p.poll() is None]
            for proc in running:
                proc.kill()
        for proc in running:
            proc.wait()  # reap it: no zombie outlives the scan

    def _run(self) -> None:
        started = time.monotonic()
        try:
            self._results = self._scan()
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc
        finally:
            self.timings["total"] = round(time.monotonic() - started, 2)

    def _scan(self) -> list[CheckResult]:
        workdir = self._workdir
        workdir.mkdir(parents=True, exist_ok=True)
        plan = to_terraform_plan(self._resources)
        (workdir / "plan.json").write_text(json.dumps(plan, indent=1, sort_keys=True))
        addresses = plan_addresses(self._resources)
        templates = cfn.write_templates(self._resources, workdir)

        t0 = time.monotonic()
        python = tool_python("checkov")
        if time.monotonic() - t0 > 1:
            self.timings["install"] = round(time.monotonic() - t0, 2)

        home = Path(tempfile.mkdtemp(prefix="kata-checkov-home-"))
        env = _tool_env(home)
        report_dir = workdir / "checkov-report"
        shutil.rmtree(report_dir, ignore_errors=True)
        try:
            cmd = _checkov_cmd(python, templates, report_dir)
            checkov = self._adopt_warm(cmd) or self._start(cmd, env)
            lint = self._start(_lint_cmd(python, templates), env) if templates else None
            self.timings["checkov"], _, err = self._wait(checkov, "checkov")
            if checkov.returncode != 0:
                raise ToolError(f"checkov failed (exit {checkov.returncode}): {_last_line(err)}")
            document = _read_json(report_dir / "results_json.json", "checkov")
            results = findings.checkov_results(
                document, addresses, templates, self._enforced, self._sources
            )
            if lint is not None:
                # Ran alongside checkov and is faster (~1.2 s), so its wait is not timed.
                _, out, err = self._wait(lint, "cfn-lint")
                matches = _parse_lint(out, err, lint.returncode)
                results += cfn.lint_results(matches, templates, self._enforced, self._sources)
            ran = {r.id for r in results}
            missing = [c for c in self._enforced if c not in ran]
            if missing:
                types = self._check_types(python, missing, env)
                results += findings.unmatched(results, self._enforced, types)
        finally:
            self._kill()  # e.g. cfn-lint, when checkov failed first
            shutil.rmtree(home, ignore_errors=True)
        # Enforced first, then by check and resource, so reports read the same every run.
        results.sort(key=lambda r: (not r.enforced, r.id, r.resource or ""))
        return results

    def _check_types(
        self, python: Path, ids: list[str], env: dict[str, str]
    ) -> dict[str, list[str]] | None:
        # Only on this error path: it costs another checkov start-up (~3 s).
        proc = self._start([str(python), "-P", str(CHECK_TYPES), str(POLICIES_DIR), *ids], env)
        try:
            self.timings["check_types"], out, _ = self._wait(proc, "checkov")
            return json.loads(out) if proc.returncode == 0 else None
        except ValueError:
            return None  # the ERROR result then says less, but is still reported

    def _adopt_warm(self, cmd: list[str]) -> subprocess.Popen[bytes] | None:
        """Give the scan to the checkov process started early, if there is one."""
        if self._warm is None:
            return None
        argv = cmd[cmd.index("checkov.main") + 1 :]
        proc = self._warm.take(argv, self._workdir)
        if proc is not None:
            with self._lock:
                self._procs.append(proc)
        return proc

    def _start(self, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._cancelled:
                raise ToolError("the policy scan was cancelled")
            try:
                proc = subprocess.Popen(
                    cmd,
                    # Tools report paths relative to it (plan.json, cfn/…); -P above keeps
                    # it off sys.path so nothing in it can shadow a tool's module.
                    cwd=self._workdir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            except OSError as exc:
                raise ToolError(f"cannot start {cmd[0]}: {exc.strerror}") from None
            self._procs.append(proc)
        return proc

    def _wait(self, proc: subprocess.Popen[bytes], tool: str) -> tuple[float, str, str]:
        started = time.monotonic()
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise ToolError(f"{tool} did not finish within {TIMEOUT_S} s") from None
        if self._cancelled:
            raise ToolError("the policy scan was cancelled")
        elapsed = round(time.monotonic() - started, 2)
        return elapsed, out.decode(errors="replace"), err.decode(errors="replace")


def start_scan(
    resources: list[ResourceState],
    kata_enforced: list[PolicyCheck],
    workdir: Path,
    sources: dict[str, str] | None = None,
    warm: WarmCheckov | None = None,
) -> ScanHandle:
    """Begin the policy scan in the background; collect it with ``handle.result()``.

    ``sources`` maps a URN or logical name to "file:line" where ResourceState.source
    is not already set. ``warm`` is a checkov process started earlier (see warm.py).
    """
    return ScanHandle(resources, kata_enforced, workdir, sources, warm)


def scan(
    resources: list[ResourceState],
    kata_enforced: list[PolicyCheck],
    workdir: Path,
    sources: dict[str, str] | None = None,
) -> list[CheckResult]:
    """Scan the graph and wait: one CheckResult per (check, resource), stage POLICY."""
    return start_scan(resources, kata_enforced, workdir, sources).result()


def _checkov_cmd(python: Path, templates: list[cfn.Template], report_dir: Path) -> list[str]:
    # All checks run, not just the enforced ones: advisory findings are part of the
    # report, and the check set barely moves checkov's time (start-up dominates).
    frameworks = ["terraform_plan"] + (["cloudformation"] if templates else [])
    files = ["plan.json", *(t.path for t in templates)]
    return [
        str(python), "-P", "-m", "checkov.main",
        "--framework", *frameworks,
        *(arg for f in files for arg in ("-f", f)),
        "--external-checks-dir", str(POLICIES_DIR),
        "--output", "json", "--output-file-path", str(report_dir),
        "--skip-download",
        "--soft-fail",  # exit 0 with failed checks: non-zero then means checkov broke
    ]  # fmt: skip


def _lint_cmd(python: Path, templates: list[cfn.Template]) -> list[str]:
    run = "import sys; from cfnlint.runner import main; sys.exit(main())"
    return [str(python), "-P", "-c", run, "--format", "json", "--", *(t.path for t in templates)]


def _tool_env(home: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # checkov writes caches under ~; keep them out of the user's
        "LANG": "C.UTF-8",
        "BC_SKIP_MAPPING": "TRUE",  # no download of the Bridgecrew id mapping
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Values unknown until apply count as present (a boundary set from another
        # resource's ARN) but not as any particular value.
        "EVAL_TF_PLAN_AFTER_UNKNOWN": "TRUE",
        # Nothing here needs the network; a dead proxy makes any attempt fail at once
        # instead of hanging on a firewalled host.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    return env


def _read_json(path: Path, tool: str) -> object:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ToolError(f"{tool} wrote no report ({path.name})") from None
    except ValueError as exc:
        raise ToolError(f"{tool} wrote a report that is not JSON: {exc}") from None


def _parse_lint(out: str, err: str, code: int) -> list[dict[str, object]]:
    # cfn-lint's exit code is a bit mask of finding levels (2 error, 4 warning, 8 info);
    # any other bit means it could not lint.
    if code & ~(2 | 4 | 8):
        raise ToolError(f"cfn-lint failed (exit {code}): {_last_line(err or out)}")
    try:
        matches = json.loads(out or "[]")
    except ValueError:
        raise ToolError(f"cfn-lint printed no JSON: {_last_line(err or out)}") from None
    return matches if isinstance(matches, list) else []


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
