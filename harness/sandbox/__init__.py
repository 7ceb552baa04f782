"""The sandbox a run's untrusted processes live in (Linux user + network + mount namespaces).

One sandbox per run. Its keeper process (keeper.py) creates the namespaces; the embedded
emulator and the program's zygote join them with ``nsenter``. Inside:

- network: only ``lo``. The program reaches the emulator on 127.0.0.1 and nothing else:
  no public address, no metadata service, no DNS; even a raw socket finds no route.
- filesystem: every mount is read-only but the run's scratch directory; the user's
  credential files and directories (``~/.aws``, ``~/.ssh``, …) are hidden.
- processes: the program runs in a PID namespace of its own with a fresh /proc (it
  cannot see, let alone read the environment of, any host process), without
  capabilities, at most ``limits.MAX_PROCESSES`` processes, and every process it leaves
  behind is killed when its run ends.

The harness stays outside: it reaches the emulator through a Unix socket the emulator
also serves, re-exposed on the same loopback port on the host (``expose``), so the
endpoint URL is the same on both sides (SQS queue URLs carry it).

Where namespaces are unavailable (macOS, Windows, a Linux that forbids unprivileged user
namespaces, ``--sandbox off``) ``start`` raises SandboxUnavailable and the run falls back
to the scrubbed environment and resource limits alone; the report says which it got.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError

KEEPER = Path(__file__).with_name("keeper.py")
START_TIMEOUT_S = 10.0
# Credentials and tokens a developer machine or CI runner keeps in a home directory.
SECRET_PATHS = (
    ".aws",
    ".ssh",
    ".gnupg",
    ".azure",
    ".kube",
    ".docker",
    ".config/gcloud",
    ".config/gh",
    ".config/pulumi",
    ".pulumi/credentials.json",
    ".netrc",
    ".git-credentials",
    ".pypirc",
)


class SandboxUnavailable(HarnessError):
    kind = "sandbox"


@dataclass
class Isolation:
    """What a run's program got; part of results.json."""

    network: str = "host network (not isolated)"
    filesystem: str = "host filesystem as the harness user (not isolated)"
    processes: str = "own session, killed on timeout"
    environment: str = (
        "scrubbed: no host AWS variables, profiles or credential files; HOME is a temp dir; "
        "only the emulator's test credentials"
    )
    limits: list[str] = field(default_factory=list)
    namespaces: bool = False
    reason: str = ""  # why namespaces were not used, when they were not

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def secret_paths(homes: list[Path] | None = None) -> list[str]:
    if homes is None:
        homes = [Path.home()]
        with contextlib.suppress(KeyError):
            homes.append(Path(pwd.getpwuid(os.getuid()).pw_dir))
    seen: list[str] = []
    for home in homes:
        for rel in SECRET_PATHS:
            path = str(home / rel)
            if path not in seen and os.path.lexists(path):
                seen.append(path)
    return seen


def unavailable_reason() -> str:
    """Why namespaces cannot be used here ("" when they may: starting tells for sure)."""
    if not sys.platform.startswith("linux"):
        return f"no Linux namespaces on {sys.platform}"
    missing = [tool for tool in ("unshare", "nsenter") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found (util-linux)"
    return ""


class Sandbox:
    """User + network + mount namespaces held by a keeper process, for one run."""

    def __init__(
        self,
        root: Path,
        writable: list[Path] | None = None,
        hide: list[str] | None = None,
        inward: dict[int, str] | None = None,
    ) -> None:
        reason = unavailable_reason()
        if reason:
            raise SandboxUnavailable(f"sandbox unavailable: {reason}")
        self.root = root.resolve()
        for path in (self.root, *(writable or [])):
            path.mkdir(parents=True, exist_ok=True)
        # Unix socket paths are capped at 107 bytes: a directory of their own, kept short.
        self.sockets = Path(tempfile.mkdtemp(prefix="kata-sock-", dir=_short_tmp()))
        self._forwarders: list[_Forwarder] = []
        request = {
            "writable": [str(p) for p in [self.root, self.sockets, *(writable or [])]],
            "hide": secret_paths() if hide is None else hide,
            "inward": {str(k): str(self.socket(v)) for k, v in (inward or {}).items()},
        }
        request_path = self.root / "sandbox.json"
        request_path.write_text(json.dumps(request))
        cmd = ["unshare", "--user", "--map-root-user", "--net", "--mount", "--"]
        cmd += [sys.executable, "-I", "-S", str(KEEPER), str(request_path)]
        self.proc = subprocess.Popen(
            cmd,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        line = self._read_line()
        if not line.startswith("ready"):
            self._stop_keeper(close_streams=False)
            err = ""
            if self.proc.stderr:
                err = self.proc.stderr.read().decode(errors="replace").strip()
                self.proc.stderr.close()
            why = line.removeprefix("error ").strip() or (err.splitlines() or ["no answer"])[-1]
            raise SandboxUnavailable(f"sandbox unavailable: {why}")
        self.report = json.loads(line.removeprefix("ready").strip() or "{}")
        self.pid = self.proc.pid

    def _read_line(self) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT_S)
        if not ready:
            return "error the sandbox did not start in time"
        return self.proc.stdout.readline().decode(errors="replace").strip()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def socket(self, name: str) -> Path:
        """Path of a Unix socket shared by both sides of the sandbox."""
        return self.sockets / name

    def prefix(self, pid_namespace: bool = False, workdir: Path | None = None) -> list[str]:
        """Command prefix that runs a command inside the sandbox.

        With ``pid_namespace`` the command is PID 1 of a PID namespace of its own, with
        its own /proc: when it ends, the kernel kills whatever it left behind.
        """
        cmd = ["nsenter", f"--target={self.pid}", "--user", "--net", "--mount"]
        if workdir is not None:
            cmd.append(f"--wd={workdir}")
        cmd.append("--")
        if pid_namespace:
            cmd += ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]
        return cmd

    def expose(self, port: int, unix_path: Path) -> None:
        """Serve host 127.0.0.1:port by forwarding to a Unix socket inside the sandbox."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)

        def connect() -> socket.socket:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(str(unix_path))
            return s

        fwd = _Forwarder(listener, connect)
        self._forwarders.append(fwd)
        fwd.start()

    def serve_unix(self, unix_path: Path, host: str, port: int) -> None:
        """The other way: a Unix socket the keeper forwards to, connecting to host:port."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(unix_path))
        listener.listen(64)
        fwd = _Forwarder(listener, lambda: socket.create_connection((host, port), timeout=10))
        self._forwarders.append(fwd)
        fwd.start()

    def stop(self) -> None:
        for fwd in self._forwarders:
            fwd.close()
        self._forwarders = []
        self._stop_keeper()

    def _stop_keeper(self, close_streams: bool = True) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr) if close_streams else ():
            if stream:
                stream.close()
        shutil.rmtree(self.sockets, ignore_errors=True)


class _Forwarder(threading.Thread):
    """Accepts on one socket, connects upstream for each connection, pumps both ways."""

    def __init__(self, listener: socket.socket, connect) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True, name="sandbox-forwarder")
        self.listener = listener
        self.connect = connect
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = self.connect()
            except OSError:
                conn.close()
                continue
            with self._lock:
                if self._closed:
                    conn.close()
                    upstream.close()
                    return
                self._conns |= {conn, upstream}
            threading.Thread(target=self._serve, args=(conn, upstream), daemon=True).start()

    def _serve(self, conn: socket.socket, upstream: socket.socket) -> None:
        back = threading.Thread(target=_pump, args=(upstream, conn), daemon=True)
        back.start()
        _pump(conn, upstream)
        back.join()
        with self._lock:
            self._conns -= {conn, upstream}
        for s in (conn, upstream):
            with contextlib.suppress(OSError):
                s.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._conns = list(self._conns), set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.listener.close()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self.join(timeout=2)


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def _short_tmp() -> str | None:
    default = tempfile.gettempdir()
    if len(default) <= 40:
        return default
    return "/tmp" if os.access("/tmp", os.W_OK) else default


def wait_for_socket(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.01)
    return False
