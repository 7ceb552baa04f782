"""First process of a run's sandbox: holds its user, network and mount namespaces.

Started by harness.sandbox as ``unshare --user --map-root-user --net --mount -- python -I -S
keeper.py REQUEST.json`` (isolated mode, no site: it imports nothing of the harness). It

- brings up ``lo``, the namespace's only interface: loopback works, nothing else routes;
- bind-mounts each writable directory of the run onto itself, hides credential files and
  directories of the user (an empty read-only tmpfs over a directory, /dev/null over a
  file), then remounts every other mount read-only, so the program can change nothing of
  the host (not the kata's tests, not the harness, not ~/.bashrc) but its scratch copy;
- forwards connections to loopback ports inside the namespace to Unix sockets the harness
  serves outside it (an external emulator, when the run uses ``--endpoint``);
- prints ``ready`` (or ``error <why>``) and waits for its stdin to close.

The emulator and the program's processes join these namespaces with nsenter.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import socket
import struct
import sys
import threading

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 1 << 18, 1 << 21, 1 << 24
OPTION_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
    "strictatime": MS_STRICTATIME,
}
SPECIAL = ("/proc", "/sys", "/dev")  # left as they are: kernel interfaces, not files

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data) if data else None):
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        # SIOCSIFFLAGS with IFF_UP | IFF_LOOPBACK | IFF_RUNNING
        fcntl.ioctl(s.fileno(), 0x8914, struct.pack("16sH14s", b"lo", 0x1 | 0x8 | 0x40, b""))


def _unescape(path: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo
    out, i = [], 0
    while i < len(path):
        if path[i] == "\\" and path[i + 1 : i + 4].isdigit():
            out.append(chr(int(path[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def mounts() -> list[tuple[str, int]]:
    """(mount point, flags to keep) of every mount, in mount order."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point, options = _unescape(fields[4]), fields[5].split(",")
            flags = 0
            for opt in options:
                flags |= OPTION_FLAGS.get(opt, 0)
            found.append((point, flags))
    return found


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def setup_mounts(writable: list[str], hide: list[str]) -> dict[str, object]:
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we do propagates to the host
    for path in writable:
        _mount(path, path, None, MS_BIND | MS_REC)
    hidden = []
    for path in hide:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
            elif os.path.isfile(path):
                _mount("/dev/null", path, None, MS_BIND)
            else:
                continue
            hidden.append(path)
        except OSError:
            continue  # e.g. a path we may not mount over: reported by omission
    readonly, failed = 0, []
    for point, keep in mounts():
        if _under(point, writable) or _under(point, list(SPECIAL)) or point in hidden:
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | keep)
            readonly += 1
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                failed.append(point)
    return {"readonly_mounts": readonly, "not_readonly": failed, "hidden": hidden}


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _serve_inward(port: int, unix_path: str) -> None:
    """Loopback port inside the namespace -> Unix socket the harness serves outside."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                up.connect(unix_path)
            except OSError:
                conn.close()
                up.close()
                continue
            for a, b in ((conn, up), (up, conn)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()


def main() -> None:
    with open(sys.argv[1]) as f:
        request = json.load(f)
    try:
        loopback_up()
        report = setup_mounts(request.get("writable", []), request.get("hide", []))
        for port, path in request.get("inward", {}).items():
            _serve_inward(int(port), path)
    except OSError as exc:
        print(f"error {exc}", flush=True)
        return
    print("ready " + json.dumps(report), flush=True)
    sys.stdin.read()  # the harness closes our stdin (or dies) to end the sandbox


if __name__ == "__main__":
    main()
