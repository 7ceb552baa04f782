"""The warm checkov server: imported once per harness process, one forked child per scan."""

from __future__ import annotations

import json
import signal
import time

from harness.policy import warm


def _version(tmp_path, name):
    cwd = tmp_path / name
    cwd.mkdir()
    scan = warm.WarmCheckov().take(["--version"], cwd)
    assert scan is not None, "the warm server did not take the scan"
    out, err = scan.communicate(timeout=120)
    return scan, out.decode(), err.decode(), cwd


def test_scans_are_forked_children_of_one_server(tmp_path):
    first, out, _, cwd = _version(tmp_path, "a")
    assert first.returncode == 0 and out.strip()[:1].isdigit(), out
    assert (cwd / "checkov.stdout").read_text() == out  # its output lands in its own cwd
    server = warm._shared_server()
    second, out2, _, _ = _version(tmp_path, "b")
    assert warm._shared_server() is server, "the second run reused the same warm server"
    assert second.pid != first.pid and out2 == out


def test_a_scan_can_be_killed_like_a_process(tmp_path):
    cwd = tmp_path / "slow"
    cwd.mkdir()
    # A plan of 50,000 buckets: seconds of parsing and checking for a warm checkov (an
    # empty one can now end before the kill arrives, and the test would race).
    bucket = {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket"}
    resources = [
        {**bucket, "address": f"aws_s3_bucket.b{i}", "name": f"b{i}", "values": {}}
        for i in range(50_000)
    ]
    plan = {
        "format_version": "1.1",
        "terraform_version": "1.5.0",
        "planned_values": {"root_module": {"resources": resources}},
    }
    (cwd / "plan.json").write_text(json.dumps(plan))
    scan = warm.WarmCheckov().take(["-d", str(cwd), "--framework", "terraform_plan"], cwd)
    assert scan is not None
    deadline = time.monotonic() + 30
    while scan.pid is None and time.monotonic() < deadline:
        time.sleep(0.01)
    scan.kill()  # checkov needs far longer than this to load its checks and scan
    assert scan.wait(timeout=30) == -signal.SIGKILL
