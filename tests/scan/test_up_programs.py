"""`kata up` on the fixture programs (tests/fixtures/programs): those whose types the local
engine supports deploy, converge and tear down; the one it cannot deploy fails naming every
unsupported type; StackReference is read through a three-level chain of one run."""

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

        company = pulumi.StackReference("organization/stack-chain-company/dev")
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
    # The hosted zone a real account would already have, so the static site's get_zone
    # finds it and the deploy gets as far as the types the engine cannot deploy.
    zone = _program(
        tmp / "zone",
        "zone",
        """
        import pulumi_aws as aws

        aws.route53.Zone("example", name="example.com")
        """,
    )
    dirs = [
        PROGRAMS / "s3-site-from-folder",  # one BucketObject per file of a folder
        PROGRAMS / "secrets-manager-secret",
        PROGRAMS / "ec2-web-server",  # get_ami answered from moto's AMI table
        PROGRAMS / "step-functions-lambda",
        PROGRAMS / "iam-assume-role-pair",
        PROGRAMS / "stack-chain" / "company",
        PROGRAMS / "stack-chain" / "department",
        PROGRAMS / "stack-chain" / "team",
        reader,
        dangling,
        zone,
        PROGRAMS / "cdn-static-site",
    ]
    backend = tmp / "backend"
    console = Console(file=open(tmp / "console.txt", "w"), width=120)  # noqa: SIM115
    found = up_programs(dirs, UpOptions(backend=backend), console)
    return {o.program.project: o for o in found}


@pytest.mark.parametrize(
    "project",
    [
        "s3-site-from-folder",
        "secrets-manager-secret",
        "ec2-web-server",
        "step-functions-lambda",
        "iam-assume-role-pair",
        "stack-chain-company",
        "stack-chain-department",
        "stack-chain-team",
        "reader",
    ],
)
def test_deploys_converges_and_tears_down(outcomes: dict[str, UpOutcome], project: str) -> None:
    outcome = outcomes[project]
    stages = {r.id: r.outcome for r in outcome.results}
    assert outcome.ok, [r.message for r in outcome.results if r.outcome != Outcome.PASSED]
    assert stages["deploy"] == stages["converge"] == Outcome.PASSED
    if project not in ("stack-chain-company", "stack-chain-department"):  # with resources
        assert stages["teardown"] == Outcome.PASSED


def test_get_ami_gave_an_image_the_emulator_has(outcomes: dict[str, UpOutcome]) -> None:
    state = outcomes["ec2-web-server"].state
    assert state is not None
    server = state.named("web")
    assert server.inputs["ami"].startswith("ami-") and server.id.startswith("i-")
    # get_availability_zones answered by the emulator; the instance landed in its first zone
    assert server.inputs["availabilityZone"] == server.outputs["availabilityZone"] == "us-east-1a"


def test_a_folder_is_uploaded_file_by_file(outcomes: dict[str, UpOutcome]) -> None:
    state = outcomes["s3-site-from-folder"].state
    assert state is not None
    objects = state.of_type("aws:s3/bucketObject:BucketObject")
    keys = {r.outputs["key"]: r.outputs for r in objects}
    assert sorted(keys) == ["css/site.css", "error.html", "index.html"]
    assert keys["index.html"]["contentType"] == "text/html"


def test_a_three_level_chain_reaches_the_bottom(outcomes: dict[str, UpOutcome]) -> None:
    state = outcomes["stack-chain-team"].state
    assert state is not None and state.outputs["company"] == "Northwind"
    tags = state.named("build-host").outputs["tags"]
    # company -> department -> team: each value passed down the chain and onto the instance
    assert tags == {
        "Name": "build-host",
        "Team": "Routing",
        "Department": "Logistics",
        "Company": "Northwind",
        "CostCentre": "4100",
    }


def test_what_the_engine_cannot_deploy_is_named_by_up(outcomes: dict[str, UpOutcome]) -> None:
    deploy = next(r for r in outcomes["cdn-static-site"].results if r.id == "deploy")
    assert deploy.outcome == Outcome.FAILED and "\n" not in deploy.message
    # The certificate is the first unsupported type the program registers (the validation
    # and the distribution wait for its outputs); the objects' ACL is an input not applied.
    assert "does not support aws:acm/certificate:Certificate" in deploy.message
    for key in ("content/index.html", "content/missing.html"):
        assert f"'{key}': the local engine does not apply acl" in deploy.message


def test_stack_reference_reads_the_earlier_stacks_outputs(
    outcomes: dict[str, UpOutcome],
) -> None:
    state = outcomes["reader"].state
    assert state is not None and state.outputs == {"company": "Northwind"}
    parameter = state.named("company")
    assert parameter.type == "aws:ssm/parameter:Parameter" and parameter.id
    assert parameter.outputs["value"] == "Northwind"  # what the emulator was given


def test_a_missing_stack_is_one_line(outcomes: dict[str, UpOutcome]) -> None:
    deploy = next(r for r in outcomes["dangling"].results if r.id == "deploy")
    assert deploy.outcome == Outcome.FAILED
    assert "\n" not in deploy.message
    assert "StackReference 'organization/nowhere/prod': no stack nowhere/prod" in deploy.message
    assert "AssertionError" not in deploy.message
