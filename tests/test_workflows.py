"""The CI workflows: valid (actionlint), safe for pull requests from forks, and the grade
workflow's matrix logic (harness/ci_matrix.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness import ci_matrix
from harness.kata import KATAS_DIR, REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
GRADE = WORKFLOWS / "grade.yml"
TESTS = WORKFLOWS / "tests.yml"


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_workflows_pass_actionlint():
    binary = _actionlint()
    if binary is None:
        if os.environ.get("KATA_REQUIRE_ACTIONLINT"):
            pytest.fail("actionlint is not installed (nox -s tests installs it)")
        pytest.skip("actionlint is not installed here; `nox -s tests` installs and runs it")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files
    proc = subprocess.run([binary, *files], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", [GRADE, TESTS], ids=["grade", "tests"])
def test_read_only_token_and_no_credentials_left_in_checkouts(path):
    workflow = _load(path)
    text = "\n".join(x for x in path.read_text().splitlines() if not x.lstrip().startswith("#"))
    assert workflow["permissions"] == {"contents": "read"}
    assert "pull_request_target" not in workflow["on"] and "pull_request_target" not in text
    assert "secrets." not in text
    checkouts = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/checkout@")
    ]
    assert checkouts
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)
    for job in workflow["jobs"].values():
        assert "permissions" not in job  # no job widens the token


def test_grade_workflow_runs_on_pull_requests_with_the_base_branchs_harness():
    workflow = _load(GRADE)
    assert list(workflow["on"]) == ["pull_request"]
    grade = workflow["jobs"]["grade"]
    checkouts = {
        step["with"]["path"]: step["with"]["ref"]
        for step in grade["steps"]
        if str(step.get("uses", "")).startswith("actions/checkout@")
    }
    assert checkouts == {
        "base": "${{ github.event.pull_request.base.sha }}",
        "head": "${{ github.event.pull_request.head.sha }}",
    }
    [run] = [s for s in grade["steps"] if s.get("name") == "Grade"]
    assert run["working-directory"] == "base"  # base's noxfile, harness, kata and tests
    assert "nox -s grade --" in run["run"] and "--submission ../head" in run["run"]
    assert "--sandbox require" in run["run"]
    assert grade["strategy"]["matrix"]["kata"] == "${{ fromJSON(needs.plan.outputs.katas) }}"
    assert grade["if"] == "needs.plan.outputs.katas != '[]'"
    steps = {s.get("name"): s for s in grade["steps"]}
    assert "GITHUB_STEP_SUMMARY" in steps["Job summary"]["run"]
    assert steps["Job summary"]["if"] == "always()"
    assert steps["Upload the results"]["uses"].startswith("actions/upload-artifact@")
    assert steps["Upload the results"]["if"] == "always()"
    # The matrix is computed by the base branch's code, never the pull request's.
    [plan] = [s for s in workflow["jobs"]["plan"]["steps"] if s.get("id") == "matrix"]
    assert "PYTHONPATH=base python -m harness.ci_matrix" in plan["run"]
    assert "--katas-dir base/katas" in plan["run"]


def test_no_untrusted_event_text_is_expanded_inside_a_script():
    # Titles, branch names and bodies are attacker-controlled: only ids and shas may be
    # interpolated into `run:`; anything else goes through an environment variable.
    for path in (GRADE, TESTS):
        for job in _load(path)["jobs"].values():
            for step in job["steps"]:
                script = step.get("run", "")
                for expr in script.split("${{")[1:]:
                    assert expr.split("}}")[0].strip().startswith("github.event.pull_request.")
                    assert any(k in expr for k in ("base.sha", "head.sha")), expr


def test_tests_workflow_runs_the_project_tests():
    workflow = _load(TESTS)
    assert {"push", "pull_request"} <= set(workflow["on"])
    runs = [s.get("run", "") for s in workflow["jobs"]["tests"]["steps"]]
    assert "nox -s tests" in runs and "nox -s lint" in runs


# -- matrix --------------------------------------------------------------------------

KNOWN = {"least-privilege-iam", "drift-detection"}


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["katas/least-privilege-iam/__main__.py"], ["least-privilege-iam"]),
        (["katas/least-privilege-iam/tests/test_trust.py"], ["least-privilege-iam"]),
        (
            ["katas/drift-detection/kata.yaml", "katas/least-privilege-iam/__main__.py"],
            ["drift-detection", "least-privilege-iam"],
        ),
        (
            ["katas/least-privilege-iam/a.py", "katas/least-privilege-iam/b.py"],
            ["least-privilege-iam"],
        ),
        (["harness/runner.py", "noxfile.py", "README.md"], []),
        (["katas/README.md"], []),  # not inside a kata
        (["katas/brand-new-kata/__main__.py"], []),  # not a kata of the base branch
        (["katas/least-privilege-iam"], []),  # a directory name alone is no file of it
        ([" katas/least-privilege-iam/__main__.py ", ""], ["least-privilege-iam"]),
        ([], []),
    ],
)
def test_katas_touched(paths, expected):
    assert ci_matrix.katas_touched(paths, KNOWN) == expected


def test_known_katas_are_the_directories_with_a_kata_yaml(tmp_path):
    (tmp_path / "a-kata").mkdir()
    (tmp_path / "a-kata" / "kata.yaml").write_text("title: x\n")
    (tmp_path / "not-a-kata").mkdir()
    assert ci_matrix.known_katas(tmp_path) == {"a-kata"}
    assert "least-privilege-iam" in ci_matrix.known_katas(KATAS_DIR)


def test_main_prints_the_matrix_and_writes_github_output(tmp_path, monkeypatch, capsys):
    changed = tmp_path / "changed.txt"
    changed.write_text("katas/least-privilege-iam/__main__.py\nharness/cli.py\n")
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))

    code = ci_matrix.main(
        ["--katas-dir", str(KATAS_DIR), "--paths-file", str(changed), "--github-output"]
    )

    assert code == 0
    assert json.loads(capsys.readouterr().out) == ["least-privilege-iam"]
    assert output.read_text() == 'katas=["least-privilege-iam"]\n'


def test_main_runs_with_the_standard_library_alone(tmp_path):
    # The workflow runs it before installing anything: no third-party import allowed.
    changed = tmp_path / "changed.txt"
    changed.write_text("katas/least-privilege-iam/kata.yaml\n")
    proc = subprocess.run(
        [sys.executable, "-S", "-m", "harness.ci_matrix", "--katas-dir", str(KATAS_DIR)],
        input=changed.read_text(),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT)},
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["least-privilege-iam"]
