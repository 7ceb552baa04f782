"""Reading a principal's documents from a real (embedded moto) IAM."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from harness.iam import (
    Allowed,
    Request,
    documents_of_role,
    documents_of_user,
    evaluate,
    trust_of_role,
    trusted_principals,
    violations,
)

QUEUE = "arn:aws:sqs:us-east-1:123456789012:ingest"


def _policy(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]


def test_a_role_with_inline_attached_and_boundary(aws_client: Callable[..., Any]) -> None:
    iam = aws_client("iam")
    tag = uuid.uuid4().hex[:8]
    name = f"ingest-{tag}"
    boundary_arn = _policy(
        iam,
        f"boundary-{tag}",
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "*"},
    )
    # A list-valued Service principal: read the same as a string.
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(trust),
        PermissionsBoundary=boundary_arn,
    )
    attached_arn = _policy(
        iam, f"consume-{tag}", {"Effect": "Allow", "Action": "SQS:Delete*", "Resource": QUEUE}
    )
    iam.attach_role_policy(RoleName=name, PolicyArn=attached_arn)
    # A second version becomes the default: the default one is what grants.
    iam.create_policy_version(
        PolicyArn=attached_arn,
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:Delete*", "Resource": QUEUE}],
            }
        ),
        SetAsDefault=True,
    )
    iam.put_role_policy(
        RoleName=name,
        PolicyName="receive",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "sqs:receivemessage", "Resource": QUEUE},
            }
        ),
    )
    try:
        grants = documents_of_role(iam, name)
        assert grants.principal_arn.endswith(f":role/{name}")
        assert sorted(n for n, _ in grants.documents) == sorted(["inline:receive", attached_arn])
        assert grants.boundary is not None and grants.boundary_arn == boundary_arn

        allowed = [Allowed(["sqs:ReceiveMessage", "sqs:DeleteMessage"], QUEUE)]
        found = violations(grants.principal_arn, grants.documents, allowed, scope="sqs:*")
        assert [(v.action, v.document_name) for v in found] == [("sqs:DeleteQueue", attached_arn)]
        assert f"role {name} may sqs:DeleteQueue (granted as sqs:Delete*)" in found[0].message("R1")
        # The boundary takes DeleteQueue away: no violation once it is weighed.
        assert violations(name, grants.documents, allowed, boundary=grants.boundary) == []
        decision = evaluate(Request("sqs:DeleteQueue", QUEUE), grants.documents, [grants.boundary])
        assert not decision.allowed and "permissions boundary" in decision.reason

        (service,) = trusted_principals(trust_of_role(iam, grants.principal_arn))
        assert (service.principal_type, service.value) == ("Service", "lambda.amazonaws.com")
    finally:
        iam.delete_role_policy(RoleName=name, PolicyName="receive")
        iam.detach_role_policy(RoleName=name, PolicyArn=attached_arn)
        iam.delete_role(RoleName=name)
        for arn in (attached_arn, boundary_arn):
            for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=arn)


def test_a_user_with_group_policies(aws_client: Callable[..., Any]) -> None:
    iam = aws_client("iam")
    tag = uuid.uuid4().hex[:8]
    user, group = f"oncall-{tag}", f"ops-{tag}"
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_group_policy(
        GroupName=group,
        PolicyName="assume",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
            }
        ),
    )
    try:
        grants = documents_of_user(iam, user)
        assert [n for n, _ in grants.documents] == [f"group:{group}/inline:assume"]
        assert grants.boundary is None
        assert evaluate(
            Request("sts:AssumeRole", "arn:aws:iam::123456789012:role/x"), grants.documents
        )
    finally:
        iam.delete_group_policy(GroupName=group, PolicyName="assume")
        iam.remove_user_from_group(GroupName=group, UserName=user)
        iam.delete_group(GroupName=group)
        iam.delete_user(UserName=user)
