"""Drift triage (explicit-provider alternative): a lookup of harmless properties."""

HOUSEKEEPING_PROPERTIES = frozenset(["tags", "tagsAll", "description", "tier"])


def classify(report):
    decisions = []
    for entry in report.get("drift", ()):
        if entry.get("ignored") is True:
            severity, action, reason = "ignored", "none", "under ignore_changes"
        elif entry["kind"] == "changed" and entry["property"] in HOUSEKEEPING_PROPERTIES:
            severity, action, reason = "housekeeping", "ticket", "metadata only"
        else:
            severity, action, reason = "security", "remediate-and-page", "unclassified drift"
        decisions.append(
            dict(
                urn=entry["urn"],
                type=entry["type"],
                name=entry["name"],
                property=entry["property"],
                kind=entry["kind"],
                severity=severity,
                action=action,
                reason=reason,
            )
        )
    return decisions
