"""Who a resource policy grants which actions, statement by statement.

A resource policy (a KMS key policy, a bucket policy) names its principals in each
statement. Asking "is principal P allowed?" for a few chosen principals misses the
statements that name someone else: ``{"AWS": "*"}`` under ``kms:ViaService`` and
``kms:CallerAccount`` never holds for a direct call, yet lets every identity of the
account decrypt through S3. This module lists every Allow grant instead, so a check can
say "nobody but X may do these actions" as an allow-list of principals. Conditions are
carried along, not evaluated: they narrow the path of a request, not who the principal is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from harness.iam.catalog import expand_actions
from harness.iam.document import Conditions, DocumentLike, parse_document
from harness.iam.trust import canonical_principal


class PrincipalGrant(NamedTuple):
    sid: str | None
    principal_type: str  # "AWS", "Service", "Federated", "CanonicalUser"
    principal: str  # canonical: a bare account id becomes its root ARN; "*" stays "*"
    actions: frozenset[str]  # the concrete actions of interest the statement grants
    conditions: Conditions
    not_principal: bool  # True: the grant is to everyone *except* ``principal``

    def describe(self) -> str:
        who = f"everyone except {self.principal}" if self.not_principal else self.principal
        sid = f"statement {self.sid!r}" if self.sid else "an unnamed statement"
        return f"{sid} allows {who} {', '.join(sorted(self.actions))}"


def grants_of(
    policy: DocumentLike, actions: str | Iterable[str], resource_arn: str | None = None
) -> list[PrincipalGrant]:
    """Every (statement, principal) pair an Allow statement grants any of ``actions`` to.

    ``actions`` are patterns (``kms:GenerateDataKey*``), expanded against the catalog;
    a statement matches through Action or NotAction, however it is spelled. With
    ``resource_arn``, statements whose Resource/NotResource does not cover it are left
    out. A NotPrincipal statement yields one grant per excluded principal, marked
    ``not_principal`` (it grants everyone else).
    """
    wanted = expand_actions(actions)
    out: list[PrincipalGrant] = []
    for statement in parse_document(policy).allow_statements:
        granted = frozenset(a for a in wanted if statement.matches_action(a))
        if not granted:
            continue
        names_resource = statement.resources is not None or statement.not_resources is not None
        # A statement without Resource is rejected by AWS; if one is held, it is not
        # read as "no resource" (which would hide its grant).
        if resource_arn and names_resource and not statement.matches_resource(resource_arn):
            continue
        negated = statement.not_principals is not None
        principals = statement.not_principals if negated else statement.principals
        for kind, values in sorted((principals or {}).items()):
            for value in sorted(values):
                out.append(
                    PrincipalGrant(
                        statement.sid,
                        kind,
                        canonical_principal(kind, value),
                        granted,
                        statement.conditions,
                        negated,
                    )
                )
    return out
