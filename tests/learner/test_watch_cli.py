"""`kata watch` as a learner runs it: in a terminal, stopped with Ctrl-C."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import cli

SLUG = "least-privilege-iam"


def test_watch_without_a_workspace_says_how_to_make_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["watch", SLUG]) == 2
    assert f"kata start {SLUG}" in capsys.readouterr().out


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = set(), [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.add(child)
            queue.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_stops_watch_and_leaves_nothing(
    kata_home: Path, tmp_path: Path
) -> None:
    assert cli.main(["start", SLUG]) == 0
    scratch = tmp_path / "tmp"  # where the runs' scratch copies go
    scratch.mkdir()
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "watch", SLUG, "--no-policy"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "KATA_HOME": str(kata_home), "TMPDIR": str(scratch)},
        start_new_session=True,  # Ctrl-C goes to the terminal's foreground group: this one
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 240
    while b"save to re-grade" not in output and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                output += os.read(leader, 65536)
            except OSError:
                break
    assert b"save to re-grade" in output, output.decode(errors="replace")[-2000:]
    helpers = _descendants(proc.pid)
    assert helpers, "the warm emulator runs as a child of watch"
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
    code = proc.wait(timeout=30)
    try:
        while select.select([leader], [], [], 0.5)[0]:
            output += os.read(leader, 65536)
    except OSError:
        pass
    os.close(leader)
    assert code == 1  # the starter's verdict: the last run failed
    assert b"stopped" in output
    time.sleep(0.5)
    assert not [pid for pid in helpers if _alive(pid)], "a process of watch outlived it"
    left = sorted(p.name for p in scratch.iterdir())
    assert not [name for name in left if name.startswith("kata-")], left
