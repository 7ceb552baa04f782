"""Reading what a sandboxed program could have written, without following its links.

The harness runs outside the sandbox with more rights than the program. A file in a
directory the program may write (its output log, anything in its scratch directory) can
have been replaced by a symlink to a host file (``~/.aws/credentials``) or by a FIFO that
blocks the reader: opened naively, the harness would read the host file for the program
and quote it into the reports. Here every component below a trusted directory is opened
with O_NOFOLLOW, the file must be a regular file, and at most ``limit`` bytes are read.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class UnsafeFile(OSError):
    """The path is a link, not a regular file, or under a link."""


def read_untrusted(path: Path, limit: int, trusted_parent: Path | None = None) -> bytes:
    """The first ``limit`` bytes of ``path``; UnsafeFile if it, or any directory between
    ``trusted_parent`` (default: its own directory) and it, is not what it claims."""
    path = Path(path)
    base = Path(trusted_parent) if trusted_parent is not None else path.parent
    parts = path.relative_to(base).parts
    fd = os.open(base, os.O_RDONLY | O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            try:
                next_fd = os.open(part, os.O_RDONLY | O_DIRECTORY | O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                raise UnsafeFile(exc.errno, f"{path}: a directory on the way is a link") from None
            os.close(fd)
            fd = next_fd
        try:
            file_fd = os.open(
                parts[-1], os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd
            )
        except OSError as exc:
            if exc.errno == getattr(os, "ELOOP", 40):
                raise UnsafeFile(exc.errno, f"{path} is a symbolic link") from None
            raise
    finally:
        os.close(fd)
    try:
        if not stat.S_ISREG(os.fstat(file_fd).st_mode):
            raise UnsafeFile(0, f"{path} is not a regular file")
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(file_fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(file_fd)


def size_untrusted(path: Path) -> int:
    """Size of a regular file, never following a link (0 if it is not one)."""
    with contextlib.suppress(OSError):
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            return st.st_size
    return 0
