"""results.html in a real headless Chromium: it renders, the graph holds the stack's
resources, and nothing a candidate controls runs as script."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from harness.context import RunOptions
from harness.kata import load_kata
from harness.reports.html import graph_nodes, render
from harness.runner import run_kata

SLUG = "least-privilege-iam"
# Each payload, if it ever ran, marks <body>: the DOM Chromium dumps then shows it.
SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"
ONERROR = "<img src=x onerror=\"document.body.setAttribute('data-pwned','onerror')\">"
PWNED = "data-pwned="
QUEUE = "aws:sqs/queue:Queue"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing in CI: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium not installed here (apt-get install -y chromium); CI requires it")


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def dump_dom(page: Path) -> str:
    done = _browser("--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(page: Path, png: Path) -> tuple[int, int, int]:
    """(width, height, distinct colours in a sample of rows) of a screenshot."""
    _browser(f"--screenshot={png}", "--window-size=1200,900", page.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    idat, pos = b"", 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}[colour]
    stride = 1 + width * channels * depth // 8
    colours = set()
    for y in range(0, height, 9):
        row = raw[y * stride + 1 : (y + 1) * stride]  # filtered bytes: a proxy for colour
        colours |= {row[i : i + channels] for i in range(0, len(row), channels * 7)}
    return width, height, len(colours)


def _hostile_data() -> tuple[dict, dict]:
    resources = [
        {"urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::data", "type": "aws:s3/bucket:Bucket",
         "name": "data", "region": "us-east-1", "custom": True},
        {"urn": f"urn:pulumi:dev::p::aws:sqs/queue:Queue::q{ONERROR}", "type": QUEUE,
         "name": f"q{ONERROR}", "region": "eu-west-1", "custom": True,
         "dependencies": ["urn:pulumi:dev::p::aws:s3/bucket:Bucket::data"]},
    ]  # fmt: skip
    data = {
        "kata": SLUG, "title": f"T {SCRIPT}", "verdict": "failed", "variant": "program:x",
        "score": {"requirements_passed": 0, "requirements_total": 1},
        "requirements": [{"id": "R1", "title": SCRIPT, "status": "failed", "checks": ["c1"]}],
        "checks": [{"id": "c1", "outcome": "failed", "stage": "behavior", "title": ONERROR,
                    "message": f"queue q{ONERROR} may {SCRIPT}", "resource": f"q{ONERROR}"}],
        "advisory": [{"id": "CKV_X", "outcome": "failed", "stage": "policy", "title": SCRIPT,
                      "source": "__main__.py:1", "resource": ONERROR}],
    }  # fmt: skip
    return data, {"source": "deployed", "resources": resources}


def test_every_candidate_string_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text(f"# {SCRIPT}\n")
    data, graph = _hostile_data()
    page = render(data, graph, program_output=SCRIPT + ONERROR, source_roots=[tmp_path])
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "onerror=" not in page.replace("onerror=&quot;", "")  # only as escaped text
    assert "&lt;script&gt;" in page  # shown to the reader, as text


def test_nodes_are_laid_out_in_region_lanes_by_dependency_depth() -> None:
    _, graph = _hostile_data()
    bucket, queue = graph_nodes(graph["resources"])
    assert queue.x > bucket.x  # the queue depends on the bucket: one column right
    assert queue.y != bucket.y  # another region, another lane
    providers = [{"urn": "p", "type": "pulumi:providers:aws", "name": "default", "custom": True}]
    assert graph_nodes(providers) == []


def test_the_browser_detector_sees_a_payload_that_runs(tmp_path: Path) -> None:
    """The control: without escaping, Chromium runs the payload and the dump shows it, so
    the absence below means the page stopped it, not that the probe is blind."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<html><body><p>x</p>{ONERROR}</body></html>")
    assert PWNED in dump_dom(page)


def test_the_page_renders_in_chromium_with_its_graph_and_runs_no_script(tmp_path: Path) -> None:
    data, graph = _hostile_data()
    page = tmp_path / "results.html"
    page.write_text(render(data, graph, program_output=SCRIPT + ONERROR))
    dom = dump_dom(page)
    assert PWNED not in dom
    assert 'id="graph"' in dom and dom.count('class="node') == 2
    assert 'data-name="data"' in dom
    assert 'class="node failing"' in dom  # the failing check points at the queue
    width, height, colours = screenshot(page, tmp_path / "shot.png")
    assert (width, height) == (1200, 900)
    assert colours > 20, "the screenshot is (nearly) blank"


@pytest.mark.slow
def test_a_hostile_programs_real_run_writes_a_safe_results_html(tmp_path: Path) -> None:
    kata = load_kata(SLUG)
    program = tmp_path / "program"
    program.mkdir()
    source = (kata.path / "__main__.py").read_text()
    program.joinpath("__main__.py").write_text(
        source
        + f"\nprint({SCRIPT!r})\npulumi.export('x', {ONERROR!r})\n"
        + f"aws.sqs.Queue({('q' + ONERROR)!r}, name='hostile-q')\n"
    )
    from harness import report

    result = run_kata(
        kata, RunOptions(variant=f"program:{program}", out_dir=tmp_path / "out", policy=False)
    )
    report.write_all(result)
    page = tmp_path / "out" / "results.html"
    dom = dump_dom(page)
    assert PWNED not in dom
    deployed = [
        r for r in result.extra["graph"]["resources"] if not r["type"].startswith("pulumi:")
    ]
    assert deployed and result.extra["graph"]["source"] == "deployed"
    assert dom.count('class="node') == len(deployed)
    assert "q&lt;img src=x onerror=" in dom  # the hostile queue is drawn, as text
    assert "&lt;script&gt;document.body" in dom  # the program's print, as text
