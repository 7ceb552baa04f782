"""Render a RunResult: the console table, results.json and JUnit XML; ``write_all`` also
writes SARIF (report_sarif.py) and the Markdown summary (report_markdown.py).

results.json is the machine-readable contract (docs/results-schema.md); bump
SCHEMA_VERSION when a field changes meaning or disappears.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import platform
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from harness import __version__
from harness.context import StageTiming
from harness.results import CheckResult, Outcome
from harness.runner import RunResult
from harness.sanitize import console as escape  # controls made visible, markup escaped
from harness.sanitize import xml

SCHEMA_VERSION = 2  # 2: the not_evaluable outcome, requirement status, verdict
REASON_WIDTH = 160  # characters of a failure shown in the console table
FILES = {
    "results": "results.json",
    "junit": "junit.xml",
    "sarif": "results.sarif",
    "markdown": "summary.md",
    "html": "results.html",
}
STATUS_MARKUP = {
    "passed": "[green]pass[/]",
    "failed": "[red]FAIL[/]",
    "not_evaluable": "[yellow]not evaluable[/]",
}
VERDICT_MARKUP = {
    "passed": "[green]PASSED[/]",
    "failed": "[red]FAILED[/]",
    "incomplete": "[yellow]INCOMPLETE[/]",
}
ICONS = {"ok": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[red]![/]", "skipped": "[dim]-[/]"}


def stage_line(console: Console, timing: StageTiming) -> None:
    icon = ICONS.get(timing.outcome, "?")
    detail = f"  [dim]{escape(timing.detail)}[/]" if timing.detail else ""
    console.print(f"  {icon} {timing.stage:<9} {timing.duration_s:5.2f}s{detail}")


def requirement_rows(result: RunResult) -> list[dict[str, Any]]:
    """Per requirement: ``passed``, ``failed`` (a check failed or none verified it) or
    ``not_evaluable`` (nothing failed, but the emulator could not show some check)."""
    rows = []
    for req in result.kata.requirements:
        checks = [r for r in result.results if r.requirement == req.id and r.enforced]
        failing = [r for r in checks if r.outcome not in (Outcome.PASSED, Outcome.NOT_EVALUABLE)]
        unevaluated = [r for r in checks if r.outcome == Outcome.NOT_EVALUABLE]
        if failing or not checks:
            status, why = "failed", failing
        else:
            status, why = ("not_evaluable", unevaluated) if unevaluated else ("passed", [])
        passed = sum(1 for r in checks if r.outcome == Outcome.PASSED)
        rows.append(
            {
                "id": req.id,
                "title": req.title,
                "status": status,
                "passed": status == "passed",
                "checks_total": len(checks),
                "checks_passed": passed,
                "checks_not_evaluable": len(unevaluated),
                "score": round(passed / len(checks), 3) if checks else 0.0,
                "checks": [c.id for c in checks],
                "reason": (why[0].message or why[0].title)
                if why
                else ("" if checks else "no check verified this requirement"),
            }
        )
    return rows


def _status(outcome: Outcome) -> str:
    if outcome == Outcome.NOT_EVALUABLE:
        return "not_evaluable"
    return "passed" if outcome == Outcome.PASSED else "failed"


def harness_checks(result: RunResult) -> list[CheckResult]:
    return [r for r in result.results if r.requirement is None and r.enforced]


def advisory(result: RunResult) -> list[CheckResult]:
    return [r for r in result.results if not r.enforced]


def print_summary(console: Console, result: RunResult) -> None:
    table = Table(title=f"{result.kata.title} — {result.options.variant}", title_justify="left")
    table.add_column("req", style="bold")
    table.add_column("requirement")
    table.add_column("result")
    table.add_column("checks", justify="right")
    table.add_column("why it failed", overflow="fold")
    rows = requirement_rows(result)
    for row in rows:
        status = STATUS_MARKUP[row["status"]]
        reason = row["reason"]
        if len(reason) > REASON_WIDTH:  # the whole message is in results.json
            reason = reason[: REASON_WIDTH - 1] + "…"
        table.add_row(
            row["id"],
            escape(row["title"]),
            status,
            f"{row['checks_passed']}/{row['checks_total']}",
            escape(reason),
        )
    for check in harness_checks(result):
        status = STATUS_MARKUP[_status(check.outcome)]
        table.add_row("—", escape(check.title), status, "", escape(check.message))
    console.print(table)
    first = next((r for r in rows if r["reason"] and not r["passed"]), None)
    if first is not None and len(first["reason"]) > REASON_WIDTH:
        # The table cuts long reasons; the first one is shown whole (all are in summary.md).
        console.print(f"[red]{first['id']}[/] {escape(first['reason'])}")
    adv = [a for a in advisory(result) if a.outcome == Outcome.FAILED]
    if adv:
        shown = ", ".join(sorted({a.id for a in adv})[:8])
        console.print(
            f"[yellow]advisory[/] {len(adv)} policy findings not enforced by this kata: {shown}"
            f"{' …' if len({a.id for a in adv}) > 8 else ''} (see results.json)"
        )
    if result.error is not None:
        console.print(f"[red]error[/] {escape(str(result.error))}")
    if result.interrupted:
        console.print("[yellow]interrupted[/]: the stack was torn down")
    verdict = VERDICT_MARKUP[result.verdict]
    passed = sum(1 for r in rows if r["passed"])
    unevaluated = sum(1 for r in rows if r["status"] == "not_evaluable")
    console.print(
        f"{verdict} {passed}/{len(result.kata.requirements)} requirements"
        + (f", {unevaluated} not evaluable on this emulator" if unevaluated else "")
        + f" in {result.duration_s:.1f}s — results in {_rel(result.out_dir)}"
    )


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _versions() -> dict[str, str]:
    versions = {"harness": __version__, "python": platform.python_version()}
    for dist in ("pulumi", "pulumi-aws", "moto", "boto3", "pytest"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    return versions


def to_json(result: RunResult) -> dict[str, Any]:
    rows = requirement_rows(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "kata": result.kata.slug,
        "title": result.kata.title,
        "variant": result.options.variant,
        "engine": result.options.engine,
        "emulator": result.options.endpoint or f"embedded-{result.options.emulator}",
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(result.duration_s, 3),
        "passed": result.verdict == "passed",
        "verdict": result.verdict,
        "exit_code": result.exit_code,
        "score": {
            "requirements_passed": sum(1 for r in rows if r["passed"]),
            "requirements_total": len(rows),
            "percent": round(100 * sum(1 for r in rows if r["passed"]) / len(rows), 1)
            if rows
            else 0.0,
        },
        "requirements": rows,
        "checks": [_check(r) for r in result.results if r.enforced],
        "advisory": [_check(r) for r in result.results if not r.enforced],
        "stages": [
            {
                "stage": t.stage,
                "duration_s": round(t.duration_s, 3),
                "outcome": t.outcome,
                "detail": t.detail,
            }
            for t in result.timings
        ],
        "error": None
        if result.error is None
        else {
            "kind": result.error.kind,
            "message": result.error.message,
            "hint": result.error.hint,
        },
        "interrupted": result.interrupted,
        "versions": _versions(),
        "isolation": result.isolation or None,
        "submission": result.submission,
        "files": dict(FILES),
    }


def _check(r: CheckResult) -> dict[str, Any]:
    d = r.to_dict()
    d["duration_s"] = round(r.duration_s, 4)
    return d


def write_json(result: RunResult, path: Path) -> None:
    path.write_text(json.dumps(to_json(result), indent=2, default=str))


def write_junit(result: RunResult, path: Path) -> None:
    enforced = [r for r in result.results if r.enforced]
    suite = ET.Element(
        "testsuite",
        name=f"kata:{result.kata.slug}:{result.options.variant}",
        tests=str(len(enforced)),
        failures=str(sum(1 for r in enforced if r.outcome == Outcome.FAILED)),
        errors=str(sum(1 for r in enforced if r.outcome == Outcome.ERROR)),
        skipped=str(sum(1 for r in enforced if r.outcome == Outcome.NOT_EVALUABLE)),
        time=f"{result.duration_s:.3f}",
    )
    for r in enforced:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{result.kata.slug}.{r.requirement or r.stage}",
            name=xml(f"[{r.stage}] {r.id}" + (f" @ {r.resource}" if r.resource else "")),
            time=f"{r.duration_s:.3f}",
        )
        if r.outcome == Outcome.FAILED:
            ET.SubElement(case, "failure", message=xml(r.message or r.title)).text = xml(r.message)
        elif r.outcome == Outcome.ERROR:
            ET.SubElement(case, "error", message=xml(r.message or r.title)).text = xml(r.message)
        elif r.outcome == Outcome.NOT_EVALUABLE:
            ET.SubElement(case, "skipped", message=xml(r.message or r.title))
    ET.ElementTree(ET.Element("testsuites")).getroot().append(suite)
    tree = ET.ElementTree(suite)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def write_all(result: RunResult) -> None:
    from harness import report_markdown, report_sarif
    from harness.reports.html import write_html

    write_json(result, result.out_dir / FILES["results"])
    # to_json again rather than re-reading the file: the same content, no parse step.
    write_html(
        result, json.loads(json.dumps(to_json(result), default=str)), result.out_dir / FILES["html"]
    )
    write_junit(result, result.out_dir / FILES["junit"])
    report_sarif.write_sarif(result, result.out_dir / FILES["sarif"])
    report_markdown.write_markdown(result, result.out_dir / FILES["markdown"])
