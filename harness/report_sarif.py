"""SARIF 2.1.0 for the policy stage's findings, for code-scanning views and PR annotations.

One result per failing finding (a check on a resource); each points at the line of the
candidate's program that declared the resource when the worker saw it (``source``),
else at the program file itself. Enforced findings are errors, advisory ones notes.
Locations are relative to the repository root for a kata run (``katas/<slug>/…``) and to
the submission for a graded fork, so a code-scanning upload lands on the right file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import __version__
from harness.kata import REPO_ROOT
from harness.results import CheckResult, Outcome, Stage
from harness.runner import RunResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
CHECKOV_DOCS = "https://www.checkov.io/5.Policy%20Index/all.html"


def program_root(result: RunResult) -> str:
    """Where the graded program's files live, as a repository-relative path ("" = root)."""
    variant = result.options.variant
    kata_dir = _rel(result.kata.path)
    if result.submission is not None:  # kata grade: relative to the submission
        if result.submission.get("layout") == "fork":
            return kata_dir if kata_dir is not None else f"katas/{result.kata.slug}"
        return ""
    if variant == "solution":
        return f"{kata_dir}/solution" if kata_dir else "solution"
    if variant.startswith("mutant:"):
        mutant = variant.split(":", 1)[1]
        return f"{kata_dir}/mutants/{mutant}" if kata_dir else f"mutants/{mutant}"
    if variant.startswith("program:"):
        directory = Path(variant.split(":", 1)[1])
        return _rel(directory) or directory.as_uri()
    return kata_dir or ""


def _rel(path: Path) -> str | None:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return None


def _join(root: str, name: str) -> str:
    return f"{root.rstrip('/')}/{name}" if root else name


def _location(result: RunResult, check: CheckResult) -> dict[str, Any]:
    root = program_root(result)
    file, line = (result.kata.candidate_files or ["__main__.py"])[0], None
    if check.source:
        name, _, number = check.source.rpartition(":")
        if name and number.isdigit():
            file, line = name, int(number)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _join(root, file)}}
    if not root.startswith("file:"):
        physical["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
    if line:
        physical["region"] = {"startLine": line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if check.resource:
        location["logicalLocations"] = [{"name": check.resource, "kind": "resource"}]
    return location


def to_sarif(result: RunResult) -> dict[str, Any]:
    findings = [
        r
        for r in result.results
        if r.stage == Stage.POLICY and r.outcome in (Outcome.FAILED, Outcome.ERROR)
    ]
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        rule = rules.setdefault(
            f.id,
            {
                "id": f.id,
                "name": f.id,
                "shortDescription": {"text": f.title or f.id},
                "helpUri": CHECKOV_DOCS,
                "properties": {"enforced": f.enforced, "requirement": f.requirement},
            },
        )
        rule["properties"]["enforced"] |= f.enforced
    results = []
    for f in findings:
        message = f.message or f.title or f.id
        if f.requirement:
            message = f"{message} (requirement {f.requirement})"
        results.append(
            {
                "ruleId": f.id,
                "ruleIndex": list(rules).index(f.id),
                "level": "error" if f.enforced else "note",
                "kind": "fail",
                "message": {"text": message},
                "locations": [_location(result, f)],
                "properties": {
                    "requirement": f.requirement,
                    "resource": f.resource,
                    "enforced": f.enforced,
                    "outcome": str(f.outcome),
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iac-katas policy stage (checkov)",
                        "version": __version__,
                        "informationUri": "https://www.checkov.io/",
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"kata/{result.kata.slug}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def write_sarif(result: RunResult, path: Path) -> None:
    path.write_text(json.dumps(to_sarif(result), indent=2))
