"""Warm processes that enter a run's sandbox by fork instead of by exec.

Entering a sandbox with ``nsenter … python -m …`` starts an interpreter that imports
its world again: moto and the harness's patches for the emulator, the Pulumi SDK, boto3
and pulumi_aws for the program's zygote — together about 1.5 s of CPU per grade, most of
a roster grade's fixed cost. A roster worker grades one submission after another, each
in a sandbox of its own, so it starts two fork servers once (one imports the emulator's
world, one the zygote's, each with that process's own environment) and, for every run,
asks one for a child that:

1. takes the harness's pipes as its stdin, stdout and stderr (passed over a socket,
   SCM_RIGHTS) and leads a session of its own, as ``start_new_session`` would;
2. joins the run's namespaces — user first, then network, then mount — and becomes root
   of the user namespace (uid 0 inside; for a root grader that is nobody on the host),
   exactly what ``nsenter --target=KEEPER --user --net --mount`` does;
3. for the zygote, unshares a PID namespace and forks its PID 1 with a fresh /proc,
   which dies with its parent, as ``unshare --pid --fork --kill-child --mount-proc`` does;
4. runs what the exec'd command would have run (``moto_server.main``, ``zygote.serve``).

What is shared between runs is only the server's import state, the same for every run:
the servers never run candidate code, never join a namespace, and hold no run's data.
Each child is as isolated as an exec'd one. The server reports every child's pid at once
and its exit status when it ends; ``ForkedProcess`` is the part of ``subprocess.Popen``
the emulator and the zygote clients use.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from typing import IO, Any

CLONE_NEWNS, CLONE_NEWPID = 0x20000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
NAMESPACES = ("user", "net", "mnt")  # nsenter's order: the user namespace first
KINDS = ("emulator", "zygote")


# -- the server (runs in its own process: python -m harness.sandbox.forkserver KIND) ----


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _preload(kind: str) -> None:
    """What an exec'd process would import before its first line of work."""
    if kind == "emulator":
        from harness.emulator import moto_server, patches  # noqa: F401

        patches.apply()
        import moto.moto_server.werkzeug_app  # noqa: F401
        import werkzeug.serving  # noqa: F401
    else:
        import boto3  # noqa: F401
        import pulumi
        import pulumi.runtime.mocks  # noqa: F401

        with contextlib.suppress(ImportError):
            import pulumi_aws  # noqa: F401

        from harness.engines.local import worker, zygote  # noqa: F401
        from harness.sandbox import limits  # noqa: F401


_WARMED: set[tuple[str, str]] = set()


def _warm_backends(services: list[str], region: str) -> None:
    """Build, in the server, the moto backends that are slow to build (IAM's 1,600
    managed policies, EC2's default VPC and catalogs) for the kata's services: every
    emulator forked afterwards starts with them, as one warmed by
    harness.emulator.warm_backends would (the same state, built before any run)."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    from harness.emulator import SLOW_BACKENDS

    for service in services:
        key = (service, "global" if service == "iam" else region)
        if service not in SLOW_BACKENDS or key in _WARMED:
            continue
        with contextlib.suppress(Exception):  # best effort: the run warms it otherwise
            get_backend(service)[DEFAULT_ACCOUNT_ID][key[1]]  # type: ignore[index]
        _WARMED.add(key)


def _enter(keeper_pid: int) -> None:
    """Join the keeper's user, network and mount namespaces as root of the first."""
    libc = _libc()
    fds = [os.open(f"/proc/{keeper_pid}/ns/{ns}", os.O_RDONLY) for ns in NAMESPACES]
    with contextlib.suppress(OSError):
        os.setgroups([])  # while still privileged on the host, as nsenter does
    for fd, ns in zip(fds, NAMESPACES, strict=True):
        _check(libc.setns(fd, 0), f"setns {ns}")
        os.close(fd)
    os.setgid(0)
    os.setuid(0)
    # Changing credentials made this process non-dumpable: its /proc/self files now
    # belong to the host's root, and the program's own confinement (writing its
    # uid_map, harness.sandbox.limits) would be refused. An exec'd entry is dumpable
    # again after its exec; this is the same state without one.
    _check(_libc().prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl dumpable")
    os.chdir("/")


def _new_pid_namespace() -> None:
    """Become PID 1 of a new PID namespace with its own /proc; the parent waits for it,
    exits with its status, and takes it along if killed (PDEATHSIG)."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWPID | CLONE_NEWNS), "unshare pid")
    pid = os.fork()
    if pid:
        # The intermediate, like `unshare --fork`: nothing but wait.
        _, raw = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(raw) & 0xFF)
    # (Its parent is outside the namespace: getppid() is 0 here, so it cannot tell whether
    # the parent died before this took hold; it is in the parent's process group, which
    # the harness kills whole, either way.)
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    _check(
        libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
        "mount /proc",
    )


def _child(kind: str, request: dict[str, Any], fds: list[int], control: int) -> None:
    code = 70
    try:
        os.close(control)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 1 << 16)  # nothing of the server's (its pipes, files) goes along
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _enter(int(request["keeper"]))
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        import tempfile

        tempfile.tempdir = None  # TMPDIR is this run's (the server's may be cached)
        sys.stdin = os.fdopen(0, "r", closefd=False)
        sys.stdout = os.fdopen(1, "w", closefd=False)
        sys.stderr = os.fdopen(2, "w", closefd=False)
        if kind == "zygote":
            _new_pid_namespace()
            from harness.engines.local import zygote

            zygote.serve()
        else:
            from harness.emulator import moto_server

            sys.argv = ["moto_server", *map(str, request["argv"])]
            moto_server.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # reported like a crashed exec'd process would be
        with contextlib.suppress(Exception):
            print(f"forkserver {kind}: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(code)


def serve(kind: str) -> None:
    import gc

    _preload(kind)
    # What the server imported lives as long as every child: keep the children's garbage
    # collector from scanning it (and from touching its pages, which stay shared).
    gc.freeze()
    control = int(os.environ.pop("KATA_FORKSERVER_FD"))
    children: dict[int, int] = {}  # pid -> request id
    sock = socket.socket(fileno=control)
    os.write(1, b"ready\n")
    while True:
        ready, _, _ = select.select([control], [], [], 0.05)
        if ready:
            try:
                data, fds, _, _ = socket.recv_fds(sock, 65536, 3)
            except OSError:
                break
            if not data:
                break  # the harness closed its end: no more runs
            request = json.loads(data)
            if kind == "emulator" and request.get("warm"):
                _warm_backends(*request["warm"])
                gc.freeze()
            if kind == "zygote" and request.get("workdir"):
                from harness.engines.local import zygote

                with contextlib.suppress(Exception):  # best effort: the zygote warms too
                    zygote.warm_workdir(str(request["workdir"]))
            pid = os.fork()
            if pid == 0:
                _child(kind, request, fds, control)
            for fd in fds:
                os.close(fd)
            children[pid] = request["id"]
            sock.sendall(json.dumps({"id": request["id"], "pid": pid}).encode() + b"\n")
        while children:
            try:
                pid, raw = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not pid:
                break
            rid = children.pop(pid, None)
            if rid is not None:
                code = os.waitstatus_to_exitcode(raw)
                with contextlib.suppress(OSError):
                    sock.sendall(json.dumps({"id": rid, "exit": code}).encode() + b"\n")
    for pid in children:  # the harness is gone: so is everything it asked for
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    os._exit(0)


# -- the harness's side ------------------------------------------------------------------


class ForkedProcess:
    """A child of a fork server: the part of ``subprocess.Popen`` its users need."""

    def __init__(self, stdin: IO[str], stdout: IO[str] | None) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.pid: int = 0
        self.returncode: int | None = None
        self._started = threading.Event()
        self._done = threading.Event()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired("forked", timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.pid and self.returncode is None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)  # it leads its own session

    def _ended(self, code: int) -> None:
        self.returncode = code
        self._done.set()


class ForkServer:
    """One warm server process (``kind`` emulator or zygote) and the reader of its answers."""

    def __init__(self, kind: str, env: dict[str, str]) -> None:
        assert kind in KINDS
        self.kind = kind
        # Datagram-like: each request is one message with its descriptors, never run together.
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "harness.sandbox.forkserver", kind],
            env={**env, "KATA_FORKSERVER_FD": str(theirs.fileno())},
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        theirs.close()
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], 120)
        if not ready or self._proc.stdout.readline().strip() != b"ready":
            self.close()
            raise OSError(f"the {kind} fork server did not start")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._children: dict[int, ForkedProcess] = {}
        self.spawned = 0
        threading.Thread(target=self._read, name=f"forkserver-{kind}", daemon=True).start()

    def alive(self) -> bool:
        return self._proc.poll() is None

    def spawn(
        self,
        keeper_pid: int,
        env: dict[str, str],
        argv: list[str] | None = None,
        stderr: int | None = None,
        timeout: float = 30,
        warm: tuple[list[str], str] | None = None,
        workdir: str | None = None,
    ) -> ForkedProcess:
        """A child inside the sandbox held by ``keeper_pid``; text pipes as stdin/stdout."""
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err = stderr if stderr is not None else os.open(os.devnull, os.O_WRONLY)
        proc = ForkedProcess(os.fdopen(in_w, "w"), os.fdopen(out_r, "r"))
        with self._lock:
            rid = next(self._ids)
            self._children[rid] = proc
            request = {
                "id": rid,
                "keeper": keeper_pid,
                "env": env,
                "argv": argv or [],
                "warm": list(warm) if warm else None,
                "workdir": workdir,  # the program whose pulumi_aws modules to import first
            }
            try:
                socket.send_fds(self._sock, [json.dumps(request).encode()], [in_r, out_w, err])
            finally:
                for fd in (in_r, out_w, *(() if stderr is not None else (err,))):
                    os.close(fd)
        if not proc._started.wait(timeout):
            raise OSError(f"the {self.kind} fork server did not fork")
        self.spawned += 1
        return proc

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                message = json.loads(line)
                with self._lock:
                    proc = self._children.get(message["id"])
                    if "exit" in message:
                        self._children.pop(message["id"], None)
                if proc is None:
                    continue
                if "pid" in message:
                    proc.pid = int(message["pid"])
                    proc._started.set()
                else:
                    proc._ended(int(message["exit"]))
        with self._lock:  # the server is gone, and with it every child it had
            orphans, self._children = list(self._children.values()), {}
        for proc in orphans:
            proc._started.set()
            proc._ended(-signal.SIGKILL)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


# One pair per process that asked for them (a roster worker); see enable().
_servers: dict[str, ForkServer] = {}
_enabled = False
_servers_lock = threading.Lock()


def enable() -> None:
    """Let this process's sandboxed runs enter their sandbox through fork servers (a
    roster worker calls it: it grades many submissions, one sandbox each)."""
    global _enabled
    if not _enabled:
        # Stopped (and waited for) when the process ends, a pool worker included (its
        # exit skips atexit; multiprocessing's finalizers run).
        import atexit
        from multiprocessing import util

        atexit.register(stop_all)
        util.Finalize(None, stop_all, exitpriority=10)
    _enabled = True


def disable() -> None:
    """Back to exec'd entries (tests compare both ways); the servers are stopped."""
    global _enabled
    _enabled = False
    stop_all()


def spawned() -> dict[str, int]:
    """Children forked so far by each live server (tests prove the fork path ran)."""
    with _servers_lock:
        return {kind: s.spawned for kind, s in _servers.items()}


def server_pids() -> set[int]:
    """The live servers' pids (they outlive a grade by design; their children do not)."""
    with _servers_lock:
        return {s._proc.pid for s in _servers.values() if s.alive()}


def server(kind: str, env: dict[str, str]) -> ForkServer | None:
    """This process's fork server of ``kind``, started on first use; None if not enabled
    or it cannot start (the caller then execs, as before)."""
    if not _enabled or not sys.platform.startswith("linux"):
        return None
    with _servers_lock:
        current = _servers.get(kind)
        if current is None or not current.alive():
            try:
                current = _servers[kind] = ForkServer(kind, env)
            except OSError:
                _servers.pop(kind, None)
                return None
        return current


def stop_all() -> None:
    with _servers_lock:
        for s in _servers.values():
            s.close()
        _servers.clear()


if __name__ == "__main__":
    serve(sys.argv[1])
