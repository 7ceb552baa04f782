"""What the emulator holds for a principal: every policy document that grants it.

A role's permissions are its inline policies plus its attached managed policies (the
default version of each, customer or AWS managed); a user's add its groups' inline
and attached policies. The permissions boundary is returned apart: it caps, it never
grants. Reads through the boto3 IAM client it is given (admin credentials).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.iam.document import Document, parse_document


@dataclass(frozen=True)
class Grants:
    principal_arn: str
    documents: list[tuple[str, Document]] = field(default_factory=list)
    boundary: Document | None = None
    boundary_arn: str | None = None


def _name(name_or_arn: str) -> str:
    # role/path/name and user/path/name ARNs: the name is the last segment.
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


def _pages(iam: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    for page in iam.get_paginator(operation).paginate(**kwargs):
        out += page[key]
    return out


def managed_policy_document(iam: Any, policy_arn: str) -> Document:
    """The default version of a managed policy (customer or AWS managed)."""
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"])
    return parse_document(version["PolicyVersion"]["Document"])


def _attached(iam: Any, operation: str, prefix: str, **kwargs: Any) -> list[tuple[str, Document]]:
    return [
        (f"{prefix}{p['PolicyArn']}", managed_policy_document(iam, p["PolicyArn"]))
        for p in _pages(iam, operation, "AttachedPolicies", **kwargs)
    ]


def _inline(
    iam: Any, list_op: str, get: Any, prefix: str, **kwargs: Any
) -> list[tuple[str, Document]]:
    return [
        (f"{prefix}inline:{name}", parse_document(get(PolicyName=name, **kwargs)["PolicyDocument"]))
        for name in _pages(iam, list_op, "PolicyNames", **kwargs)
    ]


def _boundary(iam: Any, entity: dict[str, Any]) -> tuple[Document | None, str | None]:
    arn = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return (managed_policy_document(iam, arn), arn) if arn else (None, None)


def documents_of_role(iam: Any, role: str) -> Grants:
    """Inline and attached policies of a role (by name or ARN), its boundary apart."""
    name = _name(role)
    entity = iam.get_role(RoleName=name)["Role"]
    documents = _inline(iam, "list_role_policies", iam.get_role_policy, "", RoleName=name)
    documents += _attached(iam, "list_attached_role_policies", "", RoleName=name)
    boundary, boundary_arn = _boundary(iam, entity)
    return Grants(entity["Arn"], documents, boundary, boundary_arn)


def documents_of_user(iam: Any, user: str) -> Grants:
    """A user's inline and attached policies and those of its groups; its boundary apart."""
    name = _name(user)
    entity = iam.get_user(UserName=name)["User"]
    documents = _inline(iam, "list_user_policies", iam.get_user_policy, "", UserName=name)
    documents += _attached(iam, "list_attached_user_policies", "", UserName=name)
    for group in _pages(iam, "list_groups_for_user", "Groups", UserName=name):
        prefix = f"group:{group['GroupName']}/"
        g = {"GroupName": group["GroupName"]}
        documents += _inline(iam, "list_group_policies", iam.get_group_policy, prefix, **g)
        documents += _attached(iam, "list_attached_group_policies", prefix, **g)
    boundary, boundary_arn = _boundary(iam, entity)
    return Grants(entity["Arn"], documents, boundary, boundary_arn)


def trust_of_role(iam: Any, role: str) -> Document:
    """A role's trust policy (AssumeRolePolicyDocument)."""
    entity = iam.get_role(RoleName=_name(role))["Role"]
    return parse_document(entity.get("AssumeRolePolicyDocument"))
