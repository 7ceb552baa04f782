"""Resource ARNs as IAM matches them: globs, policy variables, containment, KMS key names.

``Resource`` patterns use ``*`` (any run of characters, across ``:`` and ``/``) and ``?``
(one character), and compare case-sensitively (an S3 key ``Raw/x`` is not ``raw/x``).
``${aws:username}`` and the other policy variables are filled in from the request
context; ``${*}``, ``${?}`` and ``${$}`` are the literal characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from harness.iam.catalog import glob_regex

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


class _Unresolved(Exception):
    pass


def _lookup(context: Mapping[str, Any] | None, key: str) -> Any:
    if not context:
        return None
    wanted = key.lower()
    for k, v in context.items():
        if k.lower() == wanted:
            return v
    return None


def substitute(pattern: str, context: Mapping[str, Any] | None) -> str | None:
    """The pattern with its policy variables filled in; None if one has no value.

    A ``${key, 'default'}`` variable falls back to its default. A statement whose
    resource names a variable the request does not carry matches nothing (as in IAM).
    Substituted text, and ``${*}``/``${?}``/``${$}``, are literal characters, never
    globs: they are marked with a NUL byte that :func:`_to_regex` honours.
    """
    if "${" not in pattern:
        return pattern
    try:
        return _VARIABLE.sub(lambda m: _value(m.group(1), context), pattern)
    except _Unresolved:
        return None


def _value(inner: str, context: Mapping[str, Any] | None) -> str:
    key, _, default = inner.partition(",")
    key = key.strip()
    if key in _LITERALS:
        return "\0" + key  # marks a literal character for the glob
    value = _lookup(context, key)
    if isinstance(value, list) or value is None:
        default = default.strip()
        if default[:1] == default[-1:] == "'" and len(default) >= 2:
            return _literal(default[1:-1])
        raise _Unresolved(key)
    if isinstance(value, bool):
        value = "true" if value else "false"
    return _literal(str(value))


def _literal(text: str) -> str:
    # A value like "a*b" must match only itself, not act as a glob.
    return "".join("\0" + c if c in "*?" else c for c in text)


@functools.cache
def _to_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\0":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def arn_matches(pattern: str, arn: str, context: Mapping[str, Any] | None = None) -> bool:
    """Whether a Resource pattern (glob, with policy variables) matches a concrete ARN."""
    filled = substitute(pattern, context)
    if filled is None:
        return False
    if "\0" not in filled:
        return glob_regex(filled).fullmatch(arn) is not None
    return _to_regex(filled).fullmatch(arn) is not None


def _tokens(pattern: str) -> list[str]:
    """A glob as tokens: "*", "?" or one literal character ("\\0x" for an escaped one)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\0" and i + 1 < len(pattern):
            out.append("\0" + pattern[i + 1])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return out


def _literal_of(token: str) -> str | None:
    if token in ("*", "?"):
        return None
    return token[-1]


def pattern_covers(outer: str, inner: str, context: Mapping[str, Any] | None = None) -> bool:
    """Whether every ARN the glob ``inner`` can match is matched by the glob ``outer``.

    Glob containment, decided exactly: ``outer`` as an automaton, walked over every
    string ``inner`` stands for (a ``?`` is any one character, a ``*`` any run).
    ``pattern_covers("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw*")`` is False: the
    inner pattern also matches ``b/rawdata``. Policy variables are filled in from
    ``context``; one without a value stays as its literal text on both sides.
    """
    return _covers(substitute(outer, context) or outer, substitute(inner, context) or inner)


@functools.lru_cache(maxsize=65536)
def _covers(outer: str, inner: str) -> bool:
    if outer == "*" or outer == inner:
        return True
    o, i = _tokens(outer), _tokens(inner)
    # The alphabet that can tell outer's states apart: its literals, plus one character
    # it never names (standing for all the others).
    literals = {lit for t in o if (lit := _literal_of(t)) is not None}
    other = next(chr(c) for c in range(0x100, 0x10000) if chr(c) not in literals)
    alphabet = [*sorted(literals), other]

    def closure(states: Iterable[int]) -> frozenset[int]:
        out, stack = set(), list(states)
        while stack:
            s = stack.pop()
            if s in out:
                continue
            out.add(s)
            if s < len(o) and o[s] == "*":
                stack.append(s + 1)
        return frozenset(out)

    def step(states: frozenset[int], ch: str) -> frozenset[int]:
        nxt = []
        for s in states:
            if s >= len(o):
                continue
            t = o[s]
            if t == "*":
                nxt.append(s)
            elif t == "?" or _literal_of(t) == ch:
                nxt.append(s + 1)
        return closure(nxt)

    start = (0, closure([0]))
    seen, stack = {start}, [start]
    while stack:
        pos, states = stack.pop()
        if not states:
            return False  # some string inner stands for falls out of outer
        successors: list[tuple[int, frozenset[int]]] = []
        if pos == len(i):
            if len(o) not in states:
                return False
            continue
        token = i[pos]
        if token == "*":
            successors.append((pos + 1, states))  # the run may be empty
            successors += [(pos, step(states, ch)) for ch in alphabet]
        elif token == "?":
            successors += [(pos + 1, step(states, ch)) for ch in alphabet]
        else:
            successors.append((pos + 1, step(states, _literal_of(token) or "")))
        for nxt in successors:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return True


def any_resource(pattern: str) -> bool:
    """Whether a Resource pattern matches every ARN of the ``aws`` partition.

    ``*``, but also ``arn:*``, ``?*``, ``arn:aws:*``: for the SPEC clause "no Resource
    \"*\"", which a spelling other than ``"*"`` must not slip past.
    """
    return pattern_covers(pattern, "arn:aws:*:*:*:*")


def patterns_overlap(a: str, b: str) -> bool:
    """Whether some ARN matches both globs (used to cap a grant by a boundary)."""
    return pattern_covers(a, b) or pattern_covers(b, a) or _intersects(_tokens(a), _tokens(b))


def _intersects(a: list[str], b: list[str]) -> bool:
    @functools.cache
    def go(x: int, y: int) -> bool:
        if x == len(a) and y == len(b):
            return True
        if x < len(a) and a[x] == "*" and (go(x + 1, y) or (y < len(b) and go(x, y + 1))):
            return True
        if y < len(b) and b[y] == "*" and (go(x, y + 1) or (x < len(a) and go(x + 1, y))):
            return True
        if x < len(a) and y < len(b) and a[x] != "*" and b[y] != "*":
            la, lb = _literal_of(a[x]), _literal_of(b[y])
            if la is None or lb is None or la == lb:
                return go(x + 1, y + 1)
        return False

    return go(0, 0)


def arn_parts(arn: str) -> dict[str, str] | None:
    """partition, service, region, account, resource of an ARN; None if it is not one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return dict(
        zip(("partition", "service", "region", "account", "resource"), parts[1:], strict=True)
    )


class KeyResolver:
    """Names of KMS keys -> the key's ARN: a key id, a key ARN, an alias name or alias ARN.

    Built from what the emulator holds: ``KeyMetadata`` dicts (``KeyId``, ``Arn``) from
    ``describe_key``/``list_keys`` and alias dicts (``AliasName``, ``AliasArn``,
    ``TargetKeyId``) from ``list_aliases``, in any mix.
    """

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self._by_name: dict[str, str] = {}
        aliases = []
        for entry in keys:
            if "AliasName" in entry:
                aliases.append(entry)
            elif entry.get("Arn") or entry.get("KeyArn"):
                arn = entry.get("Arn") or entry["KeyArn"]
                self._by_name[arn] = arn
                self._by_name[entry.get("KeyId") or arn.rsplit("/", 1)[-1]] = arn
        for alias in aliases:
            target = self._by_name.get(alias.get("TargetKeyId") or "")
            if target:
                self._by_name[alias["AliasName"]] = target
                if alias.get("AliasArn"):
                    self._by_name[alias["AliasArn"]] = target

    @classmethod
    def from_client(cls, kms: Any) -> KeyResolver:
        """Every key and alias a boto3 KMS client's region holds."""
        entries: list[dict[str, Any]] = []
        for page in kms.get_paginator("list_keys").paginate():
            entries += [{"KeyId": k["KeyId"], "Arn": k["KeyArn"]} for k in page["Keys"]]
        for page in kms.get_paginator("list_aliases").paginate():
            entries += page["Aliases"]
        return cls(entries)

    def resolve(self, name: str) -> str | None:
        """The key ARN a key id, key ARN, alias name (``alias/x``) or alias ARN names."""
        name = name.strip()
        if name in self._by_name:
            return self._by_name[name]
        if name.startswith("alias/") or ":alias/" in name:
            return None
        # A key id or ARN of a key this resolver was not given: its ARN is still its ARN.
        return name if arn_parts(name) else None

    def same_key(self, a: str, b: str) -> bool:
        ra, rb = self.resolve(a), self.resolve(b)
        return ra is not None and ra == rb
