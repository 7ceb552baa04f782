"""CloudFormation templates embedded in the program, and cfn-lint's findings on them.

A Pulumi program can ship a template through ``aws.cloudformation.Stack`` or
``StackSet``; the Terraform plan would only show it as an opaque string, so each
template body is written to a file of its own and linted as CloudFormation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.engines.state import ResourceState
from harness.policy.tfplan import UNKNOWN
from harness.policy.tftypes import terraform_name
from harness.results import CheckResult, Outcome, Stage

STACK_TYPES = ("aws:cloudformation/stack:Stack", "aws:cloudformation/stackSet:StackSet")
MAX_LISTED = 5  # matches per (rule, stack) spelled out in a message


@dataclass(frozen=True)
class Template:
    path: str  # relative to the scan's workdir, as the tools report it
    resource: ResourceState


def write_templates(resources: list[ResourceState], workdir: Path) -> list[Template]:
    """Write every known template body under ``workdir/cfn/``; one file per stack."""
    out: list[Template] = []
    for r in resources:
        body = r.inputs.get("templateBody")
        if r.type not in STACK_TYPES or not isinstance(body, str) or body == UNKNOWN:
            continue
        try:
            json.loads(body)
            suffix = "json"
        except ValueError:
            suffix = "yaml"  # CloudFormation accepts JSON or YAML; cfn-lint goes by suffix
        stem, n = terraform_name(r.name), 1
        rel = f"cfn/{stem}.template.{suffix}"
        while any(t.path == rel for t in out):
            n += 1
            rel = f"cfn/{stem}_{n}.template.{suffix}"
        (workdir / "cfn").mkdir(parents=True, exist_ok=True)
        (workdir / rel).write_text(body)
        out.append(Template(rel, r))
    return out


def lint_results(
    matches: list[dict[str, Any]],
    templates: list[Template],
    enforced: dict[str, str],
    sources: dict[str, str],
) -> list[CheckResult]:
    """cfn-lint errors (E*) as CheckResults: one per (rule, stack), advisory unless enforced.

    ``enforced`` maps check id → requirement; ``sources`` maps URN → "file:line".
    """
    by_path = {t.path: t.resource for t in templates}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for m in matches:
        rule = m.get("Rule", {}).get("Id", "")
        if m.get("Level") != "Error" or not rule.startswith("E"):
            continue
        grouped.setdefault((rule, m.get("Filename", "")), []).append(m)
    results = []
    for (rule, filename), found in grouped.items():
        stack = by_path.get(filename)
        lines = [
            f"{filename}:{m.get('Location', {}).get('Start', {}).get('LineNumber', '?')} "
            f"{m.get('Message', '').strip()}"
            for m in found
        ]
        more = len(lines) - MAX_LISTED
        info = found[0].get("Rule", {})
        results.append(
            CheckResult(
                id=rule,
                stage=Stage.POLICY,
                requirement=enforced.get(rule),
                outcome=Outcome.FAILED,
                title=info.get("ShortDescription", ""),
                message="\n".join(lines[:MAX_LISTED] + ([f"… {more} more"] if more > 0 else [])),
                enforced=rule in enforced,
                resource=stack.name if stack else filename,
                source=sources.get(stack.urn) if stack else None,
                details={
                    "tool": "cfn-lint",
                    "template": filename,
                    "matches": len(found),
                    "guideline": info.get("Source", ""),
                },
            )
        )
    return results
