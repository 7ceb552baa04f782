"""Whether a request is allowed, by IAM's policy evaluation logic (one account).

An explicit Deny in any applicable policy wins; otherwise the request needs an Allow
in an identity policy (or in a resource policy that names the principal); a
permissions boundary caps identity grants: it must allow the request too. Anything
else is an implicit deny. Not modeled: SCPs, session policies, cross-account rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.iam.conditions import Context, condition_holds, context_value
from harness.iam.document import Document, DocumentLike, Statement, named_documents

Documents = Iterable[DocumentLike | tuple[str, DocumentLike]]


@dataclass(frozen=True)
class Request:
    """One API call: the action, the resource ARN, and the request's condition keys.

    Put the caller's ARN in ``context["aws:PrincipalArn"]`` for resource policies and
    for policy variables such as ``${aws:username}`` put ``aws:username`` there.
    """

    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    deciding_statement: Statement | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _docs(documents: Documents | None) -> list[tuple[str, Document]]:
    return named_documents(documents or ())


def applies(statement: Statement, request: Request) -> bool:
    """Whether a statement's Action, Resource and Condition all cover the request."""
    if not statement.matches_action(request.action):
        return False
    if (statement.resources is not None or statement.not_resources is not None) and not (
        statement.matches_resource(request.resource, request.context)
    ):
        return False
    return condition_holds(statement.conditions, request.context)


def _names_principal(statement: Statement, context: Context) -> bool:
    """Whether a resource-policy statement's Principal covers the caller.

    The caller is ``aws:PrincipalArn`` (an IAM principal: its ARN, its account's root or
    id, or ``*`` name it) or ``aws:PrincipalServiceName`` (a service principal).
    """
    caller = (context_value(context, "aws:PrincipalArn") or [""])[0]
    account = caller.split(":")[4] if caller.count(":") >= 5 else ""
    names = {caller, account, f"arn:aws:iam::{account}:root", "*"} if caller else {"*"}
    services = {s.lower() for s in context_value(context, "aws:PrincipalServiceName") or []}

    def named(principals: Mapping[str, frozenset[str]]) -> bool:
        return any(p in names for p in principals.get("AWS", ())) or any(
            p.lower() in services for p in principals.get("Service", ())
        )

    if statement.not_principals is not None:
        return not named(statement.not_principals)
    return named(statement.principals or {})


def _first(
    docs: list[tuple[str, Document]], effect: str, request: Request, resource_policy: bool = False
) -> tuple[str, Statement] | None:
    for name, doc in docs:
        for statement in doc.statements:
            if statement.effect != effect or not applies(statement, request):
                continue
            if resource_policy and not _names_principal(statement, request.context):
                continue
            return name, statement
    return None


def _label(name: str, statement: Statement) -> str:
    return f"{name}, statement {statement.sid}" if statement.sid else name


def evaluate(
    request: Request,
    identity_docs: Documents,
    boundary_docs: Documents | None = None,
    resource_docs: Documents | None = None,
) -> Decision:
    """IAM's decision for one request; ``reason`` names the policy that decided."""
    identity = _docs(identity_docs)
    boundary = _docs(boundary_docs) if boundary_docs is not None else None
    resource = _docs(resource_docs)
    what = f"{request.action} on {request.resource}"

    for docs, kind, is_resource in (
        (identity, "identity policy", False),
        (boundary or [], "permissions boundary", False),
        (resource, "resource policy", True),
    ):
        deny = _first(docs, "Deny", request, is_resource)
        if deny:
            name, statement = deny
            return Decision(
                False, f"{what}: explicitly denied by {kind} {_label(name, statement)}", statement
            )

    by_resource = _first(resource, "Allow", request, resource_policy=True)
    if by_resource:
        # Same account: a resource policy naming the principal grants on its own.
        name, statement = by_resource
        return Decision(
            True, f"{what}: allowed by resource policy {_label(name, statement)}", statement
        )
    by_identity = _first(identity, "Allow", request)
    if by_identity is None:
        return Decision(False, f"{what}: no identity policy allows it (implicit deny)")
    name, statement = by_identity
    if boundary is not None and _first(boundary, "Allow", request) is None:
        return Decision(
            False,
            f"{what}: allowed by {_label(name, statement)} but the permissions boundary "
            "does not allow it",
            statement,
        )
    return Decision(
        True, f"{what}: allowed by identity policy {_label(name, statement)}", statement
    )
