"""pytest plugin for a kata's behavior checks (loaded with ``-p harness.pytest_plugin``).

Fixtures a kata's tests use:

``stack``     the deployed StackState: ``stack.outputs``, ``stack.resources``,
              ``stack.named("ingest-role")``, ``stack.of_type("aws:iam/role:Role")``.
``aws``       a client factory bound to the emulator with the harness's admin
              credentials: ``aws("s3")``, ``aws("iam", region="eu-west-1")``.
``iam``       principals for least-privilege checks (``harness.drills.iam``):
              ``iam.role(arn)``, ``iam.user(name)``, ``iam.stranger()`` and
              ``with iam.enforced():`` to evaluate IAM on every call inside.
``emulator``  the Emulator (endpoint, kind, IAM enforcement switch).
``engine``    the run's engine: ``engine.refresh(include_ignored=True)`` reads the
              deployed stack back and reports drift (``harness.engines.base.Drift``).
``redeploy``  ``redeploy()`` applies the program again after a refresh (``pulumi up
              --refresh``): what drifted out of band is put back. Returns the new state.
              ``redeploy({"proj:key": "v"})`` runs it with that stack config instead.
``program_dir`` the directory of the program being graded (candidate files included).
``candidate`` ``candidate.call("drift", "classify", report)`` calls a function of a
              candidate module in its own sandboxed process (``harness.candidate_call``).

Every check carries ``@pytest.mark.requirement("R3")``; a test without one is an
error, because the report is per requirement of the kata's SPEC.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from harness.emulator import Emulator
from harness.engines.state import StackState

if TYPE_CHECKING:
    from harness.engines.base import Engine

ENV_STATE = "KATA_STATE_FILE"
ENV_ENDPOINT = "KATA_ENDPOINT"
ENV_EMULATOR_KIND = "KATA_EMULATOR_KIND"
ENV_REGION = "KATA_REGION"
ENV_PROGRAM_DIR = "KATA_PROGRAM_DIR"
ENV_FOCUS = "KATA_FOCUS"  # comma-separated requirement ids (RunOptions.focus)

# The engine of the run whose checks are running: pytest runs in the harness process,
# so the behavior stage hands its engine over here (``use_engine``) rather than by env.
_engines: list[Engine] = []


# The reason a check gives when the emulator cannot show what it needs; the behavior
# stage reports it as Outcome.NOT_EVALUABLE (neither a pass nor a failure).
NOT_EVALUABLE = "not evaluable on "


def not_evaluable(emulator: str, why: str) -> NoReturn:
    """End a check as *not evaluable on <emulator>*: it cannot pass or fail here.

    Use it only where the emulator was probed and lacks the behavior (e.g. IAM is not
    enforced), never to skip a check that could run.
    """
    pytest.skip(f"{NOT_EVALUABLE}{emulator}: {why}")


@contextlib.contextmanager
def use_engine(engine: Engine | None) -> Iterator[None]:
    """Make ``engine`` the ``engine`` fixture's answer while the checks run."""
    if engine is None:
        yield
        return
    _engines.append(engine)
    try:
        yield
    finally:
        _engines.remove(engine)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(id): the kata SPEC requirement (R1, R2, …) this check verifies"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("requirement") is None:
            raise pytest.UsageError(
                f"{item.nodeid}: every kata check needs @pytest.mark.requirement('R…')"
            )
    focus = set(filter(None, os.environ.get(ENV_FOCUS, "").split(",")))
    if focus:  # RunOptions.focus: only these requirements' checks run
        keep = [i for i in items if i.get_closest_marker("requirement").args[0] in focus]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise pytest.UsageError(f"{name} is not set: run kata checks through `kata run`")
    return value


@pytest.fixture(scope="session")
def emulator() -> Emulator:
    return Emulator(
        endpoint=_require_env(ENV_ENDPOINT), kind=os.environ.get(ENV_EMULATOR_KIND, "moto")
    )


@pytest.fixture(scope="session")
def stack() -> StackState:
    return StackState.read(Path(_require_env(ENV_STATE)))


@pytest.fixture(scope="session")
def region() -> str:
    return os.environ.get(ENV_REGION, "us-east-1")


@pytest.fixture(scope="session")
def aws(emulator: Emulator, region: str) -> Callable[..., Any]:
    from harness.drills.iam import client_factory

    return client_factory(emulator.endpoint, region)


@pytest.fixture
def iam(emulator: Emulator, region: str) -> Iterator[Any]:
    from harness.drills.iam import Principals

    principals = Principals(emulator, region)
    try:
        yield principals
    finally:
        principals.close()


@pytest.fixture(scope="session")
def engine() -> Engine:
    if not _engines:
        raise pytest.UsageError("no engine: run kata checks through `kata run`")
    return _engines[-1]


@pytest.fixture(scope="session")
def redeploy(engine: Engine) -> Callable[..., StackState]:
    def run(config: dict[str, str] | None = None, refresh: bool = True) -> StackState:
        """``pulumi up --refresh``; ``config`` overrides stack config for this run only
        (a release by config: ``redeploy({"proj:releaseVersion": "1.1.0"})``; a later
        ``redeploy()`` runs the program with the kata's own config again);
        ``refresh=False`` is a plain ``pulumi up``."""
        saved = dict(engine.spec.config)
        engine.spec.config.update(config or {})
        try:
            return engine.up(refresh=refresh)
        finally:
            engine.spec.config.clear()
            engine.spec.config.update(saved)

    return run


@pytest.fixture(scope="session")
def program_dir() -> Path:
    return Path(_require_env(ENV_PROGRAM_DIR))


class Candidate:
    """Calls into the candidate's modules (see ``harness.candidate_call``)."""

    def __init__(self, program_dir: Path, sandbox: Any = None) -> None:
        self.program_dir = program_dir
        self.sandbox = sandbox

    def call(self, module: str, function: str, payload: Any) -> Any:
        return self.call_each(module, function, [payload])[0]

    def call_each(self, module: str, function: str, payloads: list[Any]) -> list[Any]:
        from harness.candidate_call import call_each

        return call_each(self.program_dir, module, function, payloads, sandbox=self.sandbox)


@pytest.fixture(scope="session")
def candidate(program_dir: Path) -> Candidate:
    sandbox = getattr(_engines[-1], "sandbox", None) if _engines else None
    return Candidate(program_dir, sandbox)
