"""`kata export`: a candidate repository without the answers, that works on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.commands.export import (
    ANSWER_DIRS,
    CANDIDATE_TESTS,
    TOP_LEVEL,
    ExportError,
    export,
)
from harness.kata import KATAS_DIR, REPO_ROOT, available_katas, load_kata

MIN_DISTINCTIVE = 20  # shorter lines (`import json`, `)`) are everybody's


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(tmp_path_factory.mktemp("public") / "repo", tests="public").dest


@pytest.fixture(scope="module")
def hidden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(tmp_path_factory.mktemp("hidden") / "repo", tests="hidden").dest


def _answer_texts(kata_dir: Path) -> dict[str, str]:
    """Every solution, alternative and mutant file of a kata: relative path -> text."""
    return {
        str(p.relative_to(kata_dir)): p.read_text(errors="replace")
        for part in ANSWER_DIRS
        for p in sorted((kata_dir / part).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _lines(path: str, text: str) -> set[str]:
    if path.endswith(".diff"):  # both sides: the solution's lines and the mutant's
        text = "\n".join(
            line[1:] for line in text.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"
        )
    return {line.strip() for line in text.splitlines()}


def _public_texts(kata_dir: Path) -> str:
    """What a candidate may see of a kata anyway (starter, SPEC, hints, tests, kata.yaml)."""
    return "\n".join(
        p.read_text(errors="replace")
        for p in sorted(kata_dir.rglob("*"))
        if p.is_file()
        and not set(p.relative_to(kata_dir).parts) & set(ANSWER_DIRS)
        and "__pycache__" not in p.parts
        and p.suffix != ".pyc"
    )


def _shared_texts() -> str:
    """What the project publishes anyway: every kata's starter, SPEC, hints and checks, and
    the harness, policies and tests. Common lines (``config = pulumi.Config()``,
    ``"Action": "s3:GetObject",``) are there, so they say nothing about an answer."""
    parts = [_public_texts(KATAS_DIR / slug) for slug in available_katas()]
    for name in (*TOP_LEVEL, *CANDIDATE_TESTS):
        path = REPO_ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        parts += [f.read_text(errors="replace") for f in files if "__pycache__" not in f.parts]
    return "\n".join(parts)


def distinctive_lines(kata_dir: Path) -> dict[str, str]:
    """Answer lines found nowhere the project publishes: line -> the answer file."""
    seen = _shared_texts()
    found: dict[str, str] = {}
    for path, text in _answer_texts(kata_dir).items():
        for line in _lines(path, text):
            if len(line) >= MIN_DISTINCTIVE and line not in seen:
                found.setdefault(line, f"{kata_dir.name}/{path}")
    return found


def _exported_texts(repo: Path) -> dict[str, str]:
    return {
        str(p.relative_to(repo)): p.read_text(errors="replace")
        for p in sorted(repo.rglob("*"))
        if p.is_file() and p.suffix != ".pyc"
    }


def test_the_leak_check_finds_answers_at_all():
    """Guard against a check that cannot fail: every kata has distinctive answer lines."""
    for slug in available_katas():
        assert len(distinctive_lines(KATAS_DIR / slug)) > 10, slug


@pytest.mark.parametrize("mode", ["public", "hidden"])
def test_no_answer_file_or_line_leaks(mode, request):
    repo: Path = request.getfixturevalue(mode)
    exported = _exported_texts(repo)
    for rel in exported:
        parts = Path(rel).parts
        assert not (parts[0] == "katas" and set(parts[2:3]) & set(ANSWER_DIRS)), rel
    leaks = []
    for slug in available_katas():
        answers = _answer_texts(KATAS_DIR / slug)
        bodies = set(answers.values())
        leaks += [f"{rel} copies an answer file" for rel, t in exported.items() if t in bodies]
        for line, source in distinctive_lines(KATAS_DIR / slug).items():
            leaks += [f"{rel} holds {source}: {line!r}" for rel, t in exported.items() if line in t]
    assert not leaks, "\n".join(leaks[:20])


def test_mutant_descriptions_stay_out_of_kata_yaml(public):
    for slug in available_katas():
        text = (public / "katas" / slug / "kata.yaml").read_text()
        for mutant in load_kata(slug).mutants:
            assert mutant.mistake not in text, f"{slug}: mutant {mutant.id}'s mistake leaks"


def test_public_ships_the_checks_hidden_does_not(public, hidden):
    for slug in available_katas():
        assert (public / "katas" / slug / "tests").is_dir()
        assert not (hidden / "katas" / slug / "tests").exists()
    assert "not evaluable here" in (hidden / "README.md").read_text()
    assert "behavioral checks that grade it" in (public / "README.md").read_text()


def test_katas_subset_and_bad_arguments(tmp_path):
    done = export(tmp_path / "one", katas=["least-privilege-iam"])
    assert sorted(p.name for p in (done.dest / "katas").iterdir()) == ["least-privilege-iam"]
    with pytest.raises(ExportError, match="unknown kata 'nope'"):
        export(tmp_path / "two", katas=["nope"])
    with pytest.raises(ExportError, match="not empty"):
        export(done.dest)


def _in(repo: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # `python -m` puts the exported repository first on sys.path: its harness, not ours.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=repo, capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.mark.slow
def test_exported_repository_passes_its_own_tests(public):
    proc = _in(public, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
    where = _in(public, "-c", "import harness; print(harness.__file__)").stdout
    assert where.startswith(str(public)), where  # it tested the exported harness


@pytest.mark.slow
def test_hidden_run_gives_deploy_policy_converge_and_says_the_rest_is_private(hidden, tmp_path):
    solution = REPO_ROOT / "katas" / "least-privilege-iam" / "solution"
    out = tmp_path / "out"
    proc = _in(
        hidden,
        "-m",
        "harness.cli",
        "run",
        "least-privilege-iam",
        "--program",
        str(solution),
        "--out",
        str(out),
    )
    assert proc.returncode == 3, proc.stdout[-3000:]  # incomplete: nothing failed or passed
    results = json.loads((out / "results.json").read_text())
    checks = results["checks"] if "checks" in results else results["results"]
    behavior = [c for c in checks if c["stage"] == "behavior"]
    assert behavior and all(c["outcome"] == "not_evaluable" for c in behavior)
    assert all("graders run them privately" in c["message"] for c in behavior)
    stages = {c["stage"] for c in checks if c["outcome"] == "passed"}
    assert {"deploy", "converge"} <= stages or "converge" in stages, stages
