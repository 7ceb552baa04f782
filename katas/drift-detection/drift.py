"""Drift triage: what to do about each drifted property of the stack.

The harness calls ``classify(report)`` with the refresh report of the deployed stack
(the JSON document described in SPEC.md, "The refresh report"): one entry per changed
or deleted resource property. Return one decision per entry, a dict with the entry's
``urn``, ``type``, ``name``, ``property`` and ``kind``, plus ``severity`` and
``action`` as SPEC.md's severity policy says (and, if you like, a ``reason``).

Runs in its own process: the standard library only, no AWS calls.
"""


def classify(report: dict) -> list[dict]:
    # TODO(R7): one decision per entry in report["drift"].
    return []
