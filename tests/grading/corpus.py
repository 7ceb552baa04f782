"""The bad-input corpus's kata and helpers (the fixtures are in conftest.py).

The kata: R1 "the stack exports its queue URL", R2 "the queue keeps messages for a day".
A run is a few seconds (its own emulator and sandbox), so the corpus stays small.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness import procs
from harness.runner import RunResult
from harness.sandbox import Sandbox, SandboxUnavailable

SLUG = "tiny-queue"
SOLUTION = """
    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    pulumi.export("queueUrl", queue.url)
"""
MUTANT = """
    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs")
    pulumi.export("queueUrl", queue.url)
"""
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
    "solution/__main__.py": SOLUTION,
    "mutants/short-retention/__main__.py": MUTANT,
    "tests/test_queue.py": """
        import pytest


        @pytest.mark.requirement("R1")
        def test_exports_the_queue_url(stack, aws):
            aws("sqs").get_queue_attributes(QueueUrl=stack.outputs["queueUrl"])


        @pytest.mark.requirement("R2")
        def test_keeps_messages_for_a_day(stack, aws):
            attrs = aws("sqs").get_queue_attributes(
                QueueUrl=stack.outputs["queueUrl"], AttributeNames=["MessageRetentionPeriod"]
            )["Attributes"]
            assert attrs["MessageRetentionPeriod"] == "86400", "retention is not one day"
    """,
}
# Files of the trusted checkout outside the kata, so a fork can tamper with them too.
REPO_FILES = {
    "noxfile.py": "# the trusted noxfile\n",
    "harness/runner.py": "# the trusted harness\n",
    "policies/ckv_kata_9_queue.py": "# a trusted custom check\n",
}


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip())


def sandbox_works() -> bool:
    root = Path(tempfile.mkdtemp(prefix="kata-probe-"))
    try:
        Sandbox(root / "sandbox").stop()
        return True
    except SandboxUnavailable:
        return False
    finally:
        shutil.rmtree(root, ignore_errors=True)


SANDBOX = sandbox_works()
needs_sandbox = pytest.mark.skipif(not SANDBOX, reason="no user+network namespaces here")


def descendants(pid: int | None = None) -> set[int]:
    """Every live process below ours (zombies are already gone)."""
    now = procs.table()
    return {p for p in procs.descendants(pid or os.getpid(), now) if now[p].state != "Z"}


def signature(result: RunResult) -> tuple:
    """What a grade decided, without timings or paths."""
    return (
        result.passed,
        result.exit_code,
        sorted((r.id, str(r.outcome), r.requirement or "") for r in result.results),
        sorted(r.requirement for r in result.results if r.blocking and r.requirement),
    )


def program(source: str, **values: object) -> str:
    """A program template with ``{NAME}`` placeholders filled in (as Python literals)."""
    text = textwrap.dedent(source)
    for key, value in values.items():
        text = text.replace("{" + key + "}", repr(value))
    return text
