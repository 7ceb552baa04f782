"""checkov's JSON report as CheckResults, mapped back to the program's resources."""

from __future__ import annotations

from typing import Any

from harness.engines.state import ResourceState
from harness.policy.cfn import Template
from harness.results import CheckResult, Outcome, Stage

_OUTCOMES = {
    "passed_checks": Outcome.PASSED,
    "failed_checks": Outcome.FAILED,
    "skipped_checks": Outcome.SKIPPED,
}


def reports(document: Any) -> list[dict[str, Any]]:
    """checkov writes one report object per framework, or a bare one when only one ran."""
    items = document if isinstance(document, list) else [document]
    # With nothing to scan checkov writes only a summary, which has no "results".
    return [r for r in items if isinstance(r, dict) and isinstance(r.get("results"), dict)]


def checkov_results(
    document: Any,
    addresses: dict[str, ResourceState],
    templates: list[Template],
    enforced: dict[str, str],
    sources: dict[str, str],
) -> list[CheckResult]:
    """One CheckResult per (check, resource) that checkov evaluated.

    ``addresses`` maps plan addresses to resources, ``enforced`` check id →
    requirement, ``sources`` URN → "file:line".
    """
    stacks = {t.path: t.resource for t in templates}
    out: list[CheckResult] = []
    seen: set[tuple[str, str, str, Outcome]] = set()
    for report in reports(document):
        framework = str(report.get("check_type", ""))
        for key, outcome in _OUTCOMES.items():
            for record in report["results"].get(key) or []:
                result = _result(record, framework, outcome, addresses, stacks, enforced, sources)
                mark = (result.id, result.resource or "", result.details["address"], outcome)
                if mark not in seen:  # a check can be both a resource and a graph check
                    seen.add(mark)
                    out.append(result)
    return out


def _result(
    record: dict[str, Any],
    framework: str,
    outcome: Outcome,
    addresses: dict[str, ResourceState],
    stacks: dict[str, ResourceState],
    enforced: dict[str, str],
    sources: dict[str, str],
) -> CheckResult:
    check_id = str(record.get("check_id", ""))
    name = str(record.get("check_name", ""))
    address = str(record.get("resource", ""))
    if framework == "cloudformation":
        stack = stacks.get(str(record.get("file_path", "")).lstrip("/"))
        resource = stack
        what = f"{address} in the template of {stack.name}" if stack else address
    else:
        resource = addresses.get(address)
        what = f"{resource.name} ({resource.type})" if resource else address
    findings = [str(d) for d in record.get("details") or []]
    message = ""
    if outcome == Outcome.FAILED:
        message = f"{name}: {what}" + (f" — {'; '.join(findings)}" if findings else "")
    return CheckResult(
        id=check_id,
        stage=Stage.POLICY,
        requirement=enforced.get(check_id),
        outcome=outcome,
        title=name,
        message=message,
        enforced=check_id in enforced,
        resource=resource.name if resource else address,
        source=sources.get(resource.urn) if resource else None,
        details={
            "tool": "checkov",
            "framework": framework,
            "address": address,
            "findings": findings,
            "evaluated_keys": (record.get("check_result") or {}).get("evaluated_keys") or [],
            "guideline": record.get("guideline") or "",
        },
    )


def unmatched(
    results: list[CheckResult],
    enforced: dict[str, str],
    resource_types: dict[str, list[str]] | None,
) -> list[CheckResult]:
    """One ERROR per enforced check that evaluated nothing: passing it silently would
    let a program pass a requirement by not declaring the resource it is about.

    ``resource_types`` (check id → types it applies to) names what is missing; None
    when it could not be found out.
    """
    ran = {r.id for r in results}
    out = []
    for check_id, requirement in enforced.items():
        if check_id in ran:
            continue
        types = (resource_types or {}).get(check_id)
        if resource_types is not None and types is None:
            message = (
                f"enforced check {check_id} is not a check checkov knows "
                "(neither built in nor in policies/)"
            )
        elif types:
            message = (
                f"enforced check {check_id} matched no resource; "
                f"does the program declare {' or '.join(types)}?"
            )
        else:
            message = f"enforced check {check_id} matched no resource"
        out.append(
            CheckResult(
                id=check_id,
                stage=Stage.POLICY,
                requirement=requirement,
                outcome=Outcome.ERROR,
                title=f"{check_id} evaluated no resource",
                message=message,
                enforced=True,
                details={"resource_types": types or []},
            )
        )
    return out
