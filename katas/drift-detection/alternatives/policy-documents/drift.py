"""Drift triage (policy-documents alternative): a match statement over each entry."""

from __future__ import annotations

_HOUSEKEEPING = ("tags", "tagsAll", "description", "tier")


def _severity(entry: dict) -> tuple[str, str]:
    match entry:
        case {"ignored": True}:
            return "ignored", "none"
        case {"kind": "changed", "property": prop} if prop in _HOUSEKEEPING:
            return "housekeeping", "ticket"
        case _:
            return "security", "remediate-and-page"


def classify(report: dict) -> list[dict]:
    keys = ("urn", "type", "name", "property", "kind")
    return [
        {**{k: e[k] for k in keys}, **dict(zip(("severity", "action"), _severity(e), strict=True))}
        for e in report.get("drift") or []
    ]
