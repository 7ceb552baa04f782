"""`kata grade --roster`: a roster file, the scoreboard (escaped, readable), history, and
a mixed roster graded end to end and looked at in a real headless browser."""

from __future__ import annotations

import csv
import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.commands.roster import RosterError, Row, add_history, read_roster
from harness.kata import KATAS_DIR, REPO_ROOT, load_kata
from harness.reports.scoreboard import write_scoreboard

SLUG = "least-privilege-iam"
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def _row(name: str, status: str, **kw: object) -> dict:
    from dataclasses import asdict

    kata = load_kata(SLUG)
    reqs = {r: {"outcome": "pass", "why": ""} for r in kata.requirement_ids}
    row = asdict(Row(name, "/forks/" + name, "", status, requirements=reqs))
    row.update({"graded_at": "2026-11-30T10:00:00+00:00", **kw})
    return row


def test_read_roster(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "name,source,ref\n# a comment\nAda,/f/ada,main\n\nBob,https://h/b.git\nNoFork\n"
    )
    entries = read_roster(path)
    assert [(e.name, e.source, e.ref) for e in entries] == [
        ("Ada", "/f/ada", "main"),
        ("Bob", "https://h/b.git", ""),
        ("NoFork", "", ""),
    ]
    assert entries[2].problem and not entries[0].problem
    (tmp_path / "empty.csv").write_text("name,source,ref\n")
    with pytest.raises(RosterError, match="names nobody"):
        read_roster(tmp_path / "empty.csv")


def test_every_candidate_string_is_escaped(tmp_path):
    kata = load_kata(SLUG)
    bad = _row(f"<b onmouseover=x>{HOSTILE}", "failed", reason=f"synth: RuntimeError: {HOSTILE}")
    bad["requirements"]["R1"] = {"outcome": "fail", "why": HOSTILE}
    bad["ref"] = '"><svg onload=alert(4)>'
    page, _ = write_scoreboard(kata, [bad], tmp_path)
    text = page.read_text()
    for raw in ("<img", "<script>alert", "<svg", "<b onmouseover"):
        assert raw not in text, raw
    assert html.escape(HOSTILE) in text
    assert "<script" not in text.lower()  # no script of ours either
    assert "default-src 'none'" in text


def test_csv_cells_cannot_become_formulas(tmp_path):
    kata = load_kata(SLUG)
    row = _row('=HYPERLINK("http://evil")', "failed", reason="-2+3")
    _, path = write_scoreboard(kata, [row], tmp_path)
    record = next(r for r in csv.DictReader(path.open()) if r["name"].endswith(")"))
    assert record["name"].startswith("'=") and record["first reason"] == "'-2+3"


def test_history_gives_attempts_over_time(tmp_path):
    first = [_row("Ada", "failed"), _row("Bob", "passed")]
    first[0]["requirements"]["R1"] = {"outcome": "fail", "why": "x"}
    add_history(first, tmp_path, SLUG)
    again = [_row("Ada", "passed", graded_at="2026-11-30T11:00:00+00:00")]
    add_history(again, tmp_path, SLUG)
    assert [(a["status"], a["passed"], a["of"]) for a in again[0]["attempts"]] == [
        ("failed", 9, 10)
    ]
    assert len((tmp_path / "history.jsonl").read_text().splitlines()) == 3
    page, path = write_scoreboard(load_kata(SLUG), again, tmp_path)
    assert "failed 9/10" in page.read_text()
    assert "failed 9/10" in path.read_text()


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)


@pytest.fixture(scope="module")
def graded_roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """correct, wrong (a mutant), broken (syntax), hostile (markup in its exception),
    a missing fork and a symlinked candidate file, graded twice (attempts over time)."""
    root = tmp_path_factory.mktemp("roster")
    solution = (KATAS_DIR / SLUG / "solution" / "__main__.py").read_text()
    forks = {
        "correct": solution,
        "wrong": solution.replace('"s3:PutObject"', '"s3:*"', 1),
        "broken": "import pulumi\ndef broken(:\n",
        "hostile": f"raise RuntimeError({HOSTILE!r})\n",
    }
    assert forks["wrong"] != solution
    for name, text in forks.items():
        (root / name).mkdir()
        (root / name / "__main__.py").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root / "correct", check=True)
    subprocess.run(["git", "add", "."], cwd=root / "correct", check=True)
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "ok"],
        cwd=root / "correct",
        check=True,
    )
    (root / "symlinked").mkdir()
    (root / "symlinked" / "__main__.py").symlink_to("/etc/passwd")
    roster = root / "roster.csv"
    roster.write_text(
        "name,source,ref\n"
        f"Ada,{root}/correct,\nBob,{root}/wrong,\nCy,{root}/broken,\n"
        f'"<b onmouseover=alert(3)>Eve</b>",{root}/hostile,\n'
        f"Mo,{root}/nowhere,\nSy,{root}/symlinked,\n"
    )
    board = root / "board"
    for _ in range(2):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "harness.cli",
                "grade",
                SLUG,
                "--roster",
                str(roster),
                "--scoreboard",
                str(board),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    return board


@pytest.mark.slow
def test_mixed_roster_rows(graded_roster):
    rows = {r["name"]: r for r in csv.DictReader((graded_roster / "scoreboard.csv").open())}
    assert rows["Ada"]["status"] == "passed" and rows["Ada"]["requirements passed"] == "10/10"
    assert len(rows["Ada"]["commit"]) == 40 and rows["Ada"]["commit time"]
    assert rows["Bob"]["status"] == "failed" and "s3:*" in rows["Bob"]["first reason"]
    assert rows["Cy"]["status"] == "failed" and "SyntaxError" in rows["Cy"]["first reason"]
    eve = rows["<b onmouseover=alert(3)>Eve</b>"]
    assert eve["status"] == "failed" and "onerror" in eve["first reason"]
    assert rows["Mo"]["status"] == "bad entry" and "no fork" in rows["Mo"]["first reason"]
    assert (
        rows["Sy"]["status"] == "bad entry" and "not a regular file" in rows["Sy"]["first reason"]
    )
    assert all(r["earlier attempts"] for r in rows.values())  # graded twice


@pytest.mark.slow
def test_scoreboard_in_a_headless_browser(graded_roster, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("KATA_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed: the scoreboard was not looked at in a browser")
    page = (graded_roster / "scoreboard.html").as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}/p"]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    # The browser parsed the candidates' markup as text: no element came out of it.
    assert "<img" not in dom and "<b onmouseover" not in dom and "<script" not in dom
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert dom.count("<tr>") == 7  # header + six people, bad entries included
    shot = tmp_path / "scoreboard.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1600,900", page],
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 10_000
    keep = os.environ.get("KATA_SCOREBOARD_SHOT")
    if keep:
        shutil.copyfile(shot, keep)
