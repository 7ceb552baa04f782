"""Who a role's trust policy lets assume it, read by meaning.

``{"Service": "lambda.amazonaws.com"}`` and ``{"Service": ["lambda.amazonaws.com"]}``
trust the same service; ``"*"`` and ``{"AWS": "*"}`` trust anyone; a bare account id
``123456789012`` is that account's root, ``arn:aws:iam::123456789012:root``, which
trusts every identity of the account that its own policies let call
``sts:AssumeRole`` on the role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from harness.iam.arn import arn_parts
from harness.iam.conditions import condition_holds
from harness.iam.document import Conditions, Document, DocumentLike, Statement, parse_document

ASSUME_ACTIONS = "sts:AssumeRole*"  # AssumeRole, …WithSAML, …WithWebIdentity
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class TrustedPrincipal(NamedTuple):
    principal_type: str  # "AWS", "Service", "Federated", "CanonicalUser"
    value: str  # an ARN, a service name, "*"
    conditions: Conditions


def canonical_principal(principal_type: str, value: str) -> str:
    """A principal as IAM stores it: a bare account id becomes its root ARN."""
    value = value.strip()
    if principal_type == "AWS" and _ACCOUNT_ID.match(value):
        return f"arn:aws:iam::{value}:root"
    if principal_type == "Service":
        return value.lower()
    return value


def _assume_statements(document: Document, action: str) -> list[Statement]:
    return [
        s
        for s in document.statements
        if s.principals is not None
        and (s.matches_action(action) if "*" not in action else _any_assume(s))
    ]


def _any_assume(statement: Statement) -> bool:
    return any(
        statement.matches_action(a)
        for a in ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
    )


def trusted_principals(
    trust_doc: DocumentLike, action: str = ASSUME_ACTIONS
) -> list[TrustedPrincipal]:
    """Every principal an Allow statement of the trust policy lets assume the role.

    One entry per principal value, whatever the statement's form; conditions are the
    statement's (a principal trusted only under a condition carries it). Deny
    statements are not subtracted here: :func:`who_can_assume` weighs them.
    """
    document = parse_document(trust_doc)
    out: list[TrustedPrincipal] = []
    for statement in _assume_statements(document, action):
        if not statement.allows:
            continue
        for kind, values in sorted((statement.principals or {}).items()):
            for value in sorted(values):
                out.append(
                    TrustedPrincipal(kind, canonical_principal(kind, value), statement.conditions)
                )
    return out


def _caller_names(principal: str) -> tuple[str, set[str]]:
    """("AWS" or "Service", the principal values in a trust policy that name the caller)."""
    parts = arn_parts(principal)
    if parts is None:
        if _ACCOUNT_ID.match(principal):
            return "AWS", {principal, f"arn:aws:iam::{principal}:root"}
        return "Service", {principal.lower()}
    names = {principal}
    resource = parts["resource"]
    if parts["service"] == "sts" and resource.startswith("assumed-role/"):
        # A role session is named in trust policies by its role's ARN.
        role = resource.split("/")[1]
        names.add(f"arn:{parts['partition']}:iam::{parts['account']}:role/{role}")
    return "AWS", names


def _matches(statement: Statement, principal: str) -> tuple[bool, bool]:
    """(whether the statement's principal covers the caller, whether via account root/*)."""
    kind, names = _caller_names(principal)
    account = (arn_parts(principal) or {}).get("account")
    roots = {f"arn:aws:iam::{account}:root"} if account else set()

    def hit(principals: Mapping[str, frozenset[str]]) -> tuple[bool, bool]:
        listed = {canonical_principal(kind, v) for v in principals.get(kind, ())}
        if listed & names:
            return True, False
        if kind == "AWS" and ("*" in listed or listed & roots):
            return True, True
        return False, False

    if statement.not_principals is not None:
        excluded, _ = hit(statement.not_principals)
        return not excluded, True
    return hit(statement.principals or {})


def who_can_assume(
    trust_doc: DocumentLike,
    principal_arn: str,
    context: Mapping[str, Any] | None = None,
    action: str = "sts:AssumeRole",
    identity_allows: bool | None = None,
) -> bool:
    """Whether the trust policy lets this principal (an ARN or a service name) assume the role.

    An explicit Deny that applies wins. A statement naming the caller (its ARN; a role
    session by its role's ARN) admits it on the trust policy alone. A statement naming
    the caller's account root, or ``"*"``, delegates to the caller's own permissions:
    it admits only when ``identity_allows`` is True (pass the result of evaluating the
    caller's policies for ``sts:AssumeRole`` on the role; None means "not known" and is
    taken as not allowed). Conditions are evaluated against ``context``, to which
    ``aws:PrincipalArn`` and ``aws:PrincipalAccount`` are added when absent.
    """
    document = parse_document(trust_doc)
    ctx: dict[str, Any] = dict(context or {})
    lowered = {k.lower() for k in ctx}
    parts = arn_parts(principal_arn)
    if parts and "aws:principalarn" not in lowered:
        ctx["aws:PrincipalArn"] = principal_arn
    if parts and "aws:principalaccount" not in lowered:
        ctx["aws:PrincipalAccount"] = parts["account"]

    admitted = False
    for statement in _assume_statements(document, action):
        covered, delegated = _matches(statement, principal_arn)
        if not covered or not condition_holds(statement.conditions, ctx):
            continue
        if statement.denies:
            return False
        if not delegated or identity_allows:
            admitted = True
    return admitted
