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
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 24, 47, 4
CAP_LAST = 63


def apply_rlimits(max_file_bytes: int = MAX_FILE_BYTES) -> None:
    """No core files, no file (the output log included) larger than ``max_file_bytes``.

    A write past the limit raises SIGXFSZ, which ends the process: the engine tells that
    apart by the size of the log.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))


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
