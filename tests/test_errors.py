"""Every user error is one line naming the cause, with the right error class and exit code.

Program errors share one engine (and its warm worker); the program is rewritten per test.
"""

from __future__ import annotations

import os
import socket
import textwrap
import time
from pathlib import Path

import pytest

from harness import cli
from harness.emulator import connect_external, free_port, start_embedded
from harness.errors import (
    EXIT_USAGE,
    EmulatorError,
    HarnessError,
    KataFormatError,
    ProgramError,
    ResourceRejected,
    StageTimeout,
    UnsupportedResource,
)
from harness.kata import available_katas, parse_kata

programs = pytest.mark.xdist_group("error-programs")


@pytest.fixture(scope="module")
def engine(project_factory, tmp_path_factory):
    engine = project_factory(tmp_path_factory.mktemp("errors"), "")
    yield engine
    engine.destroy()
    engine.close()


def run(engine, source, op="preview"):
    """Run ``source`` as the program; return the HarnessError it raised."""
    (engine.spec.workdir / "__main__.py").write_text(textwrap.dedent(source).lstrip())
    with pytest.raises(HarnessError) as caught:
        getattr(engine, op)()
    err = caught.value
    assert "\n" not in str(err), str(err)
    assert "Traceback" not in str(err)
    assert err.exit_code == EXIT_USAGE
    return err


@programs
def test_unsupported_resource_type_names_it_and_the_alternatives(engine):
    err = run(
        engine,
        """
        import pulumi_aws as aws

        aws.ec2.VpcEndpoint("s3", vpc_id="vpc-1", service_name="com.amazonaws.us-east-1.s3")
        """,
    )
    assert type(err) is UnsupportedResource
    assert "aws:ec2/vpcEndpoint:VpcEndpoint" in err.message
    # One short line: the supported list is not repeated (README lists it).
    assert "aws:s3/bucket:Bucket" not in str(err) and "aws:iam/role:Role" not in str(err)
    assert "--engine pulumi" in err.hint


@programs
def test_syntax_error_names_file_and_line(engine):
    err = run(
        engine,
        """
        import pulumi_aws as aws

        def broken(:
            pass
        """,
    )
    assert type(err) is ProgramError
    assert err.message.startswith("__main__.py:3: SyntaxError")


@programs
def test_import_error_names_file_and_line(engine):
    err = run(
        engine,
        """
        import pulumi_aws as aws
        import no_such_module_for_katas
        """,
    )
    assert type(err) is ProgramError
    assert err.message == (
        "__main__.py:2: ModuleNotFoundError: No module named 'no_such_module_for_katas'"
    )


@programs
def test_runtime_exception_names_the_line_that_raised(engine):
    err = run(
        engine,
        """
        import pulumi_aws as aws

        def bucket_name(env):
            raise ValueError(f"no bucket name for {env}")

        aws.s3.Bucket("data", bucket=bucket_name("prod"))
        """,
    )
    assert type(err) is ProgramError
    assert err.message == "__main__.py:4: ValueError: no bucket name for prod"


@programs
@pytest.mark.parametrize(
    ("bucket", "code"),
    [
        ("ab", "InvalidBucketName"),  # too short: the emulator refuses it
        ("landing_zone!", "ParamValidationError"),  # botocore refuses it before sending
    ],
)
def test_rejected_bucket_name_names_resource_type_and_code(engine, bucket, code):
    err = run(
        engine,
        f"""
        import pulumi_aws as aws

        aws.s3.Bucket("landing", bucket="{bucket}")
        """,
        op="up",
    )
    assert type(err) is ResourceRejected
    assert err.message.startswith("aws:s3/bucket:Bucket 'landing' was rejected")
    assert code in err.message
    assert "__main__.py:3" in err.hint  # where to fix it


@programs
def test_malformed_policy_json_names_resource_type_and_code(engine):
    err = run(
        engine,
        """
        import json
        import pulumi_aws as aws

        role = aws.iam.Role("svc", assume_role_policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "lambda.amazonaws.com"}}],
        }))
        aws.iam.RolePolicy("svc-inline", role=role.id, policy='{"Version": "2012-10-17", ')
        """,
        op="up",
    )
    assert type(err) is ResourceRejected
    assert "aws:iam/rolePolicy:RolePolicy 'svc-inline'" in err.message
    assert "MalformedPolicyDocument" in err.message
    # The role before it was created, and the state says so: teardown will find it.
    assert [r.name for r in engine.state().managed()] == ["svc"]


def _processes_in(directory: Path) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(os.readlink(f"/proc/{pid}/cwd")) == directory:
                found.append(int(pid))
        except OSError:
            continue  # gone meanwhile, or not ours to inspect
    return found


def test_hanging_program_times_out_and_leaves_no_process(pulumi_project):
    engine = pulumi_project(
        """
        import time
        import pulumi_aws as aws

        aws.s3.Bucket("never")
        time.sleep(1000)
        """,
        timeout_s=2,
    )
    workdir = engine.spec.workdir.resolve()
    started = time.monotonic()
    with pytest.raises(StageTimeout) as caught:
        engine.preview()
    assert time.monotonic() - started < 20
    assert "within 2 s" in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE
    assert _processes_in(workdir) == []  # the program's process is gone, not orphaned


def test_unknown_kata_on_the_command_line_lists_the_available_ones(capsys):
    assert cli.main(["run", "no-such-kata"]) == EXIT_USAGE
    out = " ".join(capsys.readouterr().out.split())  # undo the console's line wrapping
    assert "unknown kata 'no-such-kata'" in out
    known = available_katas()
    assert known, "the repository ships at least one kata"
    assert all(slug in out for slug in known)


VALID_KATA = """\
title: A tiny kata
difficulty: beginner
timebox_minutes: 10
topics: [testing]
candidate_files: [__main__.py]
requirements:
  R1: Something holds
mutants:
  m1:
    breaks: [R1]
    mistake: Something does not hold.
"""


def _kata_dir(root: Path, kata_yaml: str) -> Path:
    kata = root / "tiny-kata"
    for d in ("solution", "tests", "mutants/m1"):
        (kata / d).mkdir(parents=True)
    for f in ("SPEC.md", "Pulumi.yaml", "__main__.py", "hints.md", "solution/__main__.py"):
        (kata / f).write_text("")
    (kata / "mutants/m1/__main__.py").write_text("")
    (kata / "kata.yaml").write_text(kata_yaml)
    return kata


def test_the_valid_kata_yaml_parses(tmp_path):
    # The baseline the broken variants below depart from.
    assert parse_kata(_kata_dir(tmp_path, VALID_KATA)).requirement_ids == ["R1"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("topics: [testing]", "topics: [testing"), "tiny-kata/kata.yaml:5: not valid YAML"),
        (("difficulty: beginner", "difficulty: expert"), "difficulty: 'expert' is not one of"),
        (("timebox_minutes: 10", "timebox_minutes: ten"), "timebox_minutes: expected int"),
        (("breaks: [R1]", "breaks: [R7]"), "mutants.m1.breaks: ['R7'] must name requirement"),
        (("title: A tiny kata\n", ""), "title: required field is missing"),
    ],
)
def test_malformed_kata_yaml_names_the_field_or_line(tmp_path, change, expected):
    broken = VALID_KATA.replace(*change)
    assert broken != VALID_KATA
    with pytest.raises(KataFormatError) as caught:
        parse_kata(_kata_dir(tmp_path, broken))
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_non_loopback_endpoint_is_refused_without_the_flag():
    with pytest.raises(EmulatorError) as caught:
        connect_external("http://10.20.30.40:4566")
    assert "refusing non-loopback endpoint http://10.20.30.40:4566" in caught.value.message
    assert "--allow-remote-endpoint" in caught.value.hint


def test_loopback_endpoint_where_nothing_listens_is_a_clear_error():
    port = free_port()
    with pytest.raises(EmulatorError) as caught:
        connect_external(f"http://127.0.0.1:{port}")
    assert f"no emulator answers at http://127.0.0.1:{port}" in caught.value.message
    assert "\n" not in str(caught.value)


def test_embedded_emulator_on_a_busy_port_names_the_port():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(EmulatorError) as caught:
            start_embedded(port)
    assert time.monotonic() - started < 15  # it used to wait forever
    assert f"127.0.0.1:{port}" in caught.value.message
    assert "port in use" in caught.value.message
