"""The policy verdict rests on deployed values, not on the preview (issue 17, class 1).

A policy document built from another resource's outputs (``json.dumps`` inside
``apply`` over a KMS key's ARN) is unknown at synth. Scanning the preview made the
enforced checks "match no resource", so a correct program failed and a wrong one
failed for the wrong reason. The tiny kata below enforces CKV_AWS_355 ("no Resource
'*' for actions that support resource-level permissions") on such a document.
"""

from __future__ import annotations

import textwrap

import pytest

from harness.context import RunOptions
from harness.engines.state import ResourceState
from harness.kata import parse_kata
from harness.policy.tfplan import UNKNOWN
from harness.results import CheckResult, Outcome, Stage
from harness.runner import run_kata
from harness.stages import policy

PROGRAM = """
    import json

    import pulumi
    import pulumi_aws as aws

    key = aws.kms.Key("data", description="data key", enable_key_rotation=True)
    aws.iam.Policy(
        "decrypt",
        policy=key.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": RESOURCE}
                    ],
                }
            )
        ),
    )
    pulumi.export("keyArn", key.arn)
"""
KATA_FILES = {
    "kata.yaml": """
        title: Deployed policy kata
        difficulty: beginner
        timebox_minutes: 5
        topics: [testing]
        candidate_files: [__main__.py]
        requirements:
          R1: The decrypt policy names its key
        policies:
          - {check: CKV_AWS_355, requirement: R1}
        mutants: {}
        config:
          aws:region: us-east-1
    """,
    "SPEC.md": "# Deployed policy kata\n",
    "hints.md": "Name the key.\n",
    "Pulumi.yaml": "name: deployed-policy\nruntime: python\n",
    "__main__.py": PROGRAM.replace("RESOURCE", '"*"'),
    "solution/__main__.py": PROGRAM.replace("RESOURCE", "arn"),
    "tests/test_x.py": """
        import pytest


        @pytest.mark.requirement("R1")
        def test_key_exists(stack, aws):
            \"\"\"The exported key exists\"\"\"
            aws("kms").describe_key(KeyId=stack.outputs["keyArn"])
    """,
}


@pytest.fixture
def graded(tmp_path, moto_emulator):
    kata_dir = tmp_path / "deployed-policy"
    for name, text in KATA_FILES.items():
        (kata_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (kata_dir / name).write_text(textwrap.dedent(text).lstrip())
    (kata_dir / "mutants").mkdir()
    kata = parse_kata(kata_dir)

    def grade(variant):
        options = RunOptions(variant=variant, out_dir=tmp_path / variant)
        return run_kata(kata, options, emulator=moto_emulator)

    return grade


def _policy(result, check_id="CKV_AWS_355"):
    return [r for r in result.results if r.stage == Stage.POLICY and r.id == check_id]


@pytest.mark.slow
def test_a_document_unknown_at_synth_is_judged_on_its_deployed_value(graded):
    result = graded("solution")
    found = _policy(result)
    assert [(r.resource, r.outcome) for r in found] == [("decrypt", Outcome.PASSED)], found
    timing = next(t for t in result.timings if t.stage == "policy")
    assert "deployed graph" in timing.detail
    assert result.passed


@pytest.mark.slow
def test_a_wildcard_hidden_in_an_apply_fails_on_the_deployed_value(graded):
    result = graded("starter")
    found = _policy(result)
    assert [(r.resource, r.outcome) for r in found] == [("decrypt", Outcome.FAILED)], found
    assert "decrypt" in found[0].message
    assert result.failing_requirements() == {"R1"}


def _resource(**inputs) -> ResourceState:
    return ResourceState(
        urn="urn:x::decrypt", type="aws:iam/policy:Policy", name="decrypt", inputs=inputs
    )


def test_unknown_inputs_are_found_at_any_depth():
    res = _resource(policy=UNKNOWN, name="p", tags={"a": [UNKNOWN]}, description="d")
    assert policy.unknown_inputs(res) == ["policy", "tags"]
    assert policy.unknown_inputs(_resource(policy="{}")) == []


@pytest.mark.parametrize("outcome", [Outcome.PASSED, Outcome.FAILED])
def test_a_preview_verdict_on_an_unknown_value_is_not_evaluable(outcome):
    graph = [_resource(policy=UNKNOWN)]
    verdict = CheckResult(
        id="CKV_AWS_355", stage=Stage.POLICY, requirement="R1", outcome=outcome, resource="decrypt"
    )
    judged = policy._unknown_at_synth(verdict, graph)
    assert judged.outcome == Outcome.NOT_EVALUABLE
    assert judged.message.startswith("not evaluable: decrypt (aws:iam/policy:Policy)")
    assert "policy" in judged.message


def test_a_preview_verdict_on_known_values_stands():
    graph = [_resource(policy='{"Statement": []}')]
    verdict = CheckResult(
        id="CKV_AWS_355",
        stage=Stage.POLICY,
        requirement="R1",
        outcome=Outcome.FAILED,
        resource="decrypt",
        message="Resource * on kms:Decrypt",
    )
    assert policy._unknown_at_synth(verdict, graph).outcome == Outcome.FAILED


def test_advisory_findings_are_left_alone():
    graph = [_resource(policy=UNKNOWN)]
    verdict = CheckResult(
        id="CKV_AWS_1",
        stage=Stage.POLICY,
        requirement=None,
        outcome=Outcome.FAILED,
        resource="decrypt",
        enforced=False,
    )
    assert policy._unknown_at_synth(verdict, graph).outcome == Outcome.FAILED
