"""First process of a run's sandbox: creates and holds its user, network and mount namespaces.

Started by harness.sandbox as ``python -I -S keeper.py REQUEST.json`` (isolated mode, no
site: it imports nothing of the harness). It

- unshares a user, a network and a mount namespace (``unshare(2)``; it is still single
  threaded). Who the namespace's root is depends on who grades: a grader running as
  root writes the uid/gid maps from outside (``0 65534 1``: root in here is nobody out
  there, so no file of the host's root is the program's own and no root-only sysctl
  accepts its writes); any other grader maps its own uid, as ``unshare -r`` does;
- brings up ``lo``, the namespace's only interface: loopback works, nothing else routes;
- covers the home directories and temp directories of the host (``/root``, ``/home``,
  the grader's home, ``/tmp``, ``/var/tmp``, ``/run``) with empty tmpfs, then binds back
  only what the run needs (the interpreter, the harness, the run's own directories),
  so neither credentials, another run's files nor anyone's sockets are there to find;
- hides every other pathname Unix socket the host has bound (the harness lists them
  from /proc/net/unix) under /dev/null;
- gives the namespace a private /dev (null, zero, full, random, urandom; no tty) with a
  private /dev/shm, makes /sys and /proc/sys read-only, and remounts every other mount
  read-only but the run's writable directories;
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
import stat
import struct
import sys
import threading

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 1 << 18, 1 << 21, 1 << 24
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x20000, 0x10000000, 0x40000000
O_PATH = getattr(os, "O_PATH", 0o10000000)
OPTION_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
    "strictatime": MS_STRICTATIME,
}
SPECIAL = ("/proc", "/dev")  # kernel interfaces: /proc/sys and /dev are handled on their own
DEVICES = ("null", "zero", "full", "random", "urandom")
SHM_SIZE = "64m"

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data) if data else None):
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def unshare(map_by_harness: bool) -> None:
    """New user, network and mount namespaces, and who is root in them."""
    uid, gid = os.geteuid(), os.getegid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS):
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")
    if map_by_harness:
        # Only a privileged process outside may map another uid than our own.
        print(f"unshared {os.getpid()}", flush=True)
        if sys.stdin.readline().strip() != "mapped":
            raise OSError(errno.EPERM, "the harness did not map the namespace's users")
        return
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")


def become_root_inside() -> None:
    """Take the namespace's uid 0 (the host's nobody), keeping every capability the
    namespace gives: files created from now on belong to a mapped user."""
    with contextlib.suppress(OSError):
        os.setgroups([])
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)


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


def _open_paths(paths: list[str]) -> dict[str, int]:
    """O_PATH descriptors of what must stay visible, taken before anything covers it."""
    fds = {}
    for path in paths:
        with contextlib.suppress(OSError):
            fds[path] = os.open(path, O_PATH | os.O_CLOEXEC)
    return fds


def _make_point(path: str, like_dir: bool) -> None:
    """A mount point inside a covering tmpfs: its parent directories, then itself."""
    parent = os.path.dirname(path)
    os.makedirs(parent, mode=0o755, exist_ok=True)
    if like_dir:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o755)
    elif not os.path.lexists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))


def cover(dirs: list[str], keep: dict[str, int]) -> tuple[list[str], list[str]]:
    """An empty tmpfs over each directory; what ``keep`` names under it is bound back.

    Returns the covered directories and the paths bound back inside them. A directory
    under a cover is gone, unless a bound-back path holds it again (a checkout under
    /tmp brings back its .kata-runs): then it is covered in its turn.
    """
    covered: list[str] = []
    bound: list[str] = []
    for path in sorted(set(dirs), key=len):
        if any(_under(path, [c]) for c in covered) and not _under(path, bound):
            continue  # already under a cover: what it holds is already gone
        if not os.path.isdir(path) or os.path.islink(path):
            continue
        try:
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        except OSError:
            continue  # reported by omission
        covered.append(path)
        for kept in sorted((k for k in keep if _under(k, [path]) and k != path), key=len):
            fd = keep[kept]
            like_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
            try:
                _make_point(kept, like_dir)
                _mount(f"/proc/self/fd/{fd}", kept, None, MS_BIND | MS_REC)
            except OSError:
                continue
            bound.append(kept)
    return covered, bound


def hide_sockets(paths: list[str]) -> list[str]:
    """/dev/null over each pathname socket the host has bound (connect() needs no write
    access to a read-only mount, so a read-only filesystem alone would not stop it)."""
    hidden = []
    for path in paths:
        try:
            if not stat.S_ISSOCK(os.lstat(path).st_mode):
                continue
            _mount("/dev/null", path, None, MS_BIND)
            hidden.append(path)
        except OSError:
            continue
    return hidden


def private_dev() -> bool:
    """/dev with only the harmless devices, no tty, a private /dev/shm."""
    fds = _open_paths([f"/dev/{name}" for name in DEVICES])
    try:
        _mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    except OSError:
        return False
    for path, fd in fds.items():
        _make_point(path, like_dir=False)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(target, f"/dev/{name}")
    os.symlink("/proc/self/fd/1", "/dev/stdout")
    os.symlink("/proc/self/fd/2", "/dev/stderr")
    os.mkdir("/dev/shm", 0o1777)
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={SHM_SIZE},mode=1777")
    os.chmod("/dev/shm", 0o1777)
    _mount(None, "/dev", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    return True


def readonly_proc_sys(proc: str = "/proc") -> bool:
    """/proc/sys read-only (a sysctl write is a write to the host's kernel)."""
    try:
        _mount(f"{proc}/sys", f"{proc}/sys", None, MS_BIND | MS_REC)
        _mount(None, f"{proc}/sys", None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        return True
    except OSError:
        return False


def bind_writable(writable: list[str]) -> None:
    """Each writable directory a mount of its own (what the read-only pass skips)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we do propagates to the host
    for path in writable:
        _mount(path, path, None, MS_BIND | MS_REC)


def setup_mounts(
    writable: list[str], hide: list[str], covers: list[str], fds: dict[str, int], sockets: list[str]
) -> dict[str, object]:
    covered, bound = cover(covers, fds)
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
    # A socket under a cover is gone, unless a bound-back path shows it again.
    hidden_sockets = hide_sockets(
        [
            s
            for s in sockets
            if not _under(s, writable) and (not _under(s, covered) or _under(s, bound))
        ]
    )
    dev = private_dev()
    proc_sys = readonly_proc_sys()
    readonly, failed = 0, []
    for point, keep_flags in mounts():
        if _under(point, writable) or _under(point, list(SPECIAL)) or point in hidden:
            continue
        if point in hidden_sockets:
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | keep_flags)
            readonly += 1
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                failed.append(point)
    return {
        "readonly_mounts": readonly,
        "not_readonly": failed,
        "hidden": hidden,
        "covered": covered,
        "hidden_sockets": len(hidden_sockets),
        "private_dev": dev,
        "proc_sys_readonly": proc_sys,
    }


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
    writable = request.get("writable", [])
    try:
        unshare(bool(request.get("map_by_harness")))
        # Still the harness's own uid on the host: open what stays visible and bind the
        # writable directories while every path resolves as it does for the harness.
        fds = _open_paths(sorted(set(request.get("keep", [])) | set(writable)))
        bind_writable(writable)
        if request.get("map_by_harness"):
            become_root_inside()
        loopback_up()
        report = setup_mounts(
            writable,
            request.get("hide", []),
            request.get("cover", []),
            fds,
            request.get("sockets", []),
        )
        for fd in fds.values():
            os.close(fd)
        for port, path in request.get("inward", {}).items():
            _serve_inward(int(port), path)
    except OSError as exc:
        print(f"error {exc}", flush=True)
        return
    print("ready " + json.dumps(report), flush=True)
    sys.stdin.read()  # the harness closes our stdin (or dies) to end the sandbox


if __name__ == "__main__":
    main()
