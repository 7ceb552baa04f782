"""What `kata scan` shows and writes: a console table, SARIF 2.1.0, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness import __version__
from harness.commands.scan import ScanReport
from harness.policy.scan import POLICIES_DIR
from harness.results import CheckResult, Outcome

CHECKOV_DOCS = "https://www.checkov.io/5.Policy%20Index/all.html"
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def print_report(console: Console, report: ScanReport) -> None:
    program = report.program
    stack = f"stack {program.stack}" + ("" if program.stack_file else " (no stack file)")
    console.print(
        f"[bold]{escape(program.project)}[/] ({escape(str(program.path))}, {stack}): "
        f"{len([r for r in report.resources if r.custom])} resources"
    )
    notes = []
    if program.region_defaulted:
        notes.append(f"no aws:region in the config: {program.config['aws:region']} assumed")
    if program.secure_keys:
        notes.append(f"secure config is unknown: {', '.join(program.secure_keys)}")
    if report.not_mapped:
        notes.append(f"not scanned (no Terraform type): {', '.join(report.not_mapped)}")
    if not report.sandboxed:
        notes.append(f"the program ran without the sandbox ({report.sandbox_reason})")
    for note in notes:
        console.print(f"  [yellow]note[/] {escape(note)}")
    shown = report.failed + report.unknown
    if shown:
        table = Table("check", "resource", "where", "verdict", "finding")
        for r in shown:
            verdict = "[red]FAILED[/]" if r.outcome == Outcome.FAILED else "[yellow]unknown[/]"
            table.add_row(
                r.id, escape(r.resource or ""), escape(r.source or ""), verdict, escape(_text(r))
            )
        console.print(table)
    console.print(
        f"{len(report.passed)} passed, [red]{len(report.failed)} failed[/], "
        f"[yellow]{len(report.unknown)} unknown until deploy[/]"
    )


def _text(result: CheckResult) -> str:
    if result.outcome == Outcome.NOT_EVALUABLE:
        return result.message
    text = result.title
    unknown = result.details.get("unknown_inputs")
    if unknown:
        text += f" (inputs unknown at preview: {', '.join(unknown)})"
    return text


def to_json(report: ScanReport) -> dict[str, Any]:
    return {"tool": "kata scan", "version": __version__, **report.to_dict()}


def to_sarif(report: ScanReport, root: Path | None = None) -> dict[str, Any]:
    """One SARIF result per failed or unknown finding, at the line that declared it."""
    shown = report.failed + report.unknown
    rules: dict[str, dict[str, Any]] = {}
    for r in shown:
        rules.setdefault(
            r.id,
            {
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title or r.id},
                "helpUri": CHECKOV_DOCS if not r.id.startswith(("CKV_KATA", "CKV2_KATA")) else "",
            },
        )
    results = [
        {
            "ruleId": r.id,
            "ruleIndex": list(rules).index(r.id),
            "level": "error" if r.outcome == Outcome.FAILED else "note",
            "kind": "fail" if r.outcome == Outcome.FAILED else "review",
            "message": {"text": r.message or r.title},
            "locations": [_location(report, r, root)],
            "properties": {"resource": r.resource, "outcome": str(r.outcome)},
        }
        for r in shown
    ]
    for rule in rules.values():
        if not rule["helpUri"]:
            rule["helpUri"] = POLICIES_DIR.as_uri()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kata scan (checkov on a Pulumi program)",
                        "version": __version__,
                        "informationUri": "https://www.checkov.io/",
                        "rules": list(rules.values()),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _location(report: ScanReport, result: CheckResult, root: Path | None) -> dict[str, Any]:
    base = root or Path.cwd()
    program_dir = report.program.path
    try:
        prefix = program_dir.relative_to(base.resolve()).as_posix()
    except ValueError:
        prefix = ""
    file, line = "__main__.py", None
    if result.source:
        name, _, number = result.source.rpartition(":")
        if name and number.isdigit():
            file, line = name, int(number)
    uri = f"{prefix}/{file}" if prefix and prefix != "." else file
    artifact: dict[str, Any] = {"uri": uri}
    if prefix or program_dir == base.resolve():
        artifact["uriBaseId"] = "%SRCROOT%"
    else:
        artifact = {"uri": (program_dir / file).as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line:
        physical["region"] = {"startLine": line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if result.resource:
        location["logicalLocations"] = [{"name": result.resource, "kind": "resource"}]
    return location


def write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str))
