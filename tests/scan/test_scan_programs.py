"""`kata scan` on idiomatic Pulumi programs not written to suit the harness
(tests/fixtures/programs: our own, in the idioms of public examples).

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
    # website bucket without versioning; its public-access block switched off, clause by clause
    "s3-site-from-folder": {
        ("CKV_AWS_21", "site"),
        ("CKV_AWS_53", "site-public"),
        ("CKV_AWS_54", "site-public"),
    },
    # port 80 open to 0.0.0.0/0; the instance does not require IMDSv2
    "ec2-web-server": {("CKV_AWS_260", "http-from-anywhere"), ("CKV_AWS_79", "web")},
    # the secret is encrypted with the AWS-managed key, not a CMK, and never rotates
    "secrets-manager-secret": {("CKV_AWS_149", "db-credential"), ("CKV2_AWS_57", "db-credential")},
    # python3.9 is a deprecated Lambda runtime; the state machine neither traces nor logs
    "step-functions-lambda": {
        ("CKV_AWS_363", "greet"),
        ("CKV_AWS_363", "shout"),
        ("CKV_AWS_284", "greeting"),
        ("CKV_AWS_285", "greeting"),
    },
    # s3:* on * for the role; an IAM user with access keys instead of SSO
    "iam-assume-role-pair": {("CKV_AWS_355", "storage-admin-s3"), ("CKV_AWS_273", "operator")},
    # a CloudFront distribution (a type the local engine cannot deploy) without a WAF; a
    # public-read content bucket
    "cdn-static-site": {("CKV_AWS_68", "cdn"), ("CKV_AWS_20", "content")},
    # a build host reading the chain: IMDSv1 left on, its root volume unencrypted
    "stack-chain/team": {("CKV_AWS_79", "build-host"), ("CKV_AWS_8", "build-host")},
}
# The top two levels of the chain only publish configuration: they scan, with nothing to report.
EMPTY = ["stack-chain/company", "stack-chain/department"]
# What the source gets right, and checkov must say so: a verdict from values, not absence.
EXPECTED_PASSES = {
    # no SSH open to the world, every rule described, no secret in the boot script
    "ec2-web-server": {
        ("CKV_AWS_24", "http-from-anywhere"),
        ("CKV_AWS_23", "http-from-anywhere"),
        ("CKV_AWS_46", "web"),
    },
    # s3:* is not *:*
    "iam-assume-role-pair": {("CKV_AWS_62", "storage-admin-s3")},
}


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
    assert report.passed or name == "secrets-manager-secret"
    for r in report.failed:
        assert r.source and r.source.startswith(("__main__.py:", "roles.py:")), r


@pytest.mark.parametrize("name", sorted(EXPECTED_PASSES))
def test_scan_passes_what_the_source_gets_right(reports: dict[str, ScanReport], name: str) -> None:
    passed = {(r.id, r.resource) for r in reports[name].passed}
    assert EXPECTED_PASSES[name] <= passed, passed


@pytest.mark.parametrize("name", EMPTY)
def test_programs_without_resources_scan_clean(reports: dict[str, ScanReport], name: str) -> None:
    assert reports[name].results == [] and reports[name].program.stack == "dev"


def test_stack_reference_outputs_are_unknown_in_a_scan(reports: dict[str, ScanReport]) -> None:
    host = next(r for r in reports["stack-chain/team"].resources if r.name == "build-host")
    assert host.inputs["tags"]["Team"] == "Routing"  # the program's own config: known
    assert "tags" in _unknown(host.inputs)  # Company etc. come from the department stack


def test_types_without_an_adapter_are_scanned_by_their_inputs(
    reports: dict[str, ScanReport],
) -> None:
    report = reports["cdn-static-site"]
    cdn = next(r for r in report.resources if r.name == "cdn")
    assert cdn.type == "aws:cloudfront/distribution:Distribution"
    assert cdn.inputs["defaultRootObject"] == "index.html"
    assert report.not_mapped == []
    # The viewer certificate's ARN comes from a resource not yet created: unknown, and a
    # verdict that reads it says so instead of passing or failing.
    unknown = {(r.id, r.resource) for r in report.unknown}
    assert ("CKV_AWS_174", "cdn") in unknown
    assert all("unknown until deploy" in r.message for r in report.unknown)


def test_asset_folders_become_one_object_per_file(reports: dict[str, ScanReport]) -> None:
    objects = {
        r.name: r.inputs
        for r in reports["s3-site-from-folder"].resources
        if r.type == "aws:s3/bucketObject:BucketObject"
    }
    assert sorted(objects) == ["css/site.css", "error.html", "index.html"]
    assert objects["css/site.css"]["contentType"] == "text/css"


def test_lookups_answer_plausibly_without_an_emulator(reports: dict[str, ScanReport]) -> None:
    server = next(r for r in reports["ec2-web-server"].resources if r.name == "web")
    assert server.inputs["ami"].startswith("ami-")  # get_ami, from moto's AMI table
    assert server.inputs["availabilityZone"].startswith("us-east-1")  # get_availability_zones
    site = reports["cdn-static-site"].resources
    record = next(r for r in site if r.name == "docs.example.com")
    assert record.inputs["zoneId"].startswith("Z")  # route53.get_zone


def test_a_program_for_an_older_pulumi_aws_is_one_line(tmp_path: Path) -> None:
    # pulumi-aws 6 removed get_ami from the package's top level (it lives in aws.ec2):
    # the scan names the line, as Python would.
    (tmp_path / "Pulumi.yaml").write_text("name: old-style\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nfrom pulumi_aws import get_ami\n\npulumi.export('ami', get_ami())\n"
    )
    with pytest.raises(ProgramError, match=r"__main__\.py:2: ImportError: cannot import name"):
        scan_program(tmp_path, ScanOptions())


def test_cli_exit_codes_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = PROGRAMS / "secrets-manager-secret"
    out_json, out_sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    code = main(["scan", str(program), "--json", str(out_json), "--sarif", str(out_sarif)])
    assert code == 1  # CKV_AWS_149 fails
    document = json.loads(out_json.read_text())
    assert document["summary"]["failed"] >= 1 and document["project"] == "secrets-manager-secret"
    sarif = json.loads(out_sarif.read_text())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"CKV_AWS_149"}
    cmk = next(r for r in results if r["ruleId"] == "CKV_AWS_149")
    region = cmk["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 6  # `credential = aws.secretsmanager.Secret(...)`
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
    program = PROGRAMS / "s3-site-from-folder"
    assert not any(r.id.startswith("CKV_KATA") for r in reports["s3-site-from-folder"].results)
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
