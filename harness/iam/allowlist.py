"""Least privilege as an allow-list: every grant must be one the SPEC lists.

A SPEC says what a principal may do ("consume the ingest queue: receive, delete
messages, read its attributes"). Whatever else the principal's policies grant, however
it is spelled (``sqs:Delete*``, ``SQS:*``, ``NotAction``, ``Resource: "*"``), is a
:class:`Violation` naming the concrete action, the pattern that granted it and the
resource. Probes under IAM enforcement can only show the calls someone thought of;
this reads every grant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.iam.arn import arn_parts, pattern_covers
from harness.iam.catalog import action_matches, canonical_action, expand_actions
from harness.iam.conditions import split_operator
from harness.iam.document import Conditions, DocumentLike, Statement, named_documents

ANY_RESOURCE = "*"


def _as_list(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class Allowed:
    """One line of a SPEC's allow-list: these actions, on these resources (globs).

    ``conditions``, when given, must be carried by the granting statement at least as
    strictly, e.g. ``{"StringLike": {"s3:prefix": ["curated/*"]}}`` is met by a
    statement limiting ``s3:prefix`` to ``curated/2024/*`` and not by one without it.
    """

    actions: str | Sequence[str]
    resources: str | Sequence[str] = ANY_RESOURCE
    conditions: Mapping[str, Mapping[str, Any]] | None = None

    @functools.cached_property
    def action_set(self) -> frozenset[str]:
        return expand_actions(_as_list(self.actions))

    def resource_list(self) -> list[str]:
        return _as_list(self.resources)

    def covers(self, action: str, resource: str, statement: Statement) -> bool:
        return (
            canonical_action(action) in self.action_set
            and any(pattern_covers(r, resource) for r in self.resource_list())
            and conditions_within(statement.conditions, self.conditions)
        )


@dataclass(frozen=True)
class Violation:
    principal: str
    action_as_written: str
    action: str
    resource: str
    document_name: str
    sid: str | None = None

    def message(self, clause: str) -> str:
        """One sentence: the clause, who, the action (and how it was written), where."""
        granted = (
            ""
            if self.action_as_written == self.action
            else (f" (granted as {self.action_as_written})")
        )
        where = f"{self.document_name}, statement {self.sid}" if self.sid else self.document_name
        return (
            f"{clause}: {_principal_label(self.principal)} may {self.action}{granted} on "
            f"{self.resource} — not in the SPEC's allow-list (policy {where})"
        )


def _principal_label(principal: str) -> str:
    parts = arn_parts(principal)
    if parts is None:
        return principal
    kind, _, name = parts["resource"].partition("/")
    return f"{kind} {name.rsplit('/', 1)[-1]}" if name else principal


def _values_within(
    op: str, values: tuple[str, ...], allowed_op: str, allowed: tuple[str, ...]
) -> bool:
    """Whether a statement's values under ``op`` admit nothing the allowed ones do not."""
    _, base, _ = split_operator(op)
    _, allowed_base, _ = split_operator(allowed_op)
    if allowed_base in ("StringLike", "ArnLike") and base in (
        "StringLike",
        "StringEquals",
        "ArnLike",
        "ArnEquals",
    ):
        # An Equals value is a literal: escape nothing, a literal is a glob without wildcards.
        return all(any(pattern_covers(a, v) for a in allowed) for v in values)
    if allowed_base == base:
        return set(values) <= set(allowed)
    return False


def conditions_within(
    statement: Conditions, demanded: Mapping[str, Mapping[str, Any]] | None
) -> bool:
    """Whether a statement's Condition is at least as strict as the allow-list demands.

    For every demanded (operator, key), the statement must test the same key with a
    positive operator of the same qualifier (``ForAnyValue:``…) whose values all lie
    within the demanded ones. ``…IfExists`` in the statement is weaker (a request
    without the key passes), so it only meets an ``…IfExists`` demand.
    """
    for demanded_op, tests in (demanded or {}).items():
        d_qual, _, d_if_exists = split_operator(demanded_op)
        for key, values in tests.items():
            wanted = tuple(
                str(v) for v in (values if isinstance(values, list | tuple) else [values])
            )
            met = False
            for op, block in statement.items():
                qual, _, if_exists = split_operator(op)
                if qual != d_qual or (if_exists and not d_if_exists):
                    continue
                have = block.get(key.lower())
                if have is not None and _values_within(op, have, demanded_op, wanted):
                    met = True
                    break
            if not met:
                return False
    return True


def _scope(scope: str | Sequence[str] | Callable[[str], bool] | None) -> Callable[[str], bool]:
    if scope is None:
        return lambda _action: True
    if callable(scope):
        return scope
    patterns = _as_list(scope)
    return lambda action: any(action_matches(p, action) for p in patterns)


def _granted_resources(statement: Statement) -> list[str]:
    if statement.not_resources is not None:
        # Everything but a list: judged as "*" (conservative), and said so.
        return ["* except " + ", ".join(sorted(statement.not_resources))]
    # No Resource at all: IAM rejects that in an identity policy; an emulator may not.
    # Judged as "*", the most it could mean, so it is never a silent pass.
    return sorted(statement.resources) if statement.resources is not None else [ANY_RESOURCE]


def _cancelled(action: str, resource: str, denies: list[Statement]) -> bool:
    """Whether an unconditional explicit Deny takes this grant away entirely."""
    for deny in denies:
        if deny.conditions or not deny.matches_action(action):
            continue
        if deny.not_resources is not None:
            continue  # what it leaves allowed is not worked out: the grant stays judged
        if any(pattern_covers(r, resource) for r in deny.resources or ()):
            return True
    return False


def _capped(action: str, resource: str, boundary: list[Statement] | None) -> list[str]:
    """The resource patterns a grant keeps under a permissions boundary (may be none)."""
    if boundary is None:
        return [resource]
    if _cancelled(action, resource, [s for s in boundary if s.denies]):
        return []
    kept: list[str] = []
    for statement in boundary:
        if not statement.allows or not statement.matches_action(action):
            continue
        if statement.not_resources is not None:
            return [resource]  # conservative: judge the grant as written
        for limit in statement.resources or ():
            if pattern_covers(limit, resource):
                return [resource]
            if pattern_covers(resource, limit):
                kept.append(limit)  # the boundary narrows the grant to its own pattern
            elif _may_overlap(resource, limit):
                return [resource]  # partial overlap: judge the grant as written
    return kept


def _may_overlap(a: str, b: str) -> bool:
    from harness.iam.arn import patterns_overlap

    return patterns_overlap(a, b)


def violations(
    principal: str,
    documents: Iterable[tuple[str, DocumentLike]],
    allowed: Sequence[Allowed],
    boundary: DocumentLike | list[DocumentLike | tuple[str, DocumentLike]] = None,
    scope: str | Sequence[str] | Callable[[str], bool] | None = None,
) -> list[Violation]:
    """Every grant of ``principal``'s documents the allow-list does not cover.

    For each Allow statement, every concrete action it grants (wildcards and NotAction
    expanded against the catalog) on every resource pattern it names must be covered
    by some :class:`Allowed` entry: the action in its set, the pattern within one of its
    resources, its conditions met. A grant an unconditional explicit Deny of the same
    principal takes away entirely is not a violation; nor is what the permissions
    ``boundary`` does not allow (a document, or a list of them; None: no boundary).
    ``scope`` (action patterns or a predicate) limits the judgement to one
    requirement's services, e.g. ``"sqs:*"``.
    """
    docs = named_documents(documents)
    if boundary is None:
        capped_by: list[Statement] | None = None
    else:
        items = boundary if isinstance(boundary, list) else [boundary]
        capped_by = [s for _, d in named_documents(items) for s in d.statements]
    in_scope = _scope(scope)
    denies = [s for _, d in docs for s in d.deny_statements]
    found: list[Violation] = []
    for name, doc in docs:
        for statement in doc.allow_statements:
            for action in sorted(a for a in statement.action_set() if in_scope(a)):
                for granted in _granted_resources(statement):
                    if _cancelled(action, granted, denies):
                        continue
                    for resource in _capped(action, granted, capped_by):
                        if not any(a.covers(action, resource, statement) for a in allowed):
                            found.append(
                                Violation(
                                    principal=principal,
                                    action_as_written=statement.written_as(action),
                                    action=action,
                                    resource=resource,
                                    document_name=name,
                                    sid=statement.sid,
                                )
                            )
    return found
