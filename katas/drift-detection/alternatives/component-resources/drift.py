"""Drift triage (component-resources alternative): a small class per decision rule."""

from __future__ import annotations

HARMLESS = frozenset({"tags", "tagsAll", "description", "tier"})


def _decide(entry: dict) -> tuple[str, str, str]:
    if entry.get("ignored"):
        return "ignored", "none", "the program leaves this value to its owner"
    if entry.get("kind") == "changed" and entry.get("property") in HARMLESS:
        return "housekeeping", "ticket", "ownership or billing metadata changed"
    return "security", "remediate-and-page", "not known to be harmless"


def classify(report: dict) -> list[dict]:
    decisions = []
    for entry in report.get("drift", []):
        severity, action, reason = _decide(entry)
        decision = {k: entry.get(k) for k in ("urn", "type", "name", "property", "kind")}
        decision.update(severity=severity, action=action, reason=reason)
        decisions.append(decision)
    return decisions
