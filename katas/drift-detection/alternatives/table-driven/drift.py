"""Drift triage (table-driven alternative): the policy as an ordered table of rules."""

HARMLESS_PROPERTIES = {"tags", "tagsAll", "description", "tier"}

# First matching rule wins; the last one matches everything (unknown drift is dangerous).
RULES = [
    (lambda e: bool(e.get("ignored")), "ignored", "none"),
    (
        lambda e: e.get("kind") == "changed" and e.get("property") in HARMLESS_PROPERTIES,
        "housekeeping",
        "ticket",
    ),
    (lambda e: True, "security", "remediate-and-page"),
]


def classify(report):
    out = []
    for entry in report["drift"]:
        severity, action = next((sev, act) for matches, sev, act in RULES if matches(entry))
        out.append(
            {
                "urn": entry["urn"],
                "type": entry["type"],
                "name": entry["name"],
                "property": entry["property"],
                "kind": entry["kind"],
                "severity": severity,
                "action": action,
            }
        )
    return out
