"""Hostile submissions (issue 10): programs that try to fool, read or harm the grader.

One program per class of attack; each proves the mechanism that stops it, not a symptom.
Tests that deploy are marked slow.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpus import SANDBOX, SOLUTION, needs_sandbox, program

from harness.sandbox import limits

# -- 6. bad bytes: one deterministic line, warm worker or not -------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "bad"),
    [
        (program(SOLUTION).replace("import pulumi\n", "import pulumi\n# caf\x93\n", 1), "\x93"),
        (program(SOLUTION) + "\n# \x00\n", "\x00"),
    ],
    ids=["cp1252-comment", "nul-byte"],
)
def test_a_source_python_cannot_read_fails_synth_with_one_line(
    make_fork, grade_it, monkeypatch, source, bad
):
    data = source.encode("latin-1")
    line = data[: data.index(bad.encode("latin-1"))].count(b"\n") + 1
    messages = []
    for zygote in ("", "1"):
        monkeypatch.setenv("KATA_NO_ZYGOTE", zygote)
        fork = make_fork("")
        (fork / "katas" / "tiny-queue" / "__main__.py").write_bytes(data)
        result = grade_it(fork)
        [synth] = [r for r in result.results if r.id == "synth"]
        messages.append(synth.message)
        assert result.exit_code == 1
    assert messages[0] == messages[1], messages  # the same with or without the warm worker
    what = "a NUL byte" if bad == "\x00" else "byte 0x93"
    kind = "text" if bad == "\x00" else "UTF-8 text"
    assert messages[0].startswith(f"__main__.py is not {kind} ({what} at line {line})")


# -- 7. report injection: a candidate's text is shown, never obeyed ------------------------

INJECTOR = """
    raise RuntimeError(
        "\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mPASSED\\x1b[0m "
        "<img src=x onerror=alert(1)> [click](https://evil.example) | **bold**"
    )
"""


def test_an_exception_with_control_sequences_and_html_stays_text_in_every_report(
    make_fork, grade_it
):
    import io
    import json
    import xml.etree.ElementTree as ET

    from rich.console import Console

    from harness import report

    result = grade_it(make_fork(program(INJECTOR)))

    [synth] = [r for r in result.results if r.id == "synth"]
    assert "\x1b" in synth.message  # recorded as the program said it (results.json)
    buffer = io.StringIO()
    report.print_summary(Console(file=buffer, width=300, force_terminal=False), result)
    shown = buffer.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b[2J" in shown  # visible, not obeyed
    summary = (result.out_dir / "summary.md").read_text()
    assert "<img" not in summary and "&lt;img src=x onerror=alert(1)&gt;" in summary
    assert "[click](https" not in summary and "\\*\\*bold\\*\\*" in summary
    assert "\x1b" not in summary
    ET.parse(result.out_dir / "junit.xml")  # well-formed despite the control characters
    json.loads((result.out_dir / "results.sarif").read_text())


# -- 2. host files read for the program: links in its scratch directory are not followed ---

LINKER = """
    import os

    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    pulumi.export("queueUrl", queue.url)
    log = os.readlink("/proc/self/fd/1")  # the worker's output log, in the scratch directory
    os.unlink(log)
    if {FIFO}:
        os.mkfifo(log)  # a reader that follows it would block forever
    else:
        os.symlink({SECRET}, log)  # resolved outside the sandbox, by the harness
"""


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("fifo", [False, True], ids=["symlink", "fifo"])
def test_a_log_replaced_by_a_link_or_a_fifo_is_not_followed(
    make_fork, grade_it, tmp_path, monkeypatch, fifo
):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    secret = home / ".aws" / "credentials"
    secret.write_text("[default]\naws_secret_access_key = SENTINEL-FILE\n")
    monkeypatch.setenv("HOME", str(home))

    result = grade_it(make_fork(program(LINKER, SECRET=str(secret), FIFO=fifo)))

    assert "SENTINEL" not in result.program_output
    assert "replaced its output log with a link or a special file" in result.program_output
    for name in ("results.json", "summary.md", "junit.xml"):
        assert "SENTINEL" not in (result.out_dir / name).read_text(), name
    assert result.passed, [r for r in result.results if r.blocking]


def test_read_untrusted_refuses_links_on_the_way_and_caps_the_size(tmp_path):
    from harness.sandbox.files import UnsafeFile, read_untrusted

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "log").write_text("x" * 100)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert read_untrusted(tmp_path / "real" / "log", 10, tmp_path) == b"x" * 10
    with pytest.raises(UnsafeFile):
        read_untrusted(tmp_path / "link" / "log", 10, tmp_path)  # a directory on the way


# -- 3. root stays root: the program is an unprivileged uid, the kernel's knobs read-only --

ROOTER = """
    import os
    import socket

    import pulumi_aws as aws

    aws.sqs.Queue("jobs")
    seen = [f"uid={os.getuid()} euid={os.geteuid()}"]
    hostname = socket.gethostname()
    for path, mode, data in (
        ("/etc/shadow", "r", None),
        ("/proc/sys/kernel/hostname", "w", hostname),  # the same name: harmless if it lands
        ("/sys/kernel/uevent_helper", "w", ""),
        ("/proc/sysrq-trigger", "w", ""),
    ):
        try:
            with open(path, mode) as f:
                f.write(data) if data is not None else f.read()
            seen.append(f"opened {path}")
        except OSError as exc:
            seen.append(f"refused {path}: {exc.strerror}")
    seen.append("dev=" + ",".join(sorted(os.listdir("/dev"))))
    with open("/dev/shm/kata-hostile-probe", "w") as f:
        f.write("x")
    seen.append("shm written")
    print("\\n".join(seen))
"""


@needs_sandbox
def test_the_program_is_not_root_and_cannot_touch_the_kernels_knobs(
    make_fork, grade_it, entered_by
):
    result = grade_it(make_fork(program(ROOTER)))

    out = result.program_output
    assert "uid=1000 euid=1000" in out, out
    assert "opened" not in out, out
    for path in ("/etc/shadow", "/proc/sys/kernel/hostname", "/sys/kernel/uevent_helper"):
        assert f"refused {path}: " in out
    dev = next(line for line in out.splitlines() if line.startswith("dev="))
    assert set(dev[4:].split(",")) <= {
        *("null", "zero", "full", "random", "urandom", "shm"),
        *("fd", "stdin", "stdout", "stderr"),
    }, dev
    assert "shm written" in out  # a private /dev/shm: usable, and gone with the run
    assert not Path("/dev/shm/kata-hostile-probe").exists()
    assert "own user namespace" in result.isolation["processes"]
    assert "private /dev" in result.isolation["filesystem"]


# -- 4. other runs and host sockets: a private /tmp, no socket but the run's own ----------

NEIGHBOUR = """
    import glob
    import os
    import socket

    import pulumi_aws as aws

    aws.sqs.Queue("jobs")
    seen = ["agent=" + str(os.environ.get("SSH_AUTH_SOCK"))]
    for path in glob.glob("/tmp/**/__main__.py", recursive=True):
        with open(path) as f:
            seen.append(f"read {path}: {f.read()}")
    for path in {SOCKETS}:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            seen.append(f"connected {path}")
        except OSError as exc:
            seen.append(f"refused {path}: {exc.strerror}")
        finally:
            s.close()
    print("\\n".join(seen))
"""


@needs_sandbox
def test_another_runs_files_and_the_hosts_sockets_are_out_of_reach(
    make_fork, grade_it, entered_by, tmp_path, monkeypatch
):
    import shutil
    import socket
    import tempfile

    from harness.kata import REPO_ROOT

    other = Path(tempfile.mkdtemp(prefix="kata-neighbour-", dir="/tmp"))
    sock_dir = Path(tempfile.mkdtemp(prefix="kata-sock-", dir="/tmp"))
    runs = REPO_ROOT / ".kata-runs"
    runs.mkdir(exist_ok=True)
    outside = Path(tempfile.mkdtemp(prefix="hostile-sock-", dir=runs))  # under no covered dir
    servers = []
    try:
        for path in (other, sock_dir, outside):
            path.chmod(0o755)  # no permission stands in the way: only the sandbox does
        (other / "program").mkdir()
        (other / "program" / "__main__.py").write_text("SENTINEL-SOURCE")
        paths = [str(sock_dir / "emulator.sock"), str(outside / "agent.sock")]
        for path in paths:
            server = socket.socket(socket.AF_UNIX)
            server.bind(path)
            os.chmod(path, 0o777)  # even a socket anyone may use
            server.listen()
            server.setblocking(False)
            servers.append(server)
        monkeypatch.setenv("SSH_AUTH_SOCK", paths[1])

        result = grade_it(make_fork(program(NEIGHBOUR, SOCKETS=paths)))

        out = result.program_output
        assert "agent=None" in out  # scrubbed from the program's environment
        assert "SENTINEL-SOURCE" not in out
        assert "connected /" not in out, out
        assert all(f"refused {path}: " in out for path in paths), out
        for server in servers:
            with pytest.raises(BlockingIOError):
                server.accept()  # nobody knocked
    finally:
        for server in servers:
            server.close()
        for path in (other, sock_dir, outside):
            shutil.rmtree(path, ignore_errors=True)


# -- 5. limits: threads and memory are capped per run, each with one line ------------------

THREADS = """
    import threading
    import time

    for _ in range(1000):
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
"""
MEMORY = """
    hoard = bytearray(2 * 1024**3)
"""


@needs_sandbox
@pytest.mark.parametrize(
    ("source", "message"),
    [
        (THREADS, f"started more than {limits.MAX_TASKS} threads and processes"),
        (MEMORY, f"used more than {limits.MAX_MEMORY // 2**20} MB of memory"),
    ],
    ids=["1000-threads", "2-GiB"],
)
def test_threads_and_memory_are_capped_with_one_line_each(
    make_fork, grade_it, entered_by, source, message
):
    result = grade_it(make_fork(program(source)))

    [synth] = [r for r in result.results if r.id == "synth"]
    assert message in synth.message, synth.message
    assert len(synth.message.splitlines()) == 1


# -- 1. false PASS: the verdict rests on what the harness applied and the emulator holds ----

TWO_FACED = """
    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    pulumi.export("queueUrl", queue.url)
    if not pulumi.runtime.is_dry_run():  # synth shows one graph, deploy applies another
        aws.sqs.Queue("hidden-from-synth")
"""


@pytest.mark.slow
def test_a_program_that_deploys_another_graph_than_it_synthesized_fails(make_fork, grade_it):
    result = grade_it(make_fork(program(TWO_FACED)))

    [deploy] = [r for r in result.results if r.id == "deploy"]
    assert deploy.outcome == "failed"
    assert "other resources in deploy than in synth" in deploy.message
    assert "only in deploy: aws:sqs/queue:Queue 'hidden-from-synth'" in deploy.message
    assert not result.passed
    [teardown] = [r for r in result.results if r.id == "teardown"]
    assert teardown.outcome == "passed", teardown.message  # both queues found and removed


OUT_OF_BAND = """
    import boto3
    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    pulumi.export("queueUrl", queue.url)
    try:  # straight to the emulator: no Pulumi resource declares this queue
        boto3.client("sqs").create_queue(QueueName="sneaky-side-queue")
        print("created the side queue")
    except Exception as exc:
        print("side queue refused:", type(exc).__name__)
"""


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", ["auto", "off"])
def test_a_resource_created_behind_pulumis_back_is_refused_and_fails_the_run(
    make_fork, grade_it, sandbox
):
    if sandbox == "auto" and not SANDBOX:
        pytest.skip("no user+network namespaces here")
    result = grade_it(make_fork(program(OUT_OF_BAND)), sandbox=sandbox)

    assert "created the side queue" not in result.program_output
    assert "side queue refused: ClientError" in result.program_output
    [deploy] = [r for r in result.results if r.id == "deploy"]
    assert deploy.outcome == "failed"
    assert "changed the emulator outside its Pulumi resources" in deploy.message
    assert "sqs CreateQueue 'sneaky-side-queue' in us-east-1" in deploy.message
    assert not result.passed


FORGER = """
    import gc
    import os

    import pulumi
    import pulumi_aws as aws

    from harness.engines.local.channel import WorkerEnd

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    other = aws.sqs.Queue("left-out-of-the-record")
    pulumi.export("queueUrl", queue.url)

    def forge():
        # The old worker wrote its own result: leave a resource out of it, claim success.
        log = os.readlink("/proc/self/fd/1")
        with open(os.path.join(os.path.dirname(log), "result.json"), "w") as f:
            f.write('{"error": null, "resources": [], "changes": [], "outputs": {}}')
        for end in (o for o in gc.get_objects() if isinstance(o, WorkerEnd)):
            end.tell("done", error=None)  # the channel the program shares with its worker
        os._exit(0)

    if not pulumi.runtime.is_dry_run():
        pulumi.Output.all(queue.url, other.url).apply(lambda _: forge())
"""


@needs_sandbox
@pytest.mark.slow
def test_what_was_applied_is_recorded_by_the_harness_whatever_the_program_writes(
    make_fork, grade_it
):
    result = grade_it(make_fork(program(FORGER)))

    # Both queues were applied by the harness, so both are in its record and torn down;
    # the forged result.json and the forged "done" changed nothing of that.
    [teardown] = [t for t in result.timings if t.stage == "teardown"]
    assert teardown.detail.startswith("2 deleted"), teardown.detail
    [td] = [r for r in result.results if r.id == "teardown"]
    assert td.outcome == "passed", td.message


# -- 2. the harness reads assets for the program: only the program's own files -------------

ASSET_THIEF = """
    import os

    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    pulumi.export("queueUrl", queue.url)
    if not os.path.lexists("leak.txt"):
        os.symlink({SECRET}, "leak.txt")  # inside the sandbox it leads nowhere; outside...
    bucket = aws.s3.Bucket("drop")
    aws.s3.BucketObject("loot", bucket=bucket.id, source=pulumi.FileAsset({PATH}))
"""


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("via", ["symlink", "absolute"])
def test_an_asset_outside_the_program_is_refused_not_read(
    make_fork, grade_it, tmp_path, monkeypatch, via
):
    secret = tmp_path / "credentials"
    secret.write_text("SENTINEL-ASSET")
    path = "leak.txt" if via == "symlink" else str(secret)

    result = grade_it(make_fork(program(ASSET_THIEF, SECRET=str(secret), PATH=path)))

    # Refused as soon as the harness sees the path: at synth, before anything is read.
    [synth] = [r for r in result.results if r.id == "synth"]
    assert "is outside the program's directory or passes through a link" in synth.message
    assert "SENTINEL" not in (result.out_dir / "results.json").read_text()
    assert not result.passed


# -- --sandbox require: a guarantee that does not hold is an error, named -----------------


@needs_sandbox
def test_sandbox_require_fails_naming_the_guarantee_that_did_not_hold(
    make_fork, grade_it, monkeypatch
):
    from harness.sandbox import Sandbox

    held = {"own_user": True, "uid": 1000, "capabilities_dropped": True, "memory": True}
    monkeypatch.setattr(Sandbox, "_probe", lambda self: {**held, "tasks": False})

    result = grade_it(make_fork(program(SOLUTION)), sandbox="require")

    assert result.exit_code == 2
    assert "the sandbox is required but not whole here" in str(result.error)
    assert "the thread and process cap (RLIMIT_NPROC)" in str(result.error)
    assert "threads NOT capped" in result.isolation["processes"]
