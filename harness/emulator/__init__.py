"""The AWS emulator a run deploys to: the embedded moto server, or one given by URL.

The embedded server listens on a free loopback port, holds fresh state, and stops
when the harness does (its stdin is a pipe from us: if we die, it exits).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from harness.errors import EmulatorError

if TYPE_CHECKING:
    from harness.sandbox import Sandbox

ACCOUNT_ID = "123456789012"  # moto's default account
TEST_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
START_TIMEOUT_S = 30.0


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# The token each embedded emulator of this process accepts as the harness's (guard.py).
_TOKENS: dict[str, str] = {}


def harness_headers(endpoint: str) -> dict[str, str]:
    """Headers that mark a request as the harness's own (empty for other emulators)."""
    from harness.emulator.guard import HEADER

    token = _TOKENS.get(endpoint.rstrip("/"))
    return {HEADER: token} if token else {}


def set_guard(endpoint: str, on: bool) -> list[dict[str, str]] | None:
    """Switch the emulator's write guard; what it refused since last asked (None: the
    emulator has no guard, e.g. an external one, so out-of-band writes are not seen)."""
    from harness.emulator.guard import CONTROL_PATH

    headers = harness_headers(endpoint)
    if not headers:
        return None
    req = urllib.request.Request(
        f"{endpoint.rstrip('/')}{CONTROL_PATH}",
        data=b"on" if on else b"off",
        method="POST",
        headers={**headers, "Content-Type": "text/plain"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return list(json.loads(r.read()).get("refused", []))
    except (urllib.error.URLError, OSError, ValueError):
        return None


@dataclass
class Emulator:
    endpoint: str
    kind: str  # "moto" (embedded) or "external"
    _process: subprocess.Popen | None = None

    @property
    def supports_iam_enforcement(self) -> bool:
        return self.kind == "moto" or self._is_moto()

    def _is_moto(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            return False

    def set_iam_enforcement(self, on: bool) -> None:
        """Switch moto's IAM evaluation on (every request is authorized) or off."""
        count = b"0" if on else b"inf"
        req = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset-auth",
            data=count,
            method="POST",
            # Not form-encoded: moto reads the raw body as the number.
            headers={"Content-Type": "text/plain"},
        )
        try:
            with urllib.request.urlopen(req, timeout=5):
                pass
        except (urllib.error.URLError, OSError) as exc:
            raise EmulatorError(
                f"could not switch IAM enforcement at {self.endpoint}: {exc}",
                "IAM enforcement checks need moto (the embedded emulator)",
            ) from None

    def reset(self) -> None:
        """Drop every resource (moto only): the next run starts from nothing."""
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", data=b"", method="POST")
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(req, timeout=5),
        ):
            pass

    def stop(self) -> None:
        _TOKENS.pop(self.endpoint, None)
        proc, self._process = self._process, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Endpoints a run has named (for synth) whose emulator is not up yet.
_PENDING: set[str] = set()


def pending(port: int) -> Emulator:
    """The emulator a run will start on ``port``, named before it answers: synth sees the
    endpoint deploy will use (a program must not tell the two apart by it)."""
    endpoint = f"http://127.0.0.1:{port}"
    if port:
        _PENDING.add(endpoint)
    return Emulator(endpoint=endpoint, kind="pending")


def is_up(endpoint: str) -> bool:
    """May a program's lookups ask this endpoint? (not a pending one, not port 0)"""
    return endpoint not in _PENDING and urlparse(endpoint).port not in (None, 0)


def start_embedded(
    port: int | None = None,
    sandbox: Sandbox | None = None,
    preferred: int | None = None,
    warm: tuple[list[str], str] | None = None,
) -> Emulator:
    """Start moto on loopback; a free port is picked unless one is asked for.

    Picking a port and binding it are two steps, so a run started at the same moment
    can take it in between (seen with graders running in parallel): with a picked
    port (``preferred`` first), try again on another one.
    """
    if port is not None:
        return _start_embedded(port, sandbox, guarded=sandbox is not None, warm=warm)
    try:
        for attempt in range(3):
            try:
                chosen = preferred if preferred and attempt == 0 else free_port()
                # A run's own emulator (the runner names its port): guarded from the start.
                return _start_embedded(
                    chosen, sandbox, guarded=bool(preferred) or sandbox is not None, warm=warm
                )
            except EmulatorError as err:
                if "port in use" not in err.message or attempt == 2:
                    raise
        raise AssertionError("unreachable")
    finally:
        if preferred:
            _PENDING.discard(f"http://127.0.0.1:{preferred}")


def _start_embedded(
    port: int,
    sandbox: Sandbox | None,
    guarded: bool = False,
    warm: tuple[list[str], str] | None = None,
) -> Emulator:
    """Start moto on loopback and wait until it answers.

    With a sandbox, moto runs inside the run's network namespace (so nothing it is asked
    to do, e.g. an SNS HTTP subscription, reaches past loopback) and the harness reaches
    it through a Unix socket re-exposed on the same port of the host's loopback.
    """
    # No host credentials, nor the grader's agents: the emulator serves the program.
    agents = {"SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "DBUS_SESSION_BUS_ADDRESS"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in agents}
    env["MOTO_ALLOW_NONEXISTENT_REGION"] = "false"
    # AWS-managed policies (arn:aws:iam::aws:policy/...) exist in every account, and
    # programs attach them; moto loads its copy of them (about 1,600) only when asked.
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # Import the harness from this checkout even when it is not installed.
    repo = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "harness.emulator.moto_server", str(port)]
    unix_path = None
    if sandbox is not None:
        unix_path = sandbox.socket(f"emulator-{port}.sock")
        cmd = [*sandbox.prefix(), *cmd, "--unix", str(unix_path)]
        env["TMPDIR"] = str(sandbox.root)  # the only writable place inside
        try:
            sandbox.expose(port, unix_path)  # holds the host port from now on
        except OSError as exc:
            why = "port in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise EmulatorError(
                f"the embedded emulator could not bind 127.0.0.1:{port} ({why})",
                "free the port or omit --port to pick a free one",
            ) from None
    # stderr goes to a file, not a pipe: a pipe nobody reads fills up and stalls the server.
    with tempfile.TemporaryFile("w+") as errors:
        proc = _forked(sandbox, env, port, unix_path, errors.fileno(), warm) or subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            text=True,
            # Not in the terminal's process group: Ctrl-C must reach the harness, which
            # still needs the emulator for teardown, and stops it afterwards.
            start_new_session=True,
        )
        emulator = Emulator(endpoint=f"http://127.0.0.1:{port}", kind="moto", _process=proc)
        # A run's own emulator starts guarded: the program's synth may run before deploy
        # and must not write either (guard.py).
        token = secrets.token_hex(16)
        assert proc.stdin is not None
        proc.stdin.write(f"guard {token} {'on' if guarded else 'off'}\n")
        proc.stdin.flush()
        _TOKENS[emulator.endpoint] = token
        line = _read_ready_line(proc)
        if line == f"ready {port}":
            err = []
        else:
            emulator.stop()  # first: its stderr is complete only once it has exited
            errors.seek(0)
            err = errors.read().strip().splitlines()
    if line != f"ready {port}":
        reason = err[-1] if err else line or "exited without a word"
        if "Address already in use" in "\n".join(err):
            raise EmulatorError(
                f"the embedded emulator could not bind 127.0.0.1:{port} (port in use)",
                "free the port or omit --port to pick a free one",
            )
        raise EmulatorError(
            f"the embedded emulator (moto) did not start: {reason}",
            "check that the harness environment installed moto[server]",
        )
    # The server's stdout is not read again: keep it from filling a pipe.
    if proc.stdout:
        proc.stdout.close()
    return emulator


def _forked(
    sandbox: Sandbox | None,
    env: dict[str, str],
    port: int,
    unix_path: Path | None,
    stderr: int,
    warm: tuple[list[str], str] | None,
) -> Any:
    """The emulator forked into the sandbox by this process's warm fork server (a roster
    worker's, harness.sandbox.forkserver), moto already imported and the slow backends
    of ``warm`` (services, region) already built; None: exec it."""
    if sandbox is None or unix_path is None:
        return None
    from harness.sandbox import forkserver

    server = forkserver.server("emulator", {k: v for k, v in env.items() if k != "TMPDIR"})
    if server is None:
        return None
    try:
        argv = [str(port), "--unix", str(unix_path)]
        return server.spawn(sandbox.pid, env, argv, stderr, warm=warm)
    except OSError:
        return None


def _read_ready_line(proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), True)
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if sel.select(timeout=0.1):
            return proc.stdout.readline().strip()
        if proc.poll() is not None:
            return ""
    return "timed out"


def connect_external(endpoint: str, allow_remote: bool = False) -> Emulator:
    """Use an emulator someone already runs (LocalStack, moto in a container)."""
    endpoint = endpoint.rstrip("/")
    if not urlparse(endpoint).scheme or not urlparse(endpoint).hostname:
        raise EmulatorError(f"--endpoint {endpoint!r} is not a URL", "e.g. http://localhost:4566")
    if not is_loopback(endpoint) and not allow_remote:
        raise EmulatorError(
            f"refusing non-loopback endpoint {endpoint}",
            "pass --allow-remote-endpoint if you really mean to send requests there",
        )
    try:
        with urllib.request.urlopen(endpoint, timeout=3):
            pass
    except urllib.error.HTTPError:
        pass  # it answered: any HTTP status means something listens there
    except (urllib.error.URLError, OSError) as exc:
        raise EmulatorError(
            f"no emulator answers at {endpoint} ({getattr(exc, 'reason', exc)})",
            "start it first (see localstack/README.md) or omit --endpoint to use moto",
        ) from None
    return Emulator(endpoint=endpoint, kind="external")


# moto builds some backends on their first request, slowly: EC2 creates the default VPC,
# its subnets and security groups and loads its AMI catalog (about 2.5 s).
# Backends that take a second or more to build: EC2 (its AMI and instance-type tables)
# and IAM (the AWS-managed policies, about 1.1 s).
SLOW_BACKENDS = {"ec2": "describe_vpcs", "iam": "list_roles"}


def warm_backends(emulator: Emulator, services: list[str], region: str) -> None:
    """Build now the slow moto backends a kata uses (``SLOW_BACKENDS``), so the program's
    first call does not pay for it. Best effort: a failure here shows up later anyway."""
    if emulator.kind != "moto":
        return
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    for service in services:
        call = SLOW_BACKENDS.get(service)
        if call:
            with contextlib.suppress(BotoCoreError, ClientError):
                client = boto3.client(service, **client_kwargs(emulator.endpoint, region))
                getattr(client, call)()


def client_kwargs(endpoint: str, region: str) -> dict[str, str]:
    return {"endpoint_url": endpoint, "region_name": region, **TEST_CREDENTIALS}


def dump_state(endpoint: str) -> dict:
    """moto's own view of every resource it holds (used for the leak check)."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as r:
        return json.loads(r.read())


def account_id(endpoint: str, region: str = "us-east-1") -> str:
    """The account the emulator puts resources in (moto and LocalStack differ)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        sts = boto3.client("sts", **client_kwargs(endpoint, region))
        return sts.get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as exc:
        raise EmulatorError(
            f"the emulator at {endpoint} did not answer sts:GetCallerIdentity: {exc}"
        ) from None
