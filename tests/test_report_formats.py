"""SARIF and Markdown from a hand-made RunResult (no emulator: the writers only read it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import report, report_markdown, report_sarif
from harness.context import RunOptions, StageTiming
from harness.errors import ProgramError
from harness.kata import KATAS_DIR, Kata, PolicyCheck, Requirement
from harness.results import CheckResult, Outcome, Stage
from harness.runner import RunResult

KATA = Kata(
    slug="tiny",
    path=KATAS_DIR / "tiny",
    title="Tiny | kata",
    difficulty="beginner",
    timebox_minutes=5,
    topics=[],
    candidate_files=["__main__.py"],
    requirements=[Requirement("R1", "Buckets block public access"), Requirement("R2", "Exports")],
    enforced_policies=[PolicyCheck("CKV2_AWS_6", "R1")],
    config={},
    mutants=[],
)


def _result(variant: str = "starter", submission: dict | None = None, tmp: Path | None = None):
    results = [
        CheckResult(
            "CKV2_AWS_6",
            Stage.POLICY,
            "R1",
            Outcome.FAILED,
            title="S3 bucket has a public access block",
            message="aws_s3_bucket.data has no public access block",
            resource="aws_s3_bucket.data",
            source="__main__.py:7",
        ),
        CheckResult(
            "CKV_AWS_18",
            Stage.POLICY,
            None,
            Outcome.FAILED,
            title="S3 bucket has access logging",
            enforced=False,
            resource="aws_s3_bucket.data",
        ),
        CheckResult("CKV_AWS_21", Stage.POLICY, None, Outcome.PASSED, enforced=False),
        CheckResult("test_x.py::test_exports", Stage.BEHAVIOR, "R2", Outcome.PASSED),
        CheckResult("deploy", Stage.DEPLOY, None, Outcome.PASSED, title="the program deploys"),
    ]
    return RunResult(
        kata=KATA,
        options=RunOptions(variant=variant),
        results=results,
        timings=[StageTiming("synth", 1.25, "ok", "3 resources")],
        duration_s=4.5,
        out_dir=tmp or Path("/nonexistent"),
        isolation={"namespaces": True, "network": "loopback only", "limits": ["1000 resources"]},
        submission=submission,
    )


@pytest.mark.parametrize(
    ("variant", "submission", "uri"),
    [
        ("starter", None, "katas/tiny/__main__.py"),
        ("solution", None, "katas/tiny/solution/__main__.py"),
        ("mutant:no-block", None, "katas/tiny/mutants/no-block/__main__.py"),
        ("submission:/x", {"layout": "fork", "ignored": []}, "katas/tiny/__main__.py"),
        ("submission:/x", {"layout": "bare", "ignored": []}, "__main__.py"),
    ],
)
def test_sarif_points_at_the_line_that_declared_the_resource(variant, submission, uri):
    sarif = report_sarif.to_sarif(_result(variant, submission))

    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    [run] = sarif["runs"]
    assert run["tool"]["driver"]["name"].startswith("iac-katas")
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["CKV2_AWS_6", "CKV_AWS_18"]  # failing findings only, no passed ones
    enforced, advisory = run["results"]
    assert enforced["ruleId"] == "CKV2_AWS_6" and enforced["level"] == "error"
    assert enforced["ruleIndex"] == 0 and advisory["ruleIndex"] == 1
    assert "(requirement R1)" in enforced["message"]["text"]
    loc = enforced["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert loc["physicalLocation"]["region"] == {"startLine": 7}
    assert loc["logicalLocations"] == [{"name": "aws_s3_bucket.data", "kind": "resource"}]
    # No source known: the program file, without a line.
    assert advisory["level"] == "note"
    assert "region" not in advisory["locations"][0]["physicalLocation"]
    assert advisory["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


def test_sarif_of_a_program_outside_the_repository_uses_a_file_uri(tmp_path):
    sarif = report_sarif.to_sarif(_result(f"program:{tmp_path}"))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": f"{tmp_path.as_uri()}/__main__.py"}


def test_markdown_summary_has_verdict_rows_ignored_files_and_isolation():
    submission = {
        "layout": "fork",
        "candidate_files": ["__main__.py"],
        "ignored": [{"path": "katas/tiny/tests/test_x.py", "change": "modified"}],
    }
    text = report_markdown.to_markdown(_result("submission:/x", submission))

    assert text.startswith("## ❌ FAILED — Tiny \\| kata")  # a pipe cannot break the table
    assert "**1/2 requirements**" in text
    [r1] = [line for line in text.splitlines() if line.startswith("| ❌ R1 |")]
    assert "aws_s3_bucket.data has no public access block" in r1
    assert any(line.startswith("| ✅ R2 |") for line in text.splitlines())
    assert "`__main__.py:7`" in text  # where the failing finding was declared
    assert "Advisory policy findings, not enforced (1)" in text
    assert "`katas/tiny/tests/test_x.py` (modified)" in text
    assert "- network: loopback only" in text
    assert "| synth | 1.25 | ok | 3 resources |" in text


def test_markdown_names_an_error():
    result = _result()
    result.error = ProgramError("the program's process died", "run it by hand")
    assert "> **error** (program): the program's process died — run it by hand" in (
        report_markdown.to_markdown(result)
    )


def test_write_all_writes_every_format_and_results_json_names_them(tmp_path):
    result = _result(tmp=tmp_path)
    report.write_all(result)

    data = json.loads((tmp_path / "results.json").read_text())
    assert data["files"] == {
        "results": "results.json",
        "junit": "junit.xml",
        "sarif": "results.sarif",
        "markdown": "summary.md",
        "html": "results.html",
    }
    assert all((tmp_path / name).is_file() for name in data["files"].values())
    assert data["isolation"]["namespaces"] is True
    assert data["submission"] is None
    reqs = {r["id"]: r for r in data["requirements"]}
    assert reqs["R1"]["score"] == 0.0 and reqs["R2"]["score"] == 1.0
    assert data["score"]["percent"] == 50.0
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["CKV2_AWS_6"]["stage"] == "policy"
    assert checks["CKV2_AWS_6"]["outcome"] == "failed"
    assert checks["CKV2_AWS_6"]["source"] == "__main__.py:7"
