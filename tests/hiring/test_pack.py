"""Grading from a private pack (a directory or a git URL@REF), and the workflow template
a hiring team copies into its private repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.commands.pack import PackError, open_pack, split_ref
from harness.kata import KATAS_DIR, REPO_ROOT

SLUG = "least-privilege-iam"
TEMPLATE = REPO_ROOT / "docs" / "hiring" / "grade-private.yml"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pack")
    shutil.copytree(
        KATAS_DIR / SLUG, root / "katas" / SLUG, ignore=shutil.ignore_patterns("__pycache__")
    )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "pack")
    return root


def test_split_ref():
    assert split_ref("https://h/x.git@v1") == ("https://h/x.git", "v1")
    assert split_ref("https://h/x.git") == ("https://h/x.git", None)
    assert split_ref("git@github.com:o/p.git") == ("git@github.com:o/p.git", None)
    assert split_ref("file:///tmp/p@" + "a" * 40) == ("file:///tmp/p", "a" * 40)


def test_directory_and_git_packs_load_the_same_kata(pack_dir):
    with open_pack(str(pack_dir)) as pack:
        assert pack.slugs() == [SLUG]
        assert pack.kata(SLUG).path == pack_dir / "katas" / SLUG
    commit = _git(pack_dir, "rev-parse", "HEAD")
    for ref in ("main", commit):
        with open_pack(f"file://{pack_dir}@{ref}") as pack:
            kata = pack.kata(SLUG)
            assert kata.solution_dir.is_dir() and len(kata.mutants) > 10
            cloned = pack.root
        assert not cloned.exists()  # the clone is removed afterwards


def test_bad_packs_say_why(tmp_path):
    with pytest.raises(PackError, match="is not a directory"), open_pack(str(tmp_path / "no")):
        pass
    with pytest.raises(PackError, match="holds no kata"), open_pack(str(tmp_path)):
        pass
    with pytest.raises(PackError, match="cannot fetch"), open_pack(f"file://{tmp_path}/x@main"):
        pass


def test_pack_kata_with_an_unknown_custom_check_is_refused(tmp_path, pack_dir):
    shutil.copytree(pack_dir / "katas", tmp_path / "katas")
    meta_path = tmp_path / "katas" / SLUG / "kata.yaml"
    meta = yaml.safe_load(meta_path.read_text())
    meta["policies"] = [*meta.get("policies", []), {"check": "CKV_KATA_999", "requirement": "R1"}]
    meta_path.write_text(yaml.safe_dump(meta, sort_keys=False))
    with pytest.raises(PackError, match="CKV_KATA_999"), open_pack(str(tmp_path)) as pack:
        pack.kata(SLUG)


def _kata(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_grade_from_a_git_pack_end_to_end(pack_dir, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copyfile(KATAS_DIR / SLUG / "solution" / "__main__.py", sub / "__main__.py")
    out = tmp_path / "out"
    proc = _kata(
        "grade",
        SLUG,
        "--submission",
        str(sub),
        "--pack",
        f"file://{pack_dir}@main",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "from the pack" in proc.stdout
    assert json.loads((out / "results.json").read_text())["verdict"] == "passed"


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_workflow_template_passes_actionlint():
    binary = _actionlint()
    if binary is None:
        import os

        if os.environ.get("KATA_REQUIRE_ACTIONLINT"):
            pytest.fail("actionlint is not installed (nox -s tests installs it)")
        pytest.skip("actionlint is not installed here; `nox -s tests` installs and runs it")
    proc = subprocess.run([binary, str(TEMPLATE)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_template_is_read_only_sandboxed_and_takes_inputs_as_data():
    flow = yaml.safe_load(TEMPLATE.read_text())
    on = flow.pop(True, flow.get("on"))
    assert set(on) == {"workflow_dispatch", "repository_dispatch"}
    assert flow["permissions"] == {"contents": "read"}
    text = "\n".join(x for x in TEMPLATE.read_text().splitlines() if not x.lstrip().startswith("#"))
    assert "secrets." not in text and "pull_request_target" not in text
    steps = flow["jobs"]["grade"]["steps"]
    for step in steps:
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        # Inputs only through env: `${{ … }}` inside a script is a shell injection.
        assert "${{" not in step.get("run", ""), step.get("name")
    grade = next(s for s in steps if s.get("name") == "Grade")
    assert "--sandbox require" in grade["run"] and "--pack ../pack" in grade["run"]
    fetch = next(s for s in steps if "fork" in s.get("name", "").lower())
    assert "chmod -R a-w fork" in fetch["run"]


@pytest.mark.slow
def test_verify_a_pack(tmp_path):
    """`kata verify --pack` proves the pack's kata, not ours: a pack trimmed to two mutants,
    the first mislabeled, gets the solution ok, the honest mutant ok, the mislabeled one
    WRONG, and the clauses no mutant covers any more listed."""
    kata_dir = tmp_path / "katas" / SLUG
    shutil.copytree(KATAS_DIR / SLUG, kata_dir, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(kata_dir / "alternatives")
    meta = yaml.safe_load((kata_dir / "kata.yaml").read_text())
    (lying, spec), (honest, _) = list(meta["mutants"].items())[:2]
    others = sorted({f"R{i}" for i in range(1, 11)} - set(spec["breaks"]), key=len)
    spec = {k: v for k, v in spec.items() if k not in ("clause", "clauses")}
    meta["mutants"] = {lying: {**spec, "breaks": [others[0]]}, honest: meta["mutants"][honest]}
    (kata_dir / "kata.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    proc = _kata("verify", "--pack", str(tmp_path))
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "verifying the pack" in out
    assert "  solution: ok" in out and f"  mutant:{honest}: ok" in out, out[-3000:]
    assert f"  mutant:{lying}: WRONG" in out, out[-3000:]
    assert "no mutant breaks this clause" in out
