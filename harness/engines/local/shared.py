"""One warm zygote per harness process, shared by every run that has no sandbox.

A run's zygote (harness.engines.local.zygote) imports the Pulumi SDK, boto3 and the
pulumi_aws service modules the program uses: a second or more of CPU that a run
inside a sandbox pays every time, because its zygote must live in that run's
namespaces. A run without a sandbox — handed an emulator by ``kata watch``, ``kata
verify``, the benchmark or the test suite, or ``--sandbox off`` — has no namespace to
live in, so one zygote serves them all: it is started once, keeps what it imported,
and forks every program run from that state. It never runs candidate code itself
(each run is a fresh fork, given that run's own environment in its request), so one
run leaves nothing in it for the next.

One run at a time borrows it; a run that finds it busy (runs in threads) starts a
zygote of its own, as before. It ends with the harness process (its stdin closes).
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.engines.local import Zygote

_lock = threading.Lock()
_zygote: Zygote | None = None
_home: Path | None = None


@contextlib.contextmanager
def borrowed(env: dict[str, str]) -> Iterator[Zygote | None]:
    """The shared zygote, started on first use with ``env`` (its HOME is replaced by
    one of its own); None when another run holds it or it cannot start."""
    global _zygote, _home
    if not _lock.acquire(blocking=False):
        yield None
        return
    try:
        if _zygote is None or not _zygote.alive():
            from harness.engines.local import Zygote

            if _home is None:
                _home = Path(tempfile.mkdtemp(prefix="kata-zygote-home-"))
                atexit.register(stop)
            try:
                _zygote = Zygote({**env, "HOME": str(_home)})
            except OSError:
                _zygote = None
        yield _zygote
    finally:
        _lock.release()


def discard() -> None:
    """Stop the shared zygote (a run that timed out in it may have left it unsure)."""
    global _zygote
    zygote, _zygote = _zygote, None
    if zygote is not None:
        zygote.kill()


def stop() -> None:
    global _zygote, _home
    zygote, _zygote = _zygote, None
    if zygote is not None:
        zygote.stop()
    if _home is not None:
        shutil.rmtree(_home, ignore_errors=True)
        _home = None
