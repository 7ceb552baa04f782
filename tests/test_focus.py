"""A focused run (kata verify's mutant runs) runs only its requirements' checks.

A mutant must fail on the requirements it names and is asked nothing else, so verify
runs only those requirements' checks, scans only when an enforced policy belongs to
them, and skips the convergence preview: the suite's 180-odd mutant runs cost half.
"""

from __future__ import annotations

import textwrap

import pytest

from harness.kata import parse_kata
from harness.kata_format.diffs import make_diff
from harness.results import Stage
from harness.runner import run_kata
from harness.verify import caught_on, options_for

KATA_FILES = {
    "kata.yaml": """
        title: Focus kata
        difficulty: beginner
        timebox_minutes: 5
        topics: [testing]
        candidate_files: [__main__.py]
        requirements:
          R1: The stack exports its queue URL
          R2: The queue keeps messages for a day
        mutants:
          short-retention: {breaks: [R2], mistake: The retention is left at four days.}
        config:
          aws:region: us-east-1
    """,
    "SPEC.md": "# Focus kata\n",
    "hints.md": "-\n",
    "Pulumi.yaml": "name: focus\nruntime: python\n",
    "__main__.py": "import pulumi_aws as aws\n\naws.sqs.Queue('jobs')\n",
    "solution/__main__.py": """
        import pulumi
        import pulumi_aws as aws

        queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
        pulumi.export("queueUrl", queue.url)
    """,
    "tests/test_x.py": """
        import pytest


        @pytest.mark.requirement("R1")
        def test_exports_the_queue_url(stack):
            assert "queueUrl" in stack.outputs, "R1: no queueUrl export"


        @pytest.mark.requirement("R2")
        def test_keeps_messages_for_a_day(stack, aws):
            attrs = aws("sqs").get_queue_attributes(
                QueueUrl=stack.outputs["queueUrl"], AttributeNames=["MessageRetentionPeriod"]
            )["Attributes"]
            assert attrs["MessageRetentionPeriod"] == "86400", "R2: retention is not one day"
    """,
}


@pytest.fixture
def kata(tmp_path):
    kata_dir = tmp_path / "focus"
    for name, text in KATA_FILES.items():
        (kata_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (kata_dir / name).write_text(textwrap.dedent(text).lstrip())
    solution = (kata_dir / "solution/__main__.py").read_text()
    mutant = solution.replace(", message_retention_seconds=86400", "")
    diff = make_diff({"__main__.py": solution}, {"__main__.py": mutant})
    (kata_dir / "mutants").mkdir()
    (kata_dir / "mutants/short-retention.diff").write_text(diff)
    return parse_kata(kata_dir)


def test_a_mutant_runs_only_the_checks_of_what_it_breaks(kata, tmp_path, moto_emulator):
    options = options_for(kata, "mutant:short-retention", out_dir=tmp_path / "m", policy=False)
    assert options.focus == ("R2",)
    result = run_kata(kata, options, emulator=moto_emulator)
    behavior = [r for r in result.results if r.stage == Stage.BEHAVIOR]
    assert [r.requirement for r in behavior] == ["R2"], behavior
    assert not any(r.stage == Stage.CONVERGE for r in result.results)
    assert caught_on(result, ("R2",))[0]
    assert any(r.id == "teardown" and r.outcome == "passed" for r in result.results)


def test_the_solution_is_graded_whole(kata, tmp_path, moto_emulator):
    options = options_for(kata, "solution", out_dir=tmp_path / "s", policy=False)
    assert options.focus == ()
    result = run_kata(kata, options, emulator=moto_emulator)
    assert {r.requirement for r in result.results if r.stage == Stage.BEHAVIOR} == {"R1", "R2"}
    assert any(r.stage == Stage.CONVERGE for r in result.results)
    assert result.passed
