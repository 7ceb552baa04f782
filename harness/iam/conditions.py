"""IAM condition operators, evaluated against a request context as AWS does.

Rules (IAM User Guide, "Condition operators" and "Single-valued vs. multivalued
context keys"): every operator block must hold, and every key within it; a key's
policy values are OR-ed (for a negated operator: the request value must match none).
A key missing from the request makes a positive operator false and a negated one
true; ``...IfExists`` makes a missing key true; ``Null`` tests presence itself.
``ForAnyValue:`` / ``ForAllValues:`` compare a multivalued context key; a missing
key is false for ``ForAnyValue`` and true for ``ForAllValues``. Condition keys are
case-insensitive; operator names are read as written.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from harness.iam.arn import arn_matches, substitute

ContextValue = str | list[str] | bool | int | float
Context = Mapping[str, ContextValue]


class UnsupportedCondition(ValueError):
    """An operator this module does not evaluate (said, never silently passed)."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: str) -> float:
    return float(value)


def _date(value: str) -> datetime:
    text = str(value).strip()
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ip_in(request: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(request) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _fill(policy_value: str, context: Context) -> str | None:
    # Policy variables work in condition values of the string and ARN operators.
    return substitute(policy_value, context)


def _string_like(request: str, policy: str, context: Context) -> bool:
    return arn_matches(policy, request, context)


def _arn_like(request: str, policy: str, context: Context) -> bool:
    # ArnLike compares the six colon-separated parts one by one: a wildcard in one
    # part does not reach into the next.
    # A value with fewer parts than an ARN matches no ARN, unless it is "*" alone.
    if policy.strip() == "*":
        return True
    req, pol = request.split(":", 5), policy.split(":", 5)
    if len(req) == len(pol) == 6:
        return all(arn_matches(p, r, context) for p, r in zip(pol, req, strict=True))
    return len(req) != 6 and len(pol) != 6 and arn_matches(policy, request, context)


def _equals(request: str, policy: str, context: Context) -> bool:
    filled = _fill(policy, context)
    return filled is not None and request == filled.replace("\0", "")


def _equals_ignore_case(request: str, policy: str, context: Context) -> bool:
    filled = _fill(policy, context)
    return filled is not None and request.casefold() == filled.replace("\0", "").casefold()


def _compare(convert: Callable[[str], Any], test: Callable[[Any, Any], bool]) -> Callable:
    def match(request: str, policy: str, _context: Context) -> bool:
        try:
            return test(convert(request), convert(policy))
        except (ValueError, TypeError):
            return False

    return match


# operator -> (matches one request value against one policy value, negated)
_OPERATORS: dict[str, tuple[Callable[[str, str, Context], bool], bool]] = {
    "StringEquals": (_equals, False),
    "StringNotEquals": (_equals, True),
    "StringEqualsIgnoreCase": (_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "NumericEquals": (_compare(_number, lambda a, b: a == b), False),
    "NumericNotEquals": (_compare(_number, lambda a, b: a == b), True),
    "NumericLessThan": (_compare(_number, lambda a, b: a < b), False),
    "NumericLessThanEquals": (_compare(_number, lambda a, b: a <= b), False),
    "NumericGreaterThan": (_compare(_number, lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_compare(_number, lambda a, b: a >= b), False),
    "DateEquals": (_compare(_date, lambda a, b: a == b), False),
    "DateNotEquals": (_compare(_date, lambda a, b: a == b), True),
    "DateLessThan": (_compare(_date, lambda a, b: a < b), False),
    "DateLessThanEquals": (_compare(_date, lambda a, b: a <= b), False),
    "DateGreaterThan": (_compare(_date, lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_compare(_date, lambda a, b: a >= b), False),
    "Bool": (lambda r, p, _c: r.lower() == p.lower(), False),
    "BinaryEquals": (lambda r, p, _c: r == p, False),
    "IpAddress": (lambda r, p, _c: _ip_in(r, p), False),
    "NotIpAddress": (lambda r, p, _c: _ip_in(r, p), True),
    "ArnEquals": (_equals, False),
    "ArnNotEquals": (_equals, True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
}


def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """ "ForAnyValue:StringLikeIfExists" -> ("ForAnyValue", "StringLike", True)."""
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base.removesuffix("IfExists")
    return qualifier or None, base, if_exists


def is_negated(operator: str) -> bool:
    _, base, _ = split_operator(operator)
    return base in _OPERATORS and _OPERATORS[base][1]


def context_value(context: Context, key: str) -> list[str] | None:
    """The request's values of a key (case-insensitive), None when it is absent."""
    wanted = key.lower()
    for k, v in context.items():
        if k.lower() == wanted:
            if v is None:
                return None
            return [_text(x) for x in v] if isinstance(v, list | tuple) else [_text(v)]
    return None


def _key_holds(operator: str, key: str, policy_values: tuple[str, ...], context: Context) -> bool:
    qualifier, base, if_exists = split_operator(operator)
    request = context_value(context, key)
    if base == "Null":
        want_missing = any(v.lower() == "true" for v in policy_values)
        return (request is None) == want_missing
    if base not in _OPERATORS:
        raise UnsupportedCondition(f"condition operator {operator} is not evaluated")
    match, negated = _OPERATORS[base]
    if request is None:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated

    def one(value: str) -> bool:
        hit = any(match(value, p, context) for p in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in request)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in request)
    # A single-valued operator on a list: true if any request value matches (positive)
    # or no request value matches (negated).
    return any(one(v) for v in request) if not negated else all(one(v) for v in request)


def condition_holds(conditions: Mapping[str, Mapping[str, Any]] | None, context: Context) -> bool:
    """Whether a statement's Condition block holds for a request context."""
    for operator, tests in (conditions or {}).items():
        for key, values in tests.items():
            values = values if isinstance(values, list | tuple) else (values,)
            if not _key_holds(operator, key, tuple(_text(v) for v in values), context):
                return False
    return True
