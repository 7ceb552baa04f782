"""`kata export DIR`: a candidate repository without the answers.

A hiring team or a workshop hands candidates this instead of a fork of the project, where
every kata's solution is one directory away. It holds the harness, the noxfile, a README
for candidates, and per kata its SPEC, hints, Pulumi project and starter. Never the
solution, the alternatives or the mutants (whose diffs spell out the solution's lines).

``tests="public"`` ships each kata's behavioral checks (the candidate sees what is graded);
``tests="hidden"`` leaves them out, and a local run says the behavioral verdict is given
privately (harness.stages.behavior).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.errors import HarnessError
from harness.kata import KATAS_DIR, REPO_ROOT, available_katas, load_kata

TESTS_MODES = ("public", "hidden")
# Per kata: never these, whatever the mode (the answers, and what derives from them).
ANSWER_DIRS = ("solution", "alternatives", "mutants")
# kata.yaml keys that describe the answers: the mutants' mistakes read like hints to the
# solution's lines, and a candidate's kata has none of them.
ANSWER_KEYS = ("mutants",)
# The project's tests that need no solution, alternative or mutant: the exported
# repository's own `nox -s tests` runs them (and a generated check of its katas).
CANDIDATE_TESTS = (
    "tests/conftest.py",
    "tests/iam",
    "tests/test_emulator_iam_globs.py",
    "tests/test_candidate_call.py",
    "tests/test_check_messages.py",
)
TOP_LEVEL = ("harness", "policies", "noxfile.py", "pyproject.toml")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")


class ExportError(HarnessError):
    kind = "usage"


@dataclass
class Exported:
    dest: Path
    katas: list[str]
    tests: str


def export(
    dest: Path, katas: list[str] | None = None, tests: str = "public", root: Path = REPO_ROOT
) -> Exported:
    """Write the candidate repository to ``dest`` (which must not exist or be empty)."""
    if tests not in TESTS_MODES:
        raise ExportError(f"--tests {tests!r} is not one of {', '.join(TESTS_MODES)}")
    dest = Path(dest).expanduser().resolve()
    if dest.exists() and any(dest.iterdir()):
        raise ExportError(f"{dest} is not empty; export into a new directory")
    katas_dir = root / "katas"
    known = available_katas(katas_dir)
    chosen = katas or known
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ExportError(f"unknown kata {unknown[0]!r}", f"available katas: {', '.join(known)}")
    dest.mkdir(parents=True, exist_ok=True)
    for name in TOP_LEVEL:
        _copy(root / name, dest / name)
    for name in CANDIDATE_TESTS:
        _copy(root / name, dest / name)
    (dest / "tests" / "test_candidate_repository.py").write_text(_SELF_TEST)
    for slug in chosen:
        _export_kata(load_kata(slug, katas_dir).path, dest / "katas" / slug, tests)
    (dest / "README.md").write_text(candidate_readme(chosen, tests, katas_dir))
    (dest / ".gitignore").write_text(".nox/\n.kata-runs/\n__pycache__/\n*.pyc\n.tools/\n")
    return Exported(dest, chosen, tests)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=JUNK)
    else:
        shutil.copyfile(src, dst)


def _export_kata(src: Path, dst: Path, tests: str) -> None:
    skip = set(ANSWER_DIRS) | ({"tests"} if tests == "hidden" else set())
    dst.mkdir(parents=True)
    for item in sorted(src.iterdir()):
        if item.name in skip or item.name in {"__pycache__", "kata.yaml"}:
            continue
        _copy(item, dst / item.name)
    meta = yaml.safe_load((src / "kata.yaml").read_text())
    for key in ANSWER_KEYS:
        meta.pop(key, None)
    # harness.kata reads this: a candidate's kata has no solution/ or mutants/ to check.
    meta["exported"] = {"tests": tests}
    (dst / "kata.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))


def candidate_readme(katas: list[str], tests: str, katas_dir: Path = KATAS_DIR) -> str:
    rows = "\n".join(
        f"| `{k.slug}` | {k.title} | {k.difficulty} | {k.timebox_minutes} min |"
        for k in (load_kata(s, katas_dir) for s in katas)
    )
    if tests == "public":
        graded = (
            "Each kata's `tests/` holds the behavioral checks that grade it: you see what is "
            "graded, and your local run gives the same verdict the graders will."
        )
    else:
        graded = (
            "The behavioral checks are not in this repository: the graders run them "
            "privately. Your local run deploys your program, scans it with the policy checks "
            "and checks that it converges, and reports every requirement as *not evaluable "
            "here* (exit code 3) rather than passed. Read SPEC.md closely: it is the contract."
        )
    return f"""# IaC Katas: your exercise

Each kata is a Pulumi (Python) program to write against a specification. A harness deploys
it to an embedded AWS emulator (moto), scans it with checkov and checks its behavior.

| kata | title | difficulty | timebox |
|---|---|---|---|
{rows}

## Set up

    python3 -m pip install nox
    nox -s kata -- <kata>            # grade your program in katas/<kata>/

Write your program in `katas/<kata>/__main__.py` (the starter). `SPEC.md` says what it must
do, `hints.md` helps when you are stuck. Only the kata's candidate files (listed as
`candidate_files` in its `kata.yaml`) are graded; changes elsewhere are ignored.

## What is graded

{graded}

Exit codes: 0 passed, 1 failed, 2 usage or environment, 3 incomplete (something could not be
evaluated here), 130 interrupted. `nox -s tests` runs the harness's own tests.

## Submitting

Commit your work and share your repository (or the commit) as the hiring team or workshop
leader asked.
"""


_SELF_TEST = '''"""This candidate repository: every kata loads, and none carries an answer."""

from __future__ import annotations

import pytest

from harness.kata import KATAS_DIR, available_katas, load_kata


@pytest.mark.parametrize("slug", available_katas())
def test_kata_loads_with_its_starter(slug):
    kata = load_kata(slug)
    for name in kata.candidate_files:
        assert (kata.path / name).is_file(), f"{slug}: the starter {name} is missing"


@pytest.mark.parametrize("slug", available_katas())
def test_no_answers_here(slug):
    for part in ("solution", "alternatives", "mutants"):
        assert not (KATAS_DIR / slug / part).exists(), f"{slug}/{part} must not be exported"
'''
