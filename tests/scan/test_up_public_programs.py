"""`kata up` on the public programs whose types the local engine supports, and StackReference
between stacks of one run (the company/department programs of aws-py-stackreference)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from harness.commands.up import UpOptions, UpOutcome, up_programs
from harness.results import Outcome

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "programs"


def _program(root: Path, name: str, main: str, config: str = "") -> Path:
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text(f"config:\n  aws:region: us-east-1\n{config}")
    (root / "__main__.py").write_text(textwrap.dedent(main))
    return root


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, UpOutcome]:
    tmp = tmp_path_factory.mktemp("up")
    # Reads the company stack deployed before it in the same run, and puts the value
    # into a resource, so the emulator shows what the reference resolved to.
    reader = _program(
        tmp / "reader",
        "reader",
        """
        import pulumi
        import pulumi_aws as aws

        company = pulumi.StackReference("organization/aws-py-stackreference-company/dev")
        name = company.get_output("companyName")
        aws.ssm.Parameter("company", type="String", value=name)
        pulumi.export("company", name)
        """,
    )
    dangling = _program(
        tmp / "dangling",
        "dangling",
        """
        import pulumi

        other = pulumi.StackReference("organization/nowhere/prod")
        pulumi.export("x", other.get_output("x"))
        """,
    )
    dirs = [
        PROGRAMS / "aws-py-s3-folder",  # a BucketObject named after the resource
        PROGRAMS / "aws-py-secrets-manager",
        PROGRAMS / "aws-py-webserver",  # get_ami answered from moto's AMI table
        PROGRAMS / "aws-py-stepfunctions",
        PROGRAMS / "aws-py-assume-role-create-role",
        PROGRAMS / "aws-py-stackreference" / "company",
        PROGRAMS / "aws-py-stackreference" / "department",
        reader,
        dangling,
    ]
    backend = tmp / "backend"
    console = Console(file=open(tmp / "console.txt", "w"), width=120)  # noqa: SIM115
    found = up_programs(dirs, UpOptions(backend=backend), console)
    return {o.program.project: o for o in found}


@pytest.mark.parametrize(
    "project",
    [
        "s3-folder",
        "aws-py-secrets-manager",
        "webserver-py",
        "stepfunctions-py",
        "create-role",
        "aws-py-stackreference-company",
        "aws-py-stackreference-department",
        "reader",
    ],
)
def test_deploys_converges_and_tears_down(outcomes: dict[str, UpOutcome], project: str) -> None:
    outcome = outcomes[project]
    stages = {r.id: r.outcome for r in outcome.results}
    assert outcome.ok, [r.message for r in outcome.results if r.outcome != Outcome.PASSED]
    assert stages["deploy"] == stages["converge"] == Outcome.PASSED
    if not project.startswith("aws-py-stackreference-"):  # stacks with resources
        assert stages["teardown"] == Outcome.PASSED


def test_get_ami_gave_an_image_the_emulator_has(outcomes: dict[str, UpOutcome]) -> None:
    state = outcomes["webserver-py"].state
    assert state is not None
    server = state.named("web-server-www")
    assert server.inputs["ami"].startswith("ami-") and server.id.startswith("i-")


def test_stack_reference_reads_the_earlier_stacks_outputs(
    outcomes: dict[str, UpOutcome],
) -> None:
    state = outcomes["reader"].state
    assert state is not None and state.outputs == {"company": "ACMECorp"}
    parameter = state.named("company")
    assert parameter.type == "aws:ssm/parameter:Parameter" and parameter.id
    assert parameter.outputs["value"] == "ACMECorp"  # what the emulator was given


def test_a_missing_stack_is_one_line(outcomes: dict[str, UpOutcome]) -> None:
    deploy = next(r for r in outcomes["dangling"].results if r.id == "deploy")
    assert deploy.outcome == Outcome.FAILED
    assert "\n" not in deploy.message
    assert "StackReference 'organization/nowhere/prod': no stack nowhere/prod" in deploy.message
    assert "AssertionError" not in deploy.message
