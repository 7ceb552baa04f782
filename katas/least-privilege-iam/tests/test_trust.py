"""R4: who may become which role, and the on-call engineer's (absence of) standing access."""

from __future__ import annotations

import pytest


def _assume(principal, role_arn: str):
    return lambda: principal.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="kata-check"
    )


@pytest.mark.requirement("R4")
def test_on_call_user_can_assume_break_glass(pipeline, on_call, enforced, expect):
    with enforced():
        expect.allowed(
            f"on-call user {pipeline.on_call_user}",
            {"sts:AssumeRole break-glass": _assume(on_call, pipeline.roles["break-glass"])},
        )


@pytest.mark.requirement("R4")
def test_on_call_user_cannot_assume_the_service_roles(pipeline, on_call, enforced, expect):
    with enforced():
        expect.denied(
            f"on-call user {pipeline.on_call_user}",
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
            "another user of the account",
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
            f"on-call user {pipeline.on_call_user}, without break-glass",
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
def test_service_roles_trust_only_ecs_tasks(deployed, policy_tools, expect):
    # Behavior shows no IAM principal gets in; this shows no other service does either.
    problems = []
    for role in ("ingest", "reporting"):
        statements = policy_tools.allow_statements(deployed.trust[role])
        if not statements:
            problems.append(f"{role}: the trust policy allows nobody")
        for st in statements:
            principal = st.get("Principal")
            services = (
                policy_tools.as_list(principal.get("Service"))
                if isinstance(principal, dict)
                else []
            )
            if (
                not isinstance(principal, dict)
                or set(principal) != {"Service"}
                or services != ["ecs-tasks.amazonaws.com"]
            ):
                problems.append(f"{role}: trusts {principal!r}; only ecs-tasks.amazonaws.com may")
    expect.no_findings(problems)


@pytest.mark.requirement("R4")
def test_break_glass_trusts_only_the_on_call_user_with_mfa(deployed, policy_tools, expect):
    # The emulator does not evaluate MFA conditions: read the deployed trust policy.
    user_arn, trust = deployed.on_call_user_arn, deployed.trust["break-glass"]
    statements = policy_tools.allow_statements(trust)
    problems = [] if statements else ["it allows nobody"]
    for st in statements:
        principal = st.get("Principal")
        named = policy_tools.as_list(principal.get("AWS")) if isinstance(principal, dict) else []
        if not isinstance(principal, dict) or set(principal) != {"AWS"} or named != [user_arn]:
            problems.append(f"trusts {principal!r}; only {user_arn} may assume break-glass")
        conditions = {
            key.lower(): value
            for operator, keys in (st.get("Condition") or {}).items()
            if operator.lower() in ("bool", "numericlessthan", "numericlessthanequals")
            for key, value in keys.items()
        }
        mfa_present = any(
            str(v).lower() == "true"
            for v in policy_tools.as_list(conditions.get("aws:multifactorauthpresent"))
        )
        if not (mfa_present or "aws:multifactorauthage" in conditions):
            problems.append('does not require MFA (Bool "aws:MultiFactorAuthPresent": "true")')
    expect.no_findings(problems, "the break-glass trust policy ")
