"""R6-R8: the guardrails around every grant: boundaries, no escalation, no wildcards."""

from __future__ import annotations

import json

import pytest

from harness.iam import Request, access_level, evaluate, violations
from harness.iam.catalog import service_wide

ROLES = ["ingest", "reporting", "break-glass"]
ALLOW_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
NOT_A_POLICY = "not a policy document"  # rejected after authorization: nothing changes
# R7: "change its own permissions …, rewrite its boundary, create roles, users or access
# keys, … or iam:PassRole any role": every IAM action of these access levels does one of
# those (iam:PassRole is "Permissions management"); none is on any allow-list.
ESCALATION_LEVELS = frozenset({"Write", "Permissions management"})
R7_IAM = (
    'R7 "no principal may change permissions, create roles, users or access keys, or pass a role"'
)
R7_CHAIN = 'R7 "no role may assume another pipeline role"'


@pytest.mark.requirement("R6")
def test_every_role_has_a_boundary_of_this_account(pipeline, deployed, expect):
    problems = []
    for role in ROLES:
        arn = deployed.boundary[role]
        if not arn:
            problems.append(f"{role}: no permissions boundary")
        elif f":iam::{pipeline.account}:policy/" not in arn:
            problems.append(f"{role}: boundary {arn} is not a customer-managed policy")
        elif role in deployed.boundary_errors:
            problems.append(f"{role}: boundary {deployed.boundary_errors[role]}")
    expect.no_findings(problems, 'R6 "every role has a customer-managed boundary": ')


@pytest.mark.requirement("R6")
def test_boundary_allows_nothing_r6_forbids(boundary_overreach, expect):
    # The probes below try one call of each kind; this reads every grant of the boundary,
    # however spelled (s3:Delete* grants s3:DeleteObject, a bucket glob other buckets).
    expect.no_findings(boundary_overreach())


@pytest.mark.requirement("R6")
def test_boundary_lets_each_role_do_its_job(boundary_gaps, expect):
    # Read from the deployed boundary for every action and resource of the allow-lists;
    # the as-deployed probes of R1-R5 show a few of them live.
    expect.no_findings(boundary_gaps())


@pytest.mark.requirement("R6")
@pytest.mark.parametrize("role", ROLES)
def test_boundary_caps_the_role_whatever_is_attached(
    role, pipeline, deployed, aws, act_as, expect, bucket_policy_probe, data_bucket_policy_restored
):
    # A teammate (or an attacker holding iam:PutRolePolicy) attaches Allow */*: the
    # boundary alone must keep the role inside the pipeline.
    admin, name, mark = aws("iam"), pipeline.role_name(role), pipeline.MARK
    data = pipeline.data_bucket
    admin.put_role_policy(
        RoleName=name, PolicyName=f"{mark}-allow-all", PolicyDocument=json.dumps(ALLOW_EVERYTHING)
    )
    try:
        with act_as(role, pipeline.AS_DEPLOYED) as session:
            s3, sqs, own_iam = session.client("s3"), session.client("sqs"), session.client("iam")
            expect.denied(
                f'R6 "the boundary caps the role": {role} with Allow */* attached',
                {
                    "iam:CreateUser": lambda: own_iam.create_user(UserName=pipeline.on_call_user),
                    "iam:PutRolePolicy on itself": lambda: own_iam.put_role_policy(
                        RoleName=name, PolicyName=mark, PolicyDocument=NOT_A_POLICY
                    ),
                    "iam:DeleteRolePermissionsBoundary on itself": lambda: (
                        own_iam.delete_role_permissions_boundary(RoleName=name)
                    ),
                    f"s3:GetObject in {pipeline.neighbour_bucket}": lambda: s3.get_object(
                        Bucket=pipeline.neighbour_bucket, Key=pipeline.CURATED_SEED
                    ),
                    f"s3:PutObject into {pipeline.neighbour_bucket}": lambda: s3.put_object(
                        Bucket=pipeline.neighbour_bucket, Key=f"{mark}/{role}.json", Body=b"{}"
                    ),
                    "s3:DeleteObject in the data bucket": lambda: s3.delete_object(
                        Bucket=data, Key=f"curated/{mark}/never-written.json"
                    ),
                    "s3:PutBucketPolicy on the data bucket": lambda: s3.put_bucket_policy(
                        Bucket=data, Policy=bucket_policy_probe(data)
                    ),
                    "sqs:SendMessage to the ingest queue": lambda: sqs.send_message(
                        QueueUrl=pipeline.queue_url, MessageBody=mark
                    ),
                    "sqs:ReceiveMessage from another queue": lambda: sqs.receive_message(
                        QueueUrl=pipeline.neighbour_queue_url
                    ),
                },
            )
    finally:
        admin.delete_role_policy(RoleName=name, PolicyName=f"{mark}-allow-all")
        if deployed.boundary[role]:  # in case the probe above got through
            admin.put_role_permissions_boundary(
                RoleName=name, PermissionsBoundary=deployed.boundary[role]
            )


@pytest.mark.requirement("R7")
@pytest.mark.parametrize("role", ROLES)
def test_role_cannot_escalate_or_hop(role, pipeline, deployed, act_as, expect):
    # Policies alone: the boundary is detached for the check and put back after, which
    # also undoes a DeleteRolePermissionsBoundary that got through.
    name, mark = pipeline.role_name(role), pipeline.MARK
    boundary = deployed.boundary[role] or pipeline.missing_policy_arn()
    with act_as(role, pipeline.POLICIES_ALONE) as principal:
        own_iam, sts = principal.client("iam"), principal.client("sts")
        calls = {
            "iam:PutRolePolicy on itself": lambda: own_iam.put_role_policy(
                RoleName=name, PolicyName=mark, PolicyDocument=NOT_A_POLICY
            ),
            "iam:AttachRolePolicy on itself": lambda: own_iam.attach_role_policy(
                RoleName=name, PolicyArn=pipeline.missing_policy_arn()
            ),
            "iam:UpdateAssumeRolePolicy on itself": lambda: own_iam.update_assume_role_policy(
                RoleName=name, PolicyDocument=NOT_A_POLICY
            ),
            "iam:DeleteRolePermissionsBoundary on itself": lambda: (
                own_iam.delete_role_permissions_boundary(RoleName=name)
            ),
            "iam:CreatePolicyVersion of its boundary": lambda: own_iam.create_policy_version(
                PolicyArn=boundary, PolicyDocument=NOT_A_POLICY, SetAsDefault=True
            ),
            "iam:CreateRole": lambda: own_iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=NOT_A_POLICY
            ),
            "iam:CreateUser": lambda: own_iam.create_user(UserName=pipeline.on_call_user),
            "iam:CreateAccessKey": lambda: own_iam.create_access_key(UserName=f"{mark}-nobody"),
        }
        for other, arn in pipeline.others(role).items():
            calls[f"sts:AssumeRole {other}"] = lambda arn=arn: sts.assume_role(
                RoleArn=arn, RoleSessionName=mark
            )
        expect.denied(
            f'R7 "no escalation, no new credentials, no role chaining": {role} (policies alone)',
            calls,
        )


@pytest.mark.requirement("R7")
def test_on_call_user_cannot_escalate(pipeline, on_call, enforced, expect):
    user, mark = pipeline.on_call_user, pipeline.MARK
    break_glass = pipeline.role_name("break-glass")
    own_iam = on_call.client("iam")
    with enforced():
        expect.denied(
            f'R7 "the on-call user cannot escalate or change break-glass": user {user}',
            {
                "iam:PutUserPolicy on itself": lambda: own_iam.put_user_policy(
                    UserName=user, PolicyName=mark, PolicyDocument=NOT_A_POLICY
                ),
                "iam:AttachUserPolicy on itself": lambda: own_iam.attach_user_policy(
                    UserName=user, PolicyArn=pipeline.missing_policy_arn()
                ),
                "iam:CreateAccessKey": lambda: own_iam.create_access_key(UserName=f"{mark}-nobody"),
                "iam:CreateUser": lambda: own_iam.create_user(UserName=user),
                "iam:PutRolePolicy on break-glass": lambda: own_iam.put_role_policy(
                    RoleName=break_glass, PolicyName=mark, PolicyDocument=NOT_A_POLICY
                ),
                "iam:UpdateAssumeRolePolicy on break-glass": lambda: (
                    own_iam.update_assume_role_policy(
                        RoleName=break_glass, PolicyDocument=NOT_A_POLICY
                    )
                ),
            },
        )


def _escalates(action: str) -> bool:
    return action.startswith("iam:") and access_level(action) in ESCALATION_LEVELS


@pytest.mark.requirement("R7")
def test_no_principal_is_granted_iam_changes_or_role_chaining(pipeline, deployed, expect):
    # iam:PassRole has no API call of its own (it is checked when a role is handed to
    # ECS, Lambda, EC2…), and a probe tries one call per kind: read every identity policy
    # in force (policies alone, as R7 asks) for any IAM change and any chained AssumeRole.
    problems = []
    for who in [*ROLES, "on-call"]:
        grants = deployed.grants[who]
        found = violations(grants.principal_arn, grants.documents, [], scope=_escalates)
        problems += [v.message(R7_IAM) for v in found]
    for role in ROLES:
        documents = deployed.documents(role)
        for other, arn in pipeline.others(role).items():
            decision = evaluate(Request("sts:AssumeRole", arn), documents)
            if decision.allowed:
                problems.append(f"{R7_CHAIN}: role {role} may assume {other} ({decision.reason}).")
    expect.no_findings(problems)


@pytest.mark.requirement("R8")
def test_every_allow_names_its_actions_and_resources(deployed, expect):
    # Every policy the stack created or attached, boundaries included, read by meaning:
    # "S3:*", "s3:*" and "s3:?*" all grant the whole service.
    clause = 'R8 "every Allow names its actions and resources"'
    problems = []
    for label, doc in deployed.all_documents.items():
        for st in doc.allow_statements:
            where = f"{label}, statement {st.sid}" if st.sid else label
            for element, value in (
                ("NotAction", st.not_actions),
                ("NotResource", st.not_resources),
            ):
                if value is not None:
                    problems.append(f"{clause}: {where} allows with {element} {sorted(value)}.")
            for pattern in sorted(st.actions or ()):
                service = service_wide(pattern)
                if service:
                    whole = "every service" if service == "*" else f"all of {service}"
                    problems.append(f"{clause}: {where} allows {pattern!r}, {whole}.")
            if "*" in (st.resources or ()):
                problems.append(
                    f'{clause}: {where} allows {sorted(st.actions or ())} on Resource "*".'
                )
    expect.no_findings(problems)


@pytest.mark.requirement("R6")
def test_every_other_role_of_the_stack_carries_the_pipeline_boundary(
    deployed, other_principals, expect
):
    # "Every role": a role beyond the three (a shadow ingest-v2 with a boundary of its
    # own that allows everything) is judged too; the pipeline's boundary is the one whose
    # caps the checks above prove.
    pipeline_boundaries = {arn for arn in deployed.boundary.values() if arn}
    problems = []
    for name, grants in other_principals.roles.items():
        if not grants.boundary_arn:
            problems.append(f"role {name} has no permissions boundary")
        elif grants.boundary_arn not in pipeline_boundaries:
            problems.append(
                f"role {name}'s boundary {grants.boundary_arn} is not the pipeline's boundary "
                f"({', '.join(sorted(pipeline_boundaries)) or 'none'})"
            )
    expect.no_findings(problems, 'R6 "every role has a boundary that caps it": ')
