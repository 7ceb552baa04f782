"""Limits a program's process puts on itself before the candidate's code runs.

Called by the worker (forked from the zygote, or started fresh) before it imports the
program. Everything here is one-way: the program cannot undo it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import sys

MAX_FILE_BYTES = 32 * 1024 * 1024  # no file the program writes (its output log too) grows past
MAX_PROCESSES = 32  # processes of one program run, its own included
MAX_TASKS = 256  # threads and processes of one program run (RLIMIT_NPROC counts both)
MAX_MEMORY = 1024**3  # bytes of data a program run may add to what the SDK already holds
PROGRAM_UID = 1000  # the program's uid in a user namespace of its own: nobody's, unprivileged
CLONE_NEWUSER = 0x10000000
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 24, 47, 4
CAP_LAST = 63


def apply_rlimits(max_file_bytes: int = MAX_FILE_BYTES) -> None:
    """No core files, no file (the output log included) larger than ``max_file_bytes``.

    A write past the limit raises SIGXFSZ, which ends the process: the engine tells that
    apart by the size of the log.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))


def limit_memory(extra: int = MAX_MEMORY) -> bool:
    """RLIMIT_DATA: what the process holds now (the SDK, warm) plus ``extra``; RLIMIT_AS
    four times that as a backstop (it also counts reservations never touched).
    An allocation past it raises MemoryError in the program."""
    data, size = _vm("VmData"), _vm("VmSize")
    if data is None or size is None:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (data + extra, data + extra))
        resource.setrlimit(resource.RLIMIT_AS, (size + 4 * extra, size + 4 * extra))
    except (ValueError, OSError):
        return False
    return True


def _vm(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def become_program_user(uid: int = PROGRAM_UID) -> bool:
    """A user namespace of the program's own, in which it is ``uid``, not root.

    Inside the run's sandbox the namespace maps ``uid`` to the sandbox's root, which is
    nobody on the host of a root grader (the grader's own uid otherwise): the program owns
    no host file it did not create. RLIMIT_NPROC is counted per user in each namespace, so
    ``limit_tasks`` then counts only the program's threads and processes, not the
    emulator's. Needs a single-threaded process (the zygote's fresh fork, the worker
    before it imports the SDK).
    """
    if not sys.platform.startswith("linux"):
        return False
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        return False
    try:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {outer_uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{uid} {outer_gid} 1")
    except OSError:
        return False
    return os.getuid() == uid


def limit_tasks(max_tasks: int = MAX_TASKS) -> bool:
    """RLIMIT_NPROC: threads and processes together; past it a new thread or fork fails."""
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (max_tasks, max_tasks))
    except (ValueError, OSError):
        return False
    return True


def readonly_proc_sys() -> bool:
    """/proc/sys read-only in this mount namespace (needs CAP_SYS_ADMIN in it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    ms_bind, ms_rec, ms_remount, ms_rdonly = 4096, 16384, 32, 1
    if libc.mount(b"/proc/sys", b"/proc/sys", None, ms_bind | ms_rec, None) != 0:
        return False
    return libc.mount(None, b"/proc/sys", None, ms_remount | ms_bind | ms_rdonly, None) == 0


def limit_processes_by_uid(extra: int = 256) -> bool:
    """Without a PID namespace: RLIMIT_NPROC, which counts every task (threads too) of the
    uid, so the limit is what the user runs now plus ``extra``. Root is exempt (the kernel
    does not enforce RLIMIT_NPROC for it), so is a system without /proc to count on."""
    if os.getuid() == 0 or not hasattr(resource, "RLIMIT_NPROC"):
        return False
    uid = os.getuid()
    try:
        tasks = 0
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                with contextlib.suppress(OSError):
                    if os.stat(f"/proc/{pid}").st_uid == uid:
                        tasks += len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return False
    limit = tasks + extra
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    except (ValueError, OSError):
        return False
    return True


def drop_capabilities() -> bool:
    """Give up every capability (in the sandbox's user namespace) for good.

    Processes that enter the sandbox are root of its user namespace; the program must
    not be: it could otherwise remount the read-only filesystem or unmount /proc.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    for cap in range(CAP_LAST + 1):
        prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the kernel's last cap: fine
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3: two 32-bit words
    data = (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        return False
    return capabilities_effective() == 0


def capabilities_effective() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return -1


def confine_sandboxed() -> dict[str, object]:
    """Everything a sandboxed program run gets before its code runs; what held."""
    held: dict[str, object] = {}
    if os.getpid() == 1:  # a fresh worker is PID 1 of its namespace, as the zygote is
        readonly_proc_sys()
    held["own_user"] = become_program_user()
    held["uid"] = os.getuid()
    held["tasks"] = limit_tasks()
    held["capabilities_dropped"] = drop_capabilities()
    held["memory"] = limit_memory()
    return held


def _main(argv: list[str]) -> None:
    """``limits.py``: print what a program run gets here (JSON); ``limits.py --exec CMD``:
    confine this process as a program run is confined, then become CMD (run with
    ``python -I -S``: it needs nothing but the standard library)."""
    import json

    apply_rlimits()
    held = confine_sandboxed()
    if argv[:1] == ["--exec"]:
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        if not held.get("own_user") or not held.get("capabilities_dropped"):
            sys.stderr.write(f"could not confine the process: {json.dumps(held)}\n")
            os._exit(126)
        os.execvp(command[0], command)
    print(json.dumps(held))


if __name__ == "__main__":
    _main(sys.argv[1:])
