"""behavior: the kata's pytest checks against what was deployed.

pytest runs in this process (the checks are trusted code of the kata, not the
candidate's), with the harness plugin; each test's requirement marker decides
which SPEC requirement its outcome counts for.
"""

from __future__ import annotations

import ctypes
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness.context import RunContext
from harness.engines.base import Engine
from harness.pytest_plugin import (
    ENV_EMULATOR_KIND,
    ENV_ENDPOINT,
    ENV_FOCUS,
    ENV_PROGRAM_DIR,
    ENV_REGION,
    ENV_STATE,
    NOT_EVALUABLE,
    use_engine,
)
from harness.results import CheckResult, Outcome, Stage


class _Collector:
    """pytest plugin object: turns each test's report into a CheckResult."""

    def __init__(self) -> None:
        self.results: dict[str, CheckResult] = {}
        self.errors: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            marker = report.user_properties and dict(report.user_properties).get("requirement")
            existing = self.results.get(report.nodeid)
            if existing and existing.outcome != Outcome.PASSED:
                return  # keep the first failure (setup or call), not the teardown's
            self.results[report.nodeid] = CheckResult(
                id=report.nodeid,
                stage=Stage.BEHAVIOR,
                requirement=marker or None,
                outcome=_outcome(report),
                title=dict(report.user_properties).get("title", report.nodeid.split("::")[-1]),
                message=_message(report),
                duration_s=report.duration,
                details=_details(report),
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {_short(str(report.longrepr))}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        marker = item.get_closest_marker("requirement")
        if marker and marker.args:
            item.user_properties.append(("requirement", str(marker.args[0])))
        doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
        if doc:
            item.user_properties.append(("title", doc[0]))


def _details(report: pytest.TestReport) -> dict:
    """What a check recorded for the report, passed or failed (``record_property("details",
    {...})``, JSON values): e.g. the itemized bill a cost check computed."""
    details = dict(report.user_properties).get("details")
    return dict(details) if isinstance(details, dict) else {}


def _outcome(report: pytest.TestReport) -> Outcome:
    if report.passed:
        return Outcome.PASSED
    if report.failed and report.when == "call":
        return Outcome.FAILED
    if report.skipped and _skip_reason(report).startswith(NOT_EVALUABLE):
        return Outcome.NOT_EVALUABLE  # harness.pytest_plugin.not_evaluable()
    return Outcome.ERROR  # any other skip is a gap in the checks, never a pass


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (file, line, "Skipped: …")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _message(report: pytest.TestReport) -> str:
    if report.passed:
        return ""
    if report.skipped:
        reason = _skip_reason(report)
        if reason.startswith(NOT_EVALUABLE):
            return _short(reason)
        return f"skipped: {_short(reason)}"
    crash = getattr(report.longrepr, "reprcrash", None)
    return candidate_message(crash.message if crash is not None else str(report.longrepr))


# pytest's own wording around a check's sentence: the exception's name in front, and
# after it the rewritten `assert` with its introspection (a diff meant for the kata's
# author, not the candidate).
_PREFIXES = ("AssertionError: ", "Failed: ", "AssertionError", "Failed")
_INTROSPECTION = ("assert ", "where ", "+  where", "+  and", "At index", "Full diff", "Use -v")


def candidate_message(text: str) -> str:
    """The sentence a check failed with, without pytest's decoration.

    A check states its clause, principal or resource and the offending value in its
    assertion message (katas/README.md); a bare ``assert`` (no message) is the check's
    defect, and says so instead of passing a raw comparison to the candidate.
    """
    lines = [line.rstrip() for line in text.strip().splitlines()]
    if not lines:
        return "the check failed without a reason"
    head = lines[0]
    for prefix in _PREFIXES:
        if head.startswith(prefix):
            head = head[len(prefix) :].strip()
            break
    sentence = [head] if head else []
    for line in lines[1:]:
        if line.strip().startswith(_INTROSPECTION) or line.startswith(("  +", "  -", "  ?")):
            break
        sentence.append(line.strip())
    text = " ".join(part for part in sentence if part)
    if not text or text.startswith(("assert ", "where ")):
        bare = lines[0].removeprefix("AssertionError").lstrip(": ").strip()
        return _short(f"the check gave no reason (a bare assertion: {bare[:120]})")
    return _short(text)


def _short(text: str, limit: int = 1000) -> str:
    text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def _env(values: dict[str, str]):  # type: ignore[no-untyped-def]
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _Deadline:
    """Ends the pytest session in this thread when the stage's time is up.

    pytest runs in-process (a subprocess would cost its imports on every run), so the
    deadline is a KeyboardInterrupt raised asynchronously in the thread running it, which
    pytest answers by ending the session. It lands between two Python bytecodes: a check
    blocked inside one C call (a socket read) is stopped when that call returns (boto3's
    read timeout bounds those).
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._active = False
        self._timer: threading.Timer | None = None
        self._thread_id = 0

    def __enter__(self) -> _Deadline:
        if self.seconds:
            self._thread_id = threading.get_ident()
            self._active = True
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _fire(self) -> None:
        with self._lock:
            if self._active:
                self.fired = True
                _async_raise(self._thread_id, KeyboardInterrupt)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._active = False
            if self._timer is not None:
                self._timer.cancel()
            if self.fired:
                _async_raise(self._thread_id, None)  # withdraw it if not delivered yet


def _async_raise(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None
    )


def run(ctx: RunContext) -> list[CheckResult]:
    assert ctx.emulator is not None
    if not ctx.kata.tests_dir.is_dir():  # `kata export --tests hidden`: graded privately
        with ctx.timed(Stage.BEHAVIOR) as t:
            t.outcome, t.detail = "skipped", "checks hidden: graded privately"
        return [
            CheckResult(
                id=f"{req.id}:hidden",
                stage=Stage.BEHAVIOR,
                requirement=req.id,
                outcome=Outcome.NOT_EVALUABLE,
                title=req.title,
                message="not evaluable here: this repository's behavioral checks are hidden; "
                "the graders run them privately",
            )
            for req in ctx.kata.requirements
        ]
    with ctx.timed(Stage.BEHAVIOR) as t:
        results = run_checks(
            tests_dir=ctx.kata.tests_dir,
            state_file=ctx.state_file,
            endpoint=ctx.emulator.endpoint,
            emulator_kind=ctx.emulator.kind,
            region=ctx.kata.config.get("aws:region", "us-east-1"),
            junit=ctx.out_dir / "behavior-junit.xml",
            program_dir=ctx.workdir,
            engine=ctx.engine,
            timeout_s=ctx.options.behavior_timeout_s,
            focus=ctx.options.focus,
        )
        failed = sum(1 for r in results if r.outcome != Outcome.PASSED)
        t.outcome = "failed" if failed else "ok"
        t.detail = f"{len(results) - failed}/{len(results)} checks passed"
    return results


def run_checks(
    tests_dir: Path,
    state_file: Path,
    endpoint: str,
    emulator_kind: str,
    region: str,
    junit: Path | None = None,
    program_dir: Path | None = None,
    engine: Engine | None = None,
    timeout_s: float | None = None,
    focus: tuple[str, ...] = (),
) -> list[CheckResult]:
    collector = _Collector()
    args: list[Any] = [
        str(tests_dir),
        "-p",
        "harness.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "--import-mode=importlib",
        f"--rootdir={tests_dir}",
        "-o",
        "testpaths=",
        "-q",
        "--no-header",
        "-p",
        "no:randomly",
        # pytest's unraisable-exception plugin runs gc.collect() five times at the end of
        # every session: 0.3-0.6 s of CPU per grade in a harness process whose heap holds
        # the SDKs, for warnings the check results never carry.
        "-p",
        "no:unraisableexception",
    ]
    if junit:
        args.append(f"--junitxml={junit}")
    env = {
        ENV_STATE: str(state_file),
        ENV_ENDPOINT: endpoint,
        ENV_EMULATOR_KIND: emulator_kind,
        ENV_REGION: region,
    }
    if program_dir is not None:
        env[ENV_PROGRAM_DIR] = str(program_dir)
    env[ENV_FOCUS] = ",".join(focus)
    deadline = _Deadline(timeout_s)
    # pytest's importlib mode reuses a module already in sys.modules under the same
    # name, and names come from paths relative to the rootdir: another kata's (or the
    # previous run's) tests/test_x.py would stand in for this one's.
    _forget_modules_under(tests_dir)
    with _env(env), use_engine(engine), open(os.devnull, "w") as quiet:
        import contextlib

        try:
            with contextlib.redirect_stdout(quiet), deadline:
                code = pytest.main(args, plugins=[collector])
        except KeyboardInterrupt:
            if not deadline.fired:
                raise
            code = pytest.ExitCode.INTERRUPTED
    if code == pytest.ExitCode.INTERRUPTED and not deadline.fired:
        # pytest turns Ctrl-C into an exit code; the run must still stop and tear down.
        raise KeyboardInterrupt
    results = list(collector.results.values())
    if deadline.fired:
        results.append(
            CheckResult(
                id="behavior:timeout",
                stage=Stage.BEHAVIOR,
                requirement=None,
                outcome=Outcome.ERROR,
                title="the kata's checks finish in time",
                message=f"the checks did not finish within {timeout_s:.0f} s and were stopped; "
                f"{len(results)} had run",
            )
        )
        return results
    if collector.errors or (code not in (0, 1) and not results):
        reason = "; ".join(collector.errors) or f"pytest exited with code {code}"
        results.append(
            CheckResult(
                id="behavior:collection",
                stage=Stage.BEHAVIOR,
                requirement=None,
                outcome=Outcome.ERROR,
                title="the kata's checks load",
                message=_short(reason),
            )
        )
    return results


def _forget_modules_under(directory: Path) -> None:
    """Drop every imported module whose file lies under ``directory``, and any other
    kata's test module under a name one of ``directory``'s modules would take."""
    import sys

    root = directory.resolve()
    names = {p.stem for p in root.rglob("*.py")}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        path = Path(file).resolve()
        # This kata's own modules, and same-named ones of another kata's tests/.
        if path.is_relative_to(root) or (name in names and path.parent.name == "tests"):
            del sys.modules[name]
