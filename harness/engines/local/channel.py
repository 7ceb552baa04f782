"""The pipe between a program's worker and the harness: the worker asks, the harness applies.

The candidate's process must not be the one that records what was deployed: it could
leave a resource out of the record, or write whatever result it liked. So the worker
only forwards what the Pulumi SDK registers (type, name, inputs, options) over a Unix
socket; the harness process owns the Applier, talks to the emulator, keeps the state and
answers with the resource's id and outputs. Whatever the program then does, the state
is the harness's record of what the harness itself applied.

Frames are a 4-byte big-endian length and a JSON object, at most ``MAX_FRAME`` bytes.
Requests carry an ``id``; answers carry the same ``id`` (the SDK registers from several
threads at once, so answers may come back in any order).

- ``{"op": "register", "reg": {...}, "inputs": {...}}`` -> ``{"ok": [id, outputs]}`` or
  ``{"error": {"kind", "message", "hint"}}``; ``{"stop": true}`` also means: the run is
  over (the resource limit), exit now.
- ``{"op": "outputs", "outputs": {...}}``: the stack's exports.
- ``{"op": "done", "error": {...} | null}``: the program finished (or raised).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

MAX_FRAME = 64 * 1024 * 1024  # one registration's inputs, however large a policy is
ACCEPT_TIMEOUT_S = 60.0
HANDLER_THREADS = 8  # as many as the SDK registers at once (its `parallel`)
DRAIN_S = 2.0  # how long a closing channel waits for the last frames of a finished worker


class ChannelClosed(ConnectionError):
    pass


def send(sock: socket.socket, message: dict[str, Any], lock: threading.Lock) -> None:
    data = json.dumps(message, default=str).encode()
    if len(data) > MAX_FRAME:
        raise ValueError(f"a message of {len(data)} bytes is over the {MAX_FRAME} limit")
    with lock:
        sock.sendall(struct.pack(">I", len(data)) + data)


def receive(sock: socket.socket) -> dict[str, Any]:
    size = struct.unpack(">I", _exactly(sock, 4))[0]
    if size > MAX_FRAME:
        raise ChannelClosed(f"a frame of {size} bytes is over the {MAX_FRAME} limit")
    message = json.loads(_exactly(sock, size))
    if not isinstance(message, dict):
        raise ChannelClosed("a frame that is not a JSON object")
    return message


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ChannelClosed("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- the harness's side -------------------------------------------------------------------


class HarnessEnd(threading.Thread):
    """Listens for the one worker of a program run and answers its requests.

    ``handle(op, message)`` returns the answer's body (``{"ok": ...}``, ``{"error": ...}``);
    it runs on a pool, so registrations apply in parallel as they do under ``pulumi up``.
    Only the first connection is accepted: the worker connects before the program's code
    runs, and the socket is gone by the time the program could look for it.
    """

    def __init__(self, path: Path, handle: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
        super().__init__(daemon=True, name="worker-channel")
        self.path = path
        self.handle = handle
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        os.chmod(path, 0o666)  # the worker's uid (nobody, under a root grader) connects
        self.listener.listen(1)
        self.listener.settimeout(ACCEPT_TIMEOUT_S)
        self.conn: socket.socket | None = None
        self.send_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(HANDLER_THREADS, thread_name_prefix="apply")
        self.done: dict[str, Any] | None = None  # the worker's last word
        self.broken = ""  # why the channel failed, if it did

    def run(self) -> None:
        try:
            self.conn, _ = self.listener.accept()
        except OSError:
            return
        finally:
            self.listener.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
        try:
            while True:
                message = receive(self.conn)
                op = str(message.get("op", ""))
                if op == "done":
                    self.done = message
                    continue
                self.pool.submit(self._answer, op, message)
        except (ChannelClosed, OSError, ValueError) as exc:
            if not isinstance(exc, ChannelClosed) or "limit" in str(exc):
                self.broken = str(exc)

    def _answer(self, op: str, message: dict[str, Any]) -> None:
        try:
            body = self.handle(op, message)
        except Exception as exc:  # a bug here must reach the worker, not hang it
            body = {"error": {"kind": "environment", "message": f"{type(exc).__name__}: {exc}"}}
        if self.conn is None:
            return
        with contextlib.suppress(OSError, ValueError):
            send(self.conn, {"id": message.get("id"), **body}, self.send_lock)

    def close(self, drain_s: float = DRAIN_S) -> None:
        """After the worker is gone: read what it sent last (its "done" may still be in
        the socket), then stop reading and finish what is being applied."""
        with contextlib.suppress(OSError):
            self.listener.close()
        if self.is_alive():
            self.join(timeout=drain_s)  # the worker's exit closed its end: EOF comes soon
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.shutdown(socket.SHUT_RDWR)
            self.conn.close()
        self.join(timeout=5)
        self.pool.shutdown(wait=True, cancel_futures=True)
        with contextlib.suppress(OSError):
            self.path.unlink()


# -- the worker's side --------------------------------------------------------------------


class WorkerEnd:
    """The worker's connection: ``ask`` blocks the calling SDK thread for its answer."""

    def __init__(self, path: str) -> None:
        """Connect (no thread yet: the worker unshares a user namespace, which needs a
        single-threaded process, before ``start``)."""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.send_lock = threading.Lock()
        self.pending: dict[int, Future[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.next_id = 0

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True, name="channel-reader").start()

    def _read(self) -> None:
        try:
            while True:
                message = receive(self.sock)
                with self.lock:
                    future = self.pending.pop(int(message.get("id") or 0), None)
                if future is not None:
                    future.set_result(message)
        except (ChannelClosed, OSError, ValueError) as exc:
            with self.lock:
                pending, self.pending = list(self.pending.values()), {}
            for future in pending:
                future.set_exception(ChannelClosed(str(exc)))

    def ask(self, op: str, **body: Any) -> dict[str, Any]:
        future: Future[dict[str, Any]] = Future()
        with self.lock:
            self.next_id += 1
            self.pending[self.next_id] = future
            message = {"id": self.next_id, "op": op, **body}
        send(self.sock, message, self.send_lock)
        return future.result()

    def tell(self, op: str, **body: Any) -> None:
        send(self.sock, {"op": op, **body}, self.send_lock)
