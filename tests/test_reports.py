"""A tiny kata graded end to end (run_kata on this worker's emulator), then its reports.

The kata: R1 "the stack exports its queue URL", R2 "the queue keeps messages for a
day". The solution passes both; the mutant forgets the retention and must fail on R2.
"""

from __future__ import annotations

import io
import json
import textwrap
import xml.etree.ElementTree as ET

import pytest
from rich.console import Console

from harness import report
from harness.context import RunOptions
from harness.kata import parse_kata
from harness.runner import run_kata

KATA_FILES = {
    "kata.yaml": """
        title: Tiny queue kata
        difficulty: beginner
        timebox_minutes: 5
        topics: [testing]
        candidate_files: [__main__.py]
        requirements:
          R1: The stack exports its queue URL
          R2: The queue keeps messages for a day
        mutants:
          short-retention:
            breaks: [R2]
            mistake: The retention is left at the default four days.
        config:
          aws:region: us-east-1
    """,
    "SPEC.md": "# Tiny queue kata\n",
    "hints.md": "Look at message_retention_seconds.\n",
    "Pulumi.yaml": "name: tiny-queue\nruntime: python\n",
    "__main__.py": """
        import pulumi_aws as aws

        aws.sqs.Queue("jobs")
    """,
    "solution/__main__.py": """
        import pulumi
        import pulumi_aws as aws

        queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
        pulumi.export("queueUrl", queue.url)
    """,
    "mutants/short-retention/__main__.py": """
        import pulumi
        import pulumi_aws as aws

        queue = aws.sqs.Queue("jobs")
        pulumi.export("queueUrl", queue.url)
    """,
    "tests/test_x.py": """
        import pytest


        @pytest.mark.requirement("R1")
        def test_exports_the_queue_url(stack, aws):
            \"\"\"The exported URL is a queue that exists\"\"\"
            aws("sqs").get_queue_attributes(QueueUrl=stack.outputs["queueUrl"])


        @pytest.mark.requirement("R2")
        def test_keeps_messages_for_a_day(stack, aws):
            attrs = aws("sqs").get_queue_attributes(
                QueueUrl=stack.outputs["queueUrl"], AttributeNames=["MessageRetentionPeriod"]
            )["Attributes"]
            assert attrs["MessageRetentionPeriod"] == "86400", "retention is not one day"
    """,
}
STAGES = ["validate", "synth", "deploy", "behavior", "converge", "teardown"]


@pytest.fixture
def graded(tmp_path, moto_emulator):
    """``graded(variant)`` -> (RunResult, results.json as a dict, junit.xml root)."""
    kata_dir = tmp_path / "tiny-queue"
    for name, text in KATA_FILES.items():
        (kata_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (kata_dir / name).write_text(textwrap.dedent(text).lstrip())
    kata = parse_kata(kata_dir)

    def grade(variant):
        options = RunOptions(variant=variant, policy=False, out_dir=tmp_path / "out")
        result = run_kata(kata, options, emulator=moto_emulator)
        report.write_all(result)
        results = json.loads((tmp_path / "out" / "results.json").read_text())
        return result, results, ET.parse(tmp_path / "out" / "junit.xml").getroot()

    return grade


def _junit_cases(suite):
    return {case.get("name"): case for case in suite.iter("testcase")}


def test_solution_passes_and_reports_every_requirement_and_stage(graded):
    result, results, suite = graded("solution")

    assert result.exit_code == 0, results
    assert results["schema_version"] == report.SCHEMA_VERSION == 2
    assert (results["kata"], results["variant"], results["engine"]) == (
        "tiny-queue",
        "solution",
        "local",
    )
    assert results["passed"] is True and results["exit_code"] == 0 and results["error"] is None
    assert results["score"] == {
        "requirements_passed": 2,
        "requirements_total": 2,
        "percent": 100.0,
    }
    reqs = {r["id"]: r for r in results["requirements"]}
    assert reqs["R1"]["passed"] and reqs["R2"]["passed"]
    assert reqs["R1"]["title"] == "The stack exports its queue URL"
    assert reqs["R1"]["checks"] == ["test_x.py::test_exports_the_queue_url"]
    assert reqs["R2"]["checks_total"] == reqs["R2"]["checks_passed"] == 1

    checks = {c["id"]: c for c in results["checks"]}
    assert set(checks) == {
        "deploy",
        "converge",
        "teardown",
        "test_x.py::test_exports_the_queue_url",
        "test_x.py::test_keeps_messages_for_a_day",
    }
    assert all(c["outcome"] == "passed" for c in checks.values())
    # The docstring's first line is the check's title.
    assert checks["test_x.py::test_exports_the_queue_url"]["title"] == (
        "The exported URL is a queue that exists"
    )

    stages = {s["stage"]: s for s in results["stages"]}
    assert list(stages) == STAGES  # in the order they ran; no policy stage (policy=False)
    assert all(s["outcome"] == "ok" and s["duration_s"] >= 0 for s in stages.values())
    assert stages["deploy"]["duration_s"] > 0 and stages["synth"]["duration_s"] > 0
    assert stages["behavior"]["detail"] == "2/2 checks passed"
    assert {"harness", "python", "pulumi", "moto", "boto3"} <= set(results["versions"])

    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "0", "0")
    assert len(_junit_cases(suite)) == 5
    assert not list(suite.iter("failure"))


def test_mutant_fails_on_the_requirement_it_breaks(graded):
    result, results, suite = graded("mutant:short-retention")

    assert result.exit_code == 1
    assert results["passed"] is False and results["exit_code"] == 1
    assert result.failing_requirements() == {"R2"}
    reqs = {r["id"]: r for r in results["requirements"]}
    assert reqs["R1"]["passed"] is True
    assert reqs["R2"]["passed"] is False
    assert "retention is not one day" in reqs["R2"]["reason"]
    assert results["score"]["requirements_passed"] == 1
    # The harness's own checks still pass: it deployed, converged and tore down.
    harness_checks = {c["id"]: c["outcome"] for c in results["checks"] if not c["requirement"]}
    assert harness_checks == {"deploy": "passed", "converge": "passed", "teardown": "passed"}

    assert (suite.get("tests"), suite.get("failures")) == ("5", "1")
    [failed] = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed.get("classname") == "tiny-queue.R2"
    assert "retention is not one day" in failed.find("failure").get("message")

    console = Console(file=io.StringIO(), width=200)
    report.print_summary(console, result)
    summary = console.file.getvalue()
    assert "FAILED 1/2 requirements" in summary
    [r2_row] = [line for line in summary.splitlines() if "R2" in line]
    assert "FAIL" in r2_row
