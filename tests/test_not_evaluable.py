"""The third outcome: a check the emulator cannot show is *not evaluable*, never a pass.

A tiny kata: R1 is verified (the queue exists), R2's check says the emulator cannot
show it. Nothing failed, so the run is incomplete: exit 3, verdict "incomplete" in
results.json, a skipped JUnit case with the reason, and a warning row in summary.md.
When R1 fails too, 1 wins.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET

import pytest

from harness import report
from harness.context import RunOptions
from harness.errors import EXIT_FAILED, EXIT_INCOMPLETE
from harness.kata import parse_kata
from harness.runner import run_kata

KATA_FILES = {
    "kata.yaml": """
        title: Incomplete kata
        difficulty: beginner
        timebox_minutes: 5
        topics: [testing]
        candidate_files: [__main__.py]
        requirements:
          R1: The stack exports its queue URL
          R2: Only the worker may read the queue
        mutants: {}
        config:
          aws:region: us-east-1
    """,
    "SPEC.md": "# Incomplete kata\n",
    "hints.md": "-\n",
    "Pulumi.yaml": "name: incomplete\nruntime: python\n",
    "__main__.py": """
        import pulumi_aws as aws

        aws.sqs.Queue("jobs")
    """,
    "solution/__main__.py": """
        import pulumi
        import pulumi_aws as aws

        pulumi.export("queueUrl", aws.sqs.Queue("jobs").url)
    """,
    "tests/test_x.py": """
        import pytest

        from harness.pytest_plugin import not_evaluable


        @pytest.mark.requirement("R1")
        def test_exports_the_queue_url(stack, aws):
            assert "queueUrl" in stack.outputs, "R1: the stack exports no queueUrl"
            aws("sqs").get_queue_attributes(QueueUrl=stack.outputs["queueUrl"])


        @pytest.mark.requirement("R2")
        def test_only_the_worker_reads(stack):
            not_evaluable("test-emulator", "IAM is not enforced, so no read can be denied")
    """,
}


@pytest.fixture
def graded(tmp_path, moto_emulator):
    kata_dir = tmp_path / "incomplete"
    for name, text in KATA_FILES.items():
        (kata_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (kata_dir / name).write_text(textwrap.dedent(text).lstrip())
    (kata_dir / "mutants").mkdir()
    kata = parse_kata(kata_dir)

    def grade(variant):
        out = tmp_path / variant.replace("/", "_").replace(":", "-")
        result = run_kata(
            kata, RunOptions(variant=variant, policy=False, out_dir=out), emulator=moto_emulator
        )
        report.write_all(result)
        return result, out

    return grade


def test_nothing_failed_but_something_was_not_evaluable_is_incomplete(graded):
    result, out = graded("solution")
    assert result.verdict == "incomplete" and result.exit_code == EXIT_INCOMPLETE
    doc = json.loads((out / "results.json").read_text())
    assert doc["verdict"] == "incomplete" and doc["passed"] is False and doc["exit_code"] == 3
    rows = {r["id"]: r for r in doc["requirements"]}
    assert rows["R1"]["status"] == "passed"
    assert rows["R2"]["status"] == "not_evaluable"
    assert rows["R2"]["reason"] == (
        "not evaluable on test-emulator: IAM is not enforced, so no read can be denied"
    )
    suite = ET.parse(out / "junit.xml").getroot()
    assert suite.get("skipped") == "1" and suite.get("failures") == "0"
    skipped = [c for c in suite.iter("testcase") if c.find("skipped") is not None]
    assert len(skipped) == 1 and "IAM is not enforced" in skipped[0].find("skipped").get("message")
    summary = (out / "summary.md").read_text()
    assert "INCOMPLETE" in summary and "1 not evaluable on this emulator" in summary


def test_a_failure_wins_over_not_evaluable(graded):
    result, _ = graded("starter")  # exports nothing: R1 fails
    assert result.verdict == "failed" and result.exit_code == EXIT_FAILED
    assert result.failing_requirements() == {"R1"}


def test_valid_pulumi_the_local_engine_cannot_apply_is_not_evaluable(graded, tmp_path):
    # An input of a supported type that the engine does not apply (a bucket's logging
    # block) stops the run in one line; that is the engine's limit, not the candidate's
    # mistake, so nothing is judged: exit 3, every requirement not evaluable, never FAIL.
    program = tmp_path / "program"
    program.mkdir()
    (program / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\n"
        "logs = aws.s3.Bucket('logs')\n"
        "aws.s3.Bucket('data', logging={'target_bucket': logs.id, 'target_prefix': 'x/'})\n"
        "pulumi.export('queueUrl', aws.sqs.Queue('jobs').url)\n"
    )
    result, out = graded(f"program:{program}")
    assert result.verdict == "incomplete" and result.exit_code == EXIT_INCOMPLETE
    doc = json.loads((out / "results.json").read_text())
    assert {r["status"] for r in doc["requirements"]} == {"not_evaluable"}
    reason = doc["requirements"][0]["reason"]
    assert reason.startswith("not evaluable on the local engine:") and "logging" in reason
