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


NOBODY = 65534  # the host uid a root grader's sandbox runs as (see keeper.py)
# Directories whose whole content is covered inside the sandbox: homes (credentials of
# every user, not a list of known credential files), temp directories (other runs'
# programs and sockets), /run (agents, daemons' sockets).
COVERED = ("/root", "/home", "/tmp", "/var/tmp", "/run")


# Under the checkout (read-only inside): other runs' results and state, and the
# repository's own config (a remote's credentials). Found by an attack after issue 10.
REPO_COVERED = (".kata-runs", ".git")


def covered_dirs() -> list[str]:
    repo = Path(__file__).resolve().parents[2]
    dirs = [*COVERED, tempfile.gettempdir(), str(Path.home())]
    dirs += [str(repo / name) for name in REPO_COVERED]
    with contextlib.suppress(KeyError):
        dirs.append(pwd.getpwuid(os.getuid()).pw_dir)
    found = []
    for path in dirs:
        real = os.path.realpath(path)
        if real not in found and real != "/" and os.path.isdir(real):
            found.append(real)
    return found


def needed_paths() -> list[str]:
    """What the emulator and the program must still find under a covered directory:
    the interpreter, its libraries and the harness."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(__file__).resolve().parents[2])}
    paths.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    paths |= {p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)}
    return sorted(os.path.realpath(p) for p in paths)


def host_unix_sockets() -> list[str]:
    """Pathname Unix sockets bound on the host (its network namespace): all of them are
    hidden inside, whoever owns them (an ssh agent, Docker, another run's emulator)."""
    found = []
    with contextlib.suppress(OSError), open("/proc/net/unix") as f:
        next(f, None)
        for line in f:
            fields = line.split(None, 7)
            if len(fields) == 8 and fields[7].startswith("/"):
                found.append(fields[7].strip())
    return sorted(set(found))[:10_000]


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
        self.sockets = Path(tempfile.mkdtemp(prefix="kata-sock-", dir=short_tmp()))
        self._forwarders: list[_Forwarder] = []
        # A root grader maps the namespace's root to nobody (keeper.py); the run's
        # writable directories then belong to nobody too.
        self.map_by_harness = os.geteuid() == 0
        self.inside_uid = NOBODY if self.map_by_harness else os.geteuid()
        writable_dirs = [self.root, self.sockets, *(writable or [])]
        for path in writable_dirs:
            self.give(path)
        request = {
            "writable": [str(p) for p in writable_dirs],
            "hide": [] if hide is None else hide,
            "cover": covered_dirs(),
            "keep": needed_paths(),
            "sockets": host_unix_sockets(),
            "inward": {str(k): str(self.socket(v)) for k, v in (inward or {}).items()},
            "map_by_harness": self.map_by_harness,
        }
        request_path = self.root / "sandbox.json"
        request_path.write_text(json.dumps(request))
        cmd = [sys.executable, "-I", "-S", str(KEEPER), str(request_path)]
        self.proc = subprocess.Popen(
            cmd,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        line = self._read_line()
        if line.startswith("unshared") and self.map_by_harness:
            line = self._map_users()
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
        self.report["program"] = self._probe()

    def _probe(self) -> dict[str, object]:
        """What a program run gets in here (its uid, limits), measured, not assumed."""
        repo = str(Path(__file__).resolve().parents[2])
        try:
            proc = subprocess.run(
                [*self.prefix(pid_namespace=True), sys.executable, "-m", "harness.sandbox.limits"],
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": repo},
                cwd="/",
            )
            return json.loads(proc.stdout.strip().splitlines()[-1])
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
            return {}

    def missing(self) -> list[str]:
        """Guarantees of the sandbox that did not hold here (the keeper's or the probe's)."""
        report, program = self.report, self.report.get("program", {})
        checks = {
            "the program's own unprivileged user": program.get("own_user")
            and program.get("uid") not in (None, 0),
            "dropping the program's capabilities": program.get("capabilities_dropped"),
            "the thread and process cap (RLIMIT_NPROC)": program.get("tasks"),
            "the memory cap (RLIMIT_DATA)": program.get("memory"),
            "a private /dev": report.get("private_dev"),
            "a read-only /proc/sys": report.get("proc_sys_readonly"),
            "a read-only host filesystem": not report.get("not_readonly"),
        }
        return [name for name, held in checks.items() if not held]

    def describe(self, iso: Isolation, bridged: bool) -> None:
        """The report's account of this sandbox: what held, from the keeper and the probe."""
        from harness.sandbox import limits

        report, program = self.report, self.report.get("program", {})
        iso.namespaces = True
        iso.network = (
            "own network namespace with loopback only: the program reaches the emulator "
            + ("(bridged in from the --endpoint) " if bridged else "(which runs in it too) ")
            + "and nothing else"
        )
        parts = ["read-only except the run's scratch directory"]
        if report.get("covered"):
            parts.append(
                f"empty in the sandbox but for the run's own files: {', '.join(report['covered'])}"
            )
        if report.get("hidden_sockets"):
            parts.append(f"{report['hidden_sockets']} other Unix sockets of the host hidden")
        if report.get("hidden"):
            parts.append(f"hidden: {', '.join(report['hidden'])}")
        parts.append(
            "private /dev (null, zero, full, random, urandom; no tty) and /dev/shm"
            if report.get("private_dev")
            else "the host's /dev (NOT private)"
        )
        parts.append(
            "/sys and /proc/sys read-only"
            if report.get("proc_sys_readonly")
            else "/proc/sys writable (NOT read-only)"
        )
        iso.filesystem = "; ".join(parts)
        who = (
            f"uid {program.get('uid')} of its own user namespace, "
            + ("the host's nobody" if self.map_by_harness else f"the host's uid {os.geteuid()}")
            if program.get("own_user")
            else f"uid {program.get('uid', '?')} of the sandbox (NOT a user of its own)"
        )
        tasks = (
            f"at most {limits.MAX_TASKS} threads and processes (RLIMIT_NPROC)"
            if program.get("tasks") and program.get("own_user")
            else "threads NOT capped"
        )
        caps = (
            "no capabilities" if program.get("capabilities_dropped") else "capabilities NOT dropped"
        )
        iso.processes = (
            f"own PID namespace and /proc, {who}, {caps}, at most {limits.MAX_PROCESSES} "
            f"processes, {tasks}; whatever a program run leaves behind is killed when it ends"
        )
        if program.get("memory"):
            iso.limits.append(
                f"memory: {limits.MAX_MEMORY // 2**20} MB over the SDK's (RLIMIT_DATA)"
            )
        else:
            iso.limits.append("memory NOT capped")

    def _map_users(self) -> str:
        """Root in the namespace is nobody on the host (written from here: only a
        privileged process outside may map a uid other than its own)."""
        assert self.proc.stdin is not None
        try:
            for name in ("uid_map", "gid_map"):
                Path(f"/proc/{self.proc.pid}/{name}").write_text(f"0 {NOBODY} 1\n")
            self.proc.stdin.write(b"mapped\n")
            self.proc.stdin.flush()
        except OSError as exc:
            return f"error could not map the sandbox's users: {exc.strerror}"
        return self._read_line()

    def give(self, path: Path) -> None:
        """Make a directory the harness created writable by the sandbox's uid."""
        if not self.map_by_harness:
            return
        for top, dirs, files in os.walk(path):
            for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
                with contextlib.suppress(OSError):
                    os.lchown(name, NOBODY, NOBODY)

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

    def prefix(
        self, pid_namespace: bool = False, workdir: Path | None = None, confined: bool = False
    ) -> list[str]:
        """Command prefix that runs a command inside the sandbox.

        With ``pid_namespace`` the command is PID 1 of a PID namespace of its own, with
        its own /proc: when it ends, the kernel kills whatever it left behind. Without
        ``confined`` the command is root of the sandbox (trusted code: the emulator, the
        zygote and worker, which confine the program themselves); candidate code started
        any other way must be ``confined``.
        """
        cmd = ["nsenter", f"--target={self.pid}", "--user", "--net", "--mount", "--"]
        if pid_namespace:
            cmd += ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]
        if workdir is not None:
            # Not nsenter --wd: it opens the directory before entering, on the host's
            # mounts, which the sandbox's covered /tmp no longer reaches (getcwd fails).
            cmd += ["env", f"--chdir={workdir}", "--"]
        if confined:
            # Candidate code started directly (not by the worker): confined first, as a
            # program run is — uid 1000 of its own namespace, no capabilities, limits.
            # Root of the sandbox could otherwise unmount what covers the host's files.
            cmd += [sys.executable, "-I", "-S", str(Path(__file__).with_name("limits.py"))]
            cmd += ["--exec", "--"]
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


def short_tmp() -> str | None:
    """A temp directory short enough for Unix socket paths (about 100 bytes at most)."""
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
