"""R4: who may become which role, and the on-call engineer's (absence of) standing access."""

from __future__ import annotations

import pytest

from harness.iam import (
    Request,
    UnsupportedCondition,
    evaluate,
    trusted_principals,
    who_can_assume,
)

ECS_TASKS = "ecs-tasks.amazonaws.com"


def _assume(principal, role_arn: str):
    return lambda: principal.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="kata-check"
    )


@pytest.mark.requirement("R4")
def test_on_call_user_can_assume_break_glass(pipeline, on_call, enforced, expect):
    with enforced():
        expect.allowed(
            f'R4 "the on-call user may assume break-glass": user {pipeline.on_call_user}',
            {"sts:AssumeRole break-glass": _assume(on_call, pipeline.roles["break-glass"])},
        )


@pytest.mark.requirement("R4")
def test_on_call_user_cannot_assume_the_service_roles(pipeline, on_call, enforced, expect):
    with enforced():
        expect.denied(
            f'R4 "the on-call user cannot assume ingest or reporting": {pipeline.on_call_user}',
            {
                f"sts:AssumeRole {key}": _assume(on_call, arn)
                for key, arn in pipeline.others("break-glass").items()
            },
        )


@pytest.mark.requirement("R4")
def test_no_other_principal_in_the_account_can_assume_any_role(
    pipeline, stranger, enforced, expect
):
    # The stranger's own policy allows sts:AssumeRole on "*": only trust policies stop it.
    with enforced():
        expect.denied(
            'R4 "no other principal of the account can assume any role": another user',
            {
                f"sts:AssumeRole {key}": _assume(stranger, arn)
                for key, arn in pipeline.roles.items()
            },
        )


@pytest.mark.requirement("R4")
def test_on_call_user_has_no_standing_access(pipeline, on_call, enforced, expect):
    data, s3, sqs = pipeline.data_bucket, on_call.client("s3"), on_call.client("sqs")
    with enforced():
        expect.denied(
            f'R4 "the on-call user has no standing access": user {pipeline.on_call_user}',
            {
                "s3:GetObject curated/…": lambda: s3.get_object(
                    Bucket=data, Key=pipeline.CURATED_SEED
                ),
                "s3:GetObject in the reports bucket": lambda: s3.get_object(
                    Bucket=pipeline.reports_bucket, Key=pipeline.REPORT_SEED
                ),
                "s3:ListBucket on the data bucket": lambda: s3.list_objects_v2(Bucket=data),
                "sqs:GetQueueAttributes of the ingest queue": lambda: sqs.get_queue_attributes(
                    QueueUrl=pipeline.queue_url, AttributeNames=["QueueArn"]
                ),
            },
        )


@pytest.mark.requirement("R4")
def test_service_roles_trust_only_ecs_tasks(pipeline, deployed, expect):
    # Behavior shows no IAM principal gets in; this reads the trust policies by meaning
    # ("x" or ["x"], one statement or several) to show no other service does either.
    problems = []
    region = pipeline.queue_arn.split(":")[3]
    ecs_request = {
        "aws:SourceAccount": pipeline.account,
        "aws:SourceArn": f"arn:aws:ecs:{region}:{pipeline.account}:task/pipeline/kata-check",
    }
    for role in ("ingest", "reporting"):
        clause = f'R4 "the {role} role trusts only the ECS tasks service"'
        trust = deployed.trust[role]
        for st in trust.allow_statements:
            if st.not_principals is not None:
                problems.append(
                    f"{clause}: its trust policy allows every principal but a list (NotPrincipal)."
                )
        for t in trusted_principals(trust):
            if (t.principal_type, t.value) != ("Service", ECS_TASKS):
                problems.append(
                    f"{clause}: its trust policy also admits {t.principal_type} {t.value}."
                )
        try:
            admitted = who_can_assume(trust, ECS_TASKS, ecs_request)
        except UnsupportedCondition as exc:
            problems.append(f"{clause}: the grader cannot evaluate its trust condition ({exc}).")
        else:
            if not admitted:
                problems.append(
                    f"{clause}: {ECS_TASKS} cannot assume it for a task of this account."
                )
    expect.no_findings(problems)


@pytest.mark.requirement("R4")
def test_break_glass_trusts_only_the_on_call_user_with_mfa(pipeline, deployed, expect):
    # The emulator does not evaluate MFA conditions: the deployed trust policy is
    # evaluated here for a request with MFA, one with MFA false, and one from long-term
    # access keys (no MFA key at all, which is what BoolIfExists lets through).
    clause = 'R4 "the break-glass role trusts only the on-call user, by its ARN, with MFA"'
    user, trust = deployed.on_call_user_arn, deployed.trust["break-glass"]
    problems = []
    for st in trust.allow_statements:
        if st.not_principals is not None:
            problems.append(
                f"{clause}: its trust policy allows every principal but a list (NotPrincipal)."
            )
    for t in trusted_principals(trust):
        if (t.principal_type, t.value) != ("AWS", user):
            problems.append(f"{clause}: its trust policy also admits {t.principal_type} {t.value}.")
    requests = [
        ("with MFA", {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}, True),
        ("with MFA false", {"aws:MultiFactorAuthPresent": "false"}, False),
        ("with access keys and no MFA", {}, False),
    ]
    # A trust naming the account root delegates to the user's own policy: weigh it too.
    own_policy = evaluate(
        Request("sts:AssumeRole", pipeline.roles["break-glass"]), deployed.documents("on-call")
    ).allowed
    for label, context, should in requests:
        try:
            admitted = who_can_assume(trust, user, context, identity_allows=own_policy)
        except UnsupportedCondition as exc:
            problems.append(f"{clause}: the grader cannot evaluate its trust condition ({exc}).")
            break
        if admitted != should:
            verb = "can" if admitted else "cannot"
            problems.append(f"{clause}: the on-call user {user} {verb} assume it {label}.")
    expect.no_findings(problems)


@pytest.mark.requirement("R4")
def test_on_call_users_only_grant_is_assuming_break_glass(least_privilege, expect):
    # Every grant of the user's policies, however spelled: sts:AssumeRole on role/* or
    # a read of a bucket is standing access.
    expect.no_findings(least_privilege("on-call"))


@pytest.mark.requirement("R4")
def test_no_other_principal_of_the_stack_opens_a_side_door(deployed, other_principals, expect):
    # The on-call user steps in only through break-glass, with MFA: another role of the
    # stack that trusts the user (with MFA or without) is a side door, and another user
    # with any grant is standing access by another name.
    user = deployed.on_call_user_arn
    problems = []
    for name, trust in other_principals.trust.items():
        for label, context in (
            ("with MFA", {"aws:MultiFactorAuthPresent": "true"}),
            ("without MFA", {}),
        ):
            try:
                admitted = who_can_assume(trust, user, context, identity_allows=False)
            except UnsupportedCondition as exc:
                problems.append(f"role {name}: the grader cannot evaluate its trust ({exc})")
                break
            if admitted:
                problems.append(f"role {name} lets the on-call user {user} assume it {label}")
                break
    for name, grants in other_principals.users.items():
        granted = sorted(
            f"{action} on {', '.join(sorted(st.resources or ['(NotResource)']))}"
            for _, doc in grants.documents
            for st in doc.statements
            if st.effect == "Allow"
            for action in sorted(st.actions or ["(NotAction)"])
        )
        if granted:
            problems.append(f"user {name} has standing access: {'; '.join(granted[:3])}")
    expect.no_findings(problems, 'R4 "only the on-call user, only through break-glass with MFA": ')
