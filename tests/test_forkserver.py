"""harness.sandbox.forkserver: a warm server's child is in the run's sandbox exactly as an
exec'd (nsenter) process is. The isolation claims themselves are proven both ways by the
hostile-program tests (tests/grading, the ``entered_by`` fixture)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.sandbox import Sandbox, SandboxUnavailable, forkserver


@pytest.fixture
def sandbox(tmp_path: Path):
    try:
        box = Sandbox(tmp_path / "sandbox")
    except SandboxUnavailable as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(err))
    yield box
    box.stop()


def _ns(pid: int, name: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{name}")


def test_a_zygote_child_joins_the_runs_user_and_network_namespaces_as_pid_1(sandbox):
    repo = str(Path(forkserver.__file__).resolve().parents[2])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": repo}
    server = forkserver.ForkServer("zygote", env)
    try:
        child = server.spawn(sandbox.pid, env)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for name in ("user", "net"):
            assert _ns(child.pid, name) == _ns(sandbox.pid, name), name
        assert _ns(child.pid, "user") != _ns(os.getpid(), "user")
        # Its PID 1 (the zygote) lives in a PID namespace of its own, below the child.
        assert _ns(child.pid, "pid_for_children") != _ns(sandbox.pid, "pid_for_children")
        child.stdin.close()  # the zygote's end of input: it exits, and so does the child
        assert child.wait(30) == 0
    finally:
        server.close()
    assert not server.alive()


def test_a_process_that_did_not_enable_them_starts_no_server() -> None:
    # A single grade (kata run, kata grade) execs through nsenter as before.
    forkserver.disable()
    assert forkserver.server("zygote", {"PATH": "/usr/bin:/bin"}) is None
    assert forkserver.server_pids() == set()
