"""The refresh report: what a drift detector consumes (documented in docs/drift-report.md).

One JSON document per refresh, with one entry per changed or deleted resource
property, close to what ``pulumi preview --refresh --json`` tells about each step:

    {
      "version": 1,
      "project": "drift-detection",
      "stack": "dev",
      "drift": [
        {
          "urn": "urn:pulumi:dev::drift-detection::aws:ec2/securityGroup:SecurityGroup::web",
          "type": "aws:ec2/securityGroup:SecurityGroup",
          "name": "web",
          "property": "ingress",
          "kind": "changed",
          "expected": [...],
          "actual": [...],
          "ignored": false
        }
      ],
      "summary": {"changed": 1, "deleted": 0, "ignored": 0}
    }

Mapping to Pulumi's preview JSON: an entry is a top-level key of a step's
``detailedDiff`` (``kind`` "changed" for an update diff of that key, "deleted" for a
``delete`` step, then ``property`` is "" and ``expected`` the resource's id);
``expected`` is the old state's input, ``actual`` the value read from the cloud;
``ignored`` is true when the key is under the resource's ``ignore_changes`` (Pulumi's
refresh still reads it; ``up`` will not restore it). Entries are sorted by resource
name, then property, so the document is stable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from harness.engines.base import Drift

REPORT_VERSION = 1
KINDS = ("changed", "deleted")


def drift_report(drifts: Iterable[Drift], project: str = "", stack: str = "") -> dict[str, Any]:
    """The report document for a refresh's drifts (``engine.refresh(include_ignored=True)``)."""
    entries = [
        {
            "urn": d.urn,
            "type": d.type,
            "name": d.name,
            "property": d.property,
            "kind": d.kind,
            "expected": _plain(d.expected),
            "actual": _plain(d.actual),
            "ignored": bool(d.ignored),
        }
        for d in sorted(drifts, key=lambda d: (d.name, d.property, d.urn))
    ]
    for entry in entries:
        if entry["kind"] not in KINDS:
            raise ValueError(f"drift kind {entry['kind']!r} is not one of {KINDS}")
    return {
        "version": REPORT_VERSION,
        "project": project,
        "stack": stack,
        "drift": entries,
        "summary": {
            "changed": sum(1 for e in entries if e["kind"] == "changed" and not e["ignored"]),
            "deleted": sum(1 for e in entries if e["kind"] == "deleted"),
            "ignored": sum(1 for e in entries if e["ignored"]),
        },
    }


def _plain(value: Any) -> Any:
    """JSON-safe: what boto3 hands back (datetimes, decimals) becomes a string."""
    return json.loads(json.dumps(value, default=str))
