"""A policy document, read the way IAM reads it rather than the way it was written.

IAM accepts one value or a list wherever a list is allowed, ``"*"`` or
``{"AWS": "*"}`` as the principal, a single statement object or a list of them, and
(from the IAM API) the document URL-encoded. Every one of those forms becomes the same
:class:`Document` here, so no check depends on the author's style.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.iam.catalog import action_matches, all_actions, expand_actions

Principals = dict[str, frozenset[str]]
# operator (as written, e.g. "StringLike", "ForAnyValue:StringEquals") ->
#   condition key (lower case: IAM compares keys case-insensitively) -> values
Conditions = dict[str, dict[str, tuple[str, ...]]]


class PolicyDocumentError(ValueError):
    """The value is not a policy document IAM would accept."""


def _strings(value: Any) -> frozenset[str]:
    values = value if isinstance(value, list) else [value]
    return frozenset(v if isinstance(v, str) else json.dumps(v) for v in values if v is not None)


def _condition_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _principals(value: Any) -> Principals | None:
    if value is None:
        return None
    if value == "*":
        return {"AWS": frozenset({"*"})}
    if not isinstance(value, Mapping):
        raise PolicyDocumentError(f'Principal must be "*" or an object, not {value!r}')
    return {str(kind): _strings(v) for kind, v in value.items()}


def _conditions(value: Any) -> Conditions:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyDocumentError(f"Condition must be an object, not {value!r}")
    out: Conditions = {}
    for operator, tests in value.items():
        if not isinstance(tests, Mapping):
            raise PolicyDocumentError(f"Condition {operator} must map keys to values")
        block = out.setdefault(str(operator), {})
        for key, values in tests.items():
            values = values if isinstance(values, list) else [values]
            merged = block.get(str(key).lower(), ()) + tuple(_condition_value(v) for v in values)
            block[str(key).lower()] = merged
    return out


@dataclass(frozen=True, eq=False)
class Statement:
    """One statement; every string-or-list element is a frozenset (None when absent)."""

    effect: str
    sid: str | None = None
    actions: frozenset[str] | None = None
    not_actions: frozenset[str] | None = None
    resources: frozenset[str] | None = None
    not_resources: frozenset[str] | None = None
    principals: Principals | None = None
    not_principals: Principals | None = None
    conditions: Conditions = field(default_factory=dict)

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def denies(self) -> bool:
        return self.effect == "Deny"

    def matches_action(self, action: str) -> bool:
        """Whether the statement applies to a concrete action (Action or NotAction)."""
        if self.not_actions is not None:
            return not any(action_matches(p, action) for p in self.not_actions)
        return any(action_matches(p, action) for p in self.actions or ())

    def action_set(self) -> frozenset[str]:
        """The concrete actions the statement applies to (NotAction: the catalog's rest)."""
        if self.not_actions is not None:
            return frozenset(a for a in all_actions() if self.matches_action(a))
        return expand_actions(self.actions or ())

    def written_as(self, action: str) -> str:
        """How the statement grants a concrete action: the first pattern that covers it."""
        if self.not_actions is not None:
            return "NotAction " + json.dumps(sorted(self.not_actions))
        for pattern in sorted(self.actions or ()):
            if action_matches(pattern, action):
                return pattern
        return action

    def matches_resource(self, arn: str, context: Mapping[str, Any] | None = None) -> bool:
        """Whether the statement applies to a resource (Resource or NotResource)."""
        from harness.iam.arn import arn_matches  # arn imports the catalog only

        if self.not_resources is not None:
            return not any(arn_matches(p, arn, context) for p in self.not_resources)
        return any(arn_matches(p, arn, context) for p in self.resources or ())


@dataclass(frozen=True, eq=False)
class Document:
    statements: list[Statement]
    version: str | None = None
    id: str | None = None

    def __iter__(self) -> Iterator[Statement]:
        return iter(self.statements)

    @property
    def allow_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.allows]

    @property
    def deny_statements(self) -> list[Statement]:
        return [s for s in self.statements if s.denies]


def parse_statement(raw: Mapping[str, Any]) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyDocumentError(f"a statement must be an object, not {raw!r}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        # IAM rejects anything else (also "allow"): say so rather than guess.
        raise PolicyDocumentError(f'Effect must be "Allow" or "Deny", not {effect!r}')

    def opt(key: str) -> frozenset[str] | None:
        return _strings(raw[key]) if key in raw else None

    return Statement(
        effect=effect,
        sid=raw.get("Sid"),
        actions=opt("Action"),
        not_actions=opt("NotAction"),
        resources=opt("Resource"),
        not_resources=opt("NotResource"),
        principals=_principals(raw.get("Principal")),
        not_principals=_principals(raw.get("NotPrincipal")),
        conditions=_conditions(raw.get("Condition")),
    )


def parse_document(value: str | Mapping[str, Any] | Document | None) -> Document:
    """A Document from JSON text (also URL-encoded, as the IAM API returns it), a dict or None.

    None is the empty document (it allows nothing). Anything IAM would reject raises
    :class:`PolicyDocumentError`.
    """
    if isinstance(value, Document):
        return value
    if value is None:
        return Document(statements=[])
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("%7B") or text.startswith("%7b"):
            text = urllib.parse.unquote(text)
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise PolicyDocumentError(f"not JSON: {exc}") from None
    if not isinstance(value, Mapping):
        raise PolicyDocumentError(f"a policy document must be an object, not {value!r}")
    raw = value.get("Statement", [])
    raws: Iterable[Any] = raw if isinstance(raw, list) else [raw]
    return Document(
        statements=[parse_statement(s) for s in raws],
        version=value.get("Version"),
        id=value.get("Id"),
    )


DocumentLike = Document | Mapping[str, Any] | str | None


def named_documents(
    documents: Iterable[DocumentLike | tuple[str, DocumentLike]],
) -> list[tuple[str, Document]]:
    """(name, Document) pairs from documents given bare or already named."""
    out = []
    for n, item in enumerate(documents):
        name, doc = item if isinstance(item, tuple) else (f"document {n + 1}", item)
        out.append((name, parse_document(doc)))
    return out
