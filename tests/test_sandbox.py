"""The sandbox on its own (no emulator): what a process inside it can and cannot do."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harness.sandbox import Sandbox, SandboxUnavailable, secret_paths

PROBE = r"""
import json, os, socket, sys
out = {}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close(); out["public"] = "open"
except OSError as exc:
    out["public"] = exc.strerror
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
socket.create_connection(srv.getsockname(), timeout=2).close(); out["loopback"] = "ok"
for name, path in (("scratch", sys.argv[1]), ("outside", sys.argv[2])):
    try:
        with open(path, "w") as f: f.write("x")
        out[name] = "wrote"
    except OSError as exc:
        out[name] = exc.strerror
try:
    out["secret"] = open(sys.argv[3]).read()
except OSError as exc:
    out["secret"] = exc.strerror
out["procs"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
from harness.sandbox import limits
out["dropped"] = limits.drop_capabilities()
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    out["remount"] = libc.mount(None, b"/", None, 32 | 4096, None)  # MS_REMOUNT | MS_BIND
except OSError:
    out["remount"] = "error"
print(json.dumps(out))
"""


@pytest.fixture
def sandbox(tmp_path):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("SENTINEL")
    try:
        box = Sandbox(
            tmp_path / "sandbox",
            writable=[tmp_path / "scratch"],
            hide=secret_paths([home]),
        )
    except SandboxUnavailable as err:
        pytest.skip(str(err))
    yield box
    box.stop()


def test_inside_only_loopback_works_the_host_is_read_only_and_secrets_hidden(sandbox, tmp_path):
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [
            *sandbox.prefix(pid_namespace=True),
            sys.executable,
            "-c",
            PROBE,
            str(tmp_path / "scratch" / "file"),
            str(tmp_path / "outside"),
            str(tmp_path / "home" / ".aws" / "credentials"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(repo)},
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["public"] == "Network is unreachable"
    assert seen["loopback"] == "ok"
    assert seen["scratch"] == "wrote" and (tmp_path / "scratch" / "file").is_file()
    assert seen["outside"] == "Read-only file system" and not (tmp_path / "outside").exists()
    assert seen["secret"] == "No such file or directory"  # an empty tmpfs lies over ~/.aws
    assert seen["procs"] == [1]  # its own PID namespace and /proc: no host process visible
    assert seen["dropped"] is True
    assert seen["remount"] != 0  # without capabilities it cannot make the host writable


def test_secret_paths_lists_only_what_exists(tmp_path):
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".netrc").write_text("machine x")
    assert secret_paths([tmp_path]) == [str(tmp_path / ".ssh"), str(tmp_path / ".netrc")]


def test_expose_forwards_a_host_port_to_a_unix_socket_inside(sandbox):
    path = sandbox.socket("echo.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen()

    def echo() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(100).upper())

    threading.Thread(target=echo, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sandbox.expose(port, path)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"hello")
        assert client.recv(100) == b"HELLO"
    server.close()


def test_stop_removes_its_socket_directory(tmp_path):
    try:
        box = Sandbox(tmp_path / "sandbox")
    except SandboxUnavailable as err:
        pytest.skip(str(err))
    sockets = box.sockets
    assert sockets.is_dir()
    box.stop()
    assert not sockets.exists() and not box.alive()


CONFINED_PROBE = r"""
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
print(json.dumps({
    "uid": os.getuid(),
    "umount_tmp": libc.umount2(b"/tmp", 2),  # MNT_DETACH: would reveal the host's /tmp
    "cwd": os.getcwd(),
}))
"""


def test_candidate_code_started_confined_is_not_root_and_cannot_unmount_covers(sandbox, tmp_path):
    (tmp_path / "scratch").mkdir(exist_ok=True)
    proc = subprocess.run(
        [
            *sandbox.prefix(pid_namespace=True, workdir=tmp_path / "scratch", confined=True),
            sys.executable,
            "-I",
            "-c",
            CONFINED_PROBE,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"]},
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["uid"] == 1000
    assert seen["umount_tmp"] != 0
    assert seen["cwd"] == str(tmp_path / "scratch")  # entered inside the sandbox's mounts


def test_require_names_each_guarantee_that_did_not_hold():
    from harness.sandbox import Sandbox

    box = Sandbox.__new__(Sandbox)  # the report alone decides; no keeper needed
    box.report = {
        "private_dev": True,
        "proc_sys_readonly": False,
        "not_readonly": ["/sys/fs/cgroup"],
        "program": {"own_user": False, "uid": 0, "capabilities_dropped": True, "tasks": True},
    }
    assert box.missing() == [
        "the program's own unprivileged user",
        "the memory cap (RLIMIT_DATA)",
        "a read-only /proc/sys",
        "a read-only host filesystem",
    ]


def test_other_runs_results_and_the_repositorys_git_dir_are_covered(sandbox):
    # An attack after issue 10 read other runs' results.json and state.json under
    # .kata-runs, and .git/config, through the read-only checkout.
    repo = Path(__file__).resolve().parents[1]
    runs = repo / ".kata-runs"
    runs.mkdir(exist_ok=True)
    marker = runs / "sandbox-probe-marker"
    marker.write_text("another run's result")
    listing = (
        "import json, os, sys\n"
        "print(json.dumps({d: sorted(os.listdir(d)) for d in sys.argv[1:]}))\n"
    )
    try:
        proc = subprocess.run(
            [
                *sandbox.prefix(pid_namespace=True),
                sys.executable,
                "-c",
                listing,
                str(runs),
                str(repo / ".git"),
                str(repo / "harness"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": os.environ["PATH"]},
        )
    finally:
        marker.unlink()
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen[str(runs)] == [] and seen[str(repo / ".git")] == []
    assert "adapters" in seen[str(repo / "harness")]  # the harness itself stays readable
