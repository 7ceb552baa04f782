"""`kata scan` on public programs nobody wrote for this harness (tests/fixtures/programs).

Each program is scanned once (its run and checkov take seconds); the assertions name a
finding a reader can verify in the program's source, so a scan that returned nothing,
or the same verdicts whatever the program says, fails here.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.commands.scan import ScanOptions, ScanReport, checkov_command, scan_program
from harness.errors import ProgramError
from harness.results import Outcome

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "programs"

# program -> (check, resource) pairs that must fail: each one is visible in its source.
EXPECTED_FAILURES = {
    # website bucket without versioning; the public-read policy makes no difference to it
    "aws-py-s3-folder": {("CKV_AWS_21", "s3-website-bucket")},
    # port 80 open to 0.0.0.0/0; the instance does not require IMDSv2
    "aws-py-webserver": {("CKV_AWS_260", "web-secgrp"), ("CKV_AWS_79", "web-server-www")},
    # the secret is encrypted with the AWS-managed key, not a CMK
    "aws-py-secrets-manager": {("CKV_AWS_149", "secret")},
    # python3.7 is a deprecated Lambda runtime; the state machine logs nothing
    "aws-py-stepfunctions": {
        ("CKV_AWS_363", "helloWorldFunction"),
        ("CKV_AWS_284", "stateMachine"),
    },
    # s3:* on * for the role
    "aws-py-assume-role-create-role": {("CKV_AWS_355", "allow-s3-management-policy")},
    # a CloudFront distribution (a type the local engine cannot deploy) without a WAF
    "aws-py-static-website": {("CKV_AWS_68", "cdn"), ("CKV_AWS_20", "contentBucket")},
}
# These only export configuration (no resources): they scan, with nothing to report.
EMPTY = ["aws-py-stackreference/company", "aws-py-stackreference/department"]


@pytest.fixture(scope="module")
def reports() -> dict[str, ScanReport]:
    return {
        name: scan_program(PROGRAMS / name, ScanOptions(sandbox="auto"))
        for name in [*EXPECTED_FAILURES, *EMPTY]
    }


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_scan_finds_what_the_source_shows(reports: dict[str, ScanReport], name: str) -> None:
    report = reports[name]
    failed = {(r.id, r.resource) for r in report.failed}
    assert EXPECTED_FAILURES[name] <= failed, failed
    # checkov also passed something on the same graph: it judged values, not absence.
    assert report.passed or name == "aws-py-secrets-manager"
    for r in report.failed:
        assert r.source and r.source.startswith(("__main__.py:", "iam.py:")), r


@pytest.mark.parametrize("name", EMPTY)
def test_programs_without_resources_scan_clean(reports: dict[str, ScanReport], name: str) -> None:
    assert reports[name].results == [] and reports[name].program.stack == "dev"


def test_types_without_an_adapter_are_scanned_by_their_inputs(
    reports: dict[str, ScanReport],
) -> None:
    report = reports["aws-py-static-website"]
    cdn = next(r for r in report.resources if r.name == "cdn")
    assert cdn.type == "aws:cloudfront/distribution:Distribution"
    assert cdn.inputs["defaultRootObject"] == "index.html"
    assert report.not_mapped == []
    # The viewer certificate's ARN comes from a resource not yet created: unknown, and a
    # verdict that reads it says so instead of passing or failing.
    unknown = {(r.id, r.resource) for r in report.unknown}
    assert ("CKV_AWS_174", "cdn") in unknown
    assert all("unknown until deploy" in r.message for r in report.unknown)


def test_lookups_answer_plausibly_without_an_emulator(reports: dict[str, ScanReport]) -> None:
    server = next(r for r in reports["aws-py-webserver"].resources if r.name == "web-server-www")
    assert server.inputs["ami"].startswith("ami-")  # get_ami, from moto's AMI table
    record = next(r for r in reports["aws-py-static-website"].resources if r.name.endswith("com"))
    assert record.inputs["zoneId"].startswith("Z")  # route53.get_zone


def test_a_program_for_an_older_pulumi_aws_is_one_line(tmp_path: Path) -> None:
    # aws-py-stackreference/team imports get_ami from pulumi_aws's top level, which
    # pulumi-aws 6 removed: the scan names the line, as Python would.
    with pytest.raises(ProgramError, match=r"__main__\.py:2: ImportError: cannot import name"):
        scan_program(PROGRAMS / "aws-py-stackreference" / "team", ScanOptions())


def test_cli_exit_codes_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = PROGRAMS / "aws-py-secrets-manager"
    out_json, out_sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    code = main(["scan", str(program), "--json", str(out_json), "--sarif", str(out_sarif)])
    assert code == 1  # CKV_AWS_149 fails
    document = json.loads(out_json.read_text())
    assert document["summary"]["failed"] >= 1 and document["project"] == "aws-py-secrets-manager"
    sarif = json.loads(out_sarif.read_text())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"CKV_AWS_149"}
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 7  # `secret = secretsmanager.Secret("secret")`
    # --skip-check as checkov: the failing checks skipped, nothing fails.
    assert main(["scan", str(program), "--skip-check", "CKV_AWS_149,CKV2_AWS_57"]) == 0
    capsys.readouterr()


def test_check_selection_is_checkovs() -> None:
    def command(options: ScanOptions) -> list[str]:
        return checkov_command(Path("python"), [], Path("out"), options)

    plain = command(ScanOptions(checks=["CKV_AWS_149", "CKV2_AWS_57"], skip_checks=["CKV_AWS_1"]))
    assert plain[plain.index("--check") + 1] == "CKV_AWS_149,CKV2_AWS_57"
    assert plain[plain.index("--skip-check") + 1] == "CKV_AWS_1"
    assert "--external-checks-dir" not in plain  # the katas' checks only on request
    assert "--external-checks-dir" in command(ScanOptions(kata_checks=True))
    assert "--external-checks-dir" in command(ScanOptions(checks=["CKV_KATA_7"]))


def test_kata_checks_only_on_request(reports: dict[str, ScanReport]) -> None:
    program = PROGRAMS / "aws-py-s3-folder"
    assert not any(r.id.startswith("CKV_KATA") for r in reports["aws-py-s3-folder"].results)
    with_kata = scan_program(program, ScanOptions(kata_checks=True))
    assert any(r.id.startswith("CKV_KATA") for r in with_kata.results)


def test_missing_package_and_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: needs-random\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """
            import pulumi_random
            import pulumi_awsx

            pulumi_random.RandomPet("pet")
            """
        )
    )
    assert main(["scan", str(tmp_path)]) == 2
    printed = capsys.readouterr().out
    assert "the program imports pulumi_awsx, pulumi_random, not installed" in printed
    assert main(["scan", str(tmp_path / "nowhere")]) == 2
    assert "no Pulumi.yaml" in capsys.readouterr().out


def test_secure_config_is_unknown_not_a_value(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: sec\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  sec:password:\n    secure: AAABAKz1\n"
    )
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """
            import pulumi
            import pulumi_aws as aws

            password = pulumi.Config().require_secret("password")
            aws.ssm.Parameter("p", type="SecureString", value=password)
            """
        )
    )
    report = scan_program(tmp_path, ScanOptions())
    parameter = next(r for r in report.resources if r.name == "p")
    assert parameter.region == "eu-west-1"
    assert "value" in _unknown(parameter.inputs)
    assert report.program.secure_keys == ["sec:password"]
    assert all(r.outcome != Outcome.ERROR for r in report.results)


def _unknown(inputs: dict[str, object]) -> set[str]:
    from harness.engines.state import ResourceState
    from harness.stages.policy import unknown_inputs

    return set(unknown_inputs(ResourceState(urn="u", type="t", name="n", inputs=inputs)))
