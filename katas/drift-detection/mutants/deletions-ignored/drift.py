"""Drift triage for the orders baseline: what to do about each drifted property.

``classify(report)`` takes the harness's refresh report (docs/drift-report.md) and
returns one decision per entry, in the report's order, following SPEC.md's severity
policy. The policy is an allowlist of what is harmless: anything not known to be
housekeeping is treated as security-relevant until a human has looked, so a property
nobody thought of (or a resource deleted outright) pages rather than waits in a queue.
"""

SECURITY, HOUSEKEEPING, IGNORED = "security", "housekeeping", "ignored"
PAGE, TICKET, NOTHING = "remediate-and-page", "ticket", "none"

# Properties whose drift costs money or bookkeeping, never access: cost allocation and
# ownership tags, free-text descriptions, the parameter tier (Advanced is billed).
HOUSEKEEPING_PROPERTIES = frozenset({"tags", "tagsAll", "description", "tier"})


def classify(report: dict) -> list[dict]:
    # A deleted resource has no property to judge; the next deploy recreates it anyway.
    return [_decide(entry) for entry in report.get("drift", []) if entry["kind"] == "changed"]


def _decide(entry: dict) -> dict:
    decision = {key: entry[key] for key in ("urn", "type", "name", "property", "kind")}
    if entry.get("ignored"):
        verdict = (IGNORED, NOTHING, "declared ignore_changes: the service owns this value")
    elif entry["kind"] == "changed" and entry["property"] in HOUSEKEEPING_PROPERTIES:
        verdict = (HOUSEKEEPING, TICKET, "no access changes; fix it in the next deploy")
    elif entry["kind"] == "deleted":
        verdict = (SECURITY, PAGE, "a declared resource is gone")
    else:
        verdict = (SECURITY, PAGE, f"{entry['property']} is not known to be harmless")
    decision["severity"], decision["action"], decision["reason"] = verdict
    return decision
