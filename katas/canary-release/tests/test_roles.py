"""R8: least-privilege roles for the function and for CodeDeploy.

Each role is judged against the SPEC's allow-list (``ALLOWED`` in conftest.py) by
meaning: every action its deployed policies grant, wildcards and case expanded against
the IAM action catalog (``harness.iam``), on every resource pattern they name, must be
one the SPEC lists. The emulator does not enforce IAM for Lambda, CloudWatch Logs,
CloudWatch or SNS, so these grants are read from the deployed policies (a structural
check, named in the SPEC's "How it is graded"); the rollouts in test_rollout.py prove
the other side (CodeDeploy acts with its role, and a role that cannot do its job fails
them), and the S3 probe below shows the function role kept out of the artifacts with
IAM enforced.
"""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import is_denied
from harness.iam.catalog import service_wide
from harness.iam.resource_policy import effective_violations, read_resource_policies
from harness.pytest_plugin import not_evaluable

CLAUSE = "R8 least privilege"


def _trust_violations(role, service: str) -> list[str]:
    out = []
    trusted = role.trusted()
    for p in trusted:
        if (p.principal_type, p.value) != ("Service", service):
            out.append(
                f"{role.label} ({role.arn}) trusts {p.principal_type} {p.value}: it must trust "
                f"only {service}"
            )
    if not any((p.principal_type, p.value) == ("Service", service) for p in trusted):
        out.append(f"{role.label} ({role.arn}) does not trust {service}")
    return out


@pytest.mark.requirement("R8")
@pytest.mark.parametrize("key", ["function", "codedeploy"])
def test_each_role_trusts_only_its_service(roles, key):
    """The function's role trusts only Lambda; CodeDeploy's only CodeDeploy."""
    from_spec = {"function": "lambda.amazonaws.com", "codedeploy": "codedeploy.amazonaws.com"}
    problems = _trust_violations(roles[key], from_spec[key])
    assert not problems, "R8 trust: " + "; ".join(problems) + "."


@pytest.fixture(scope="module")
def resource_policies(aws, region):
    # In one account a bucket, topic or function policy naming a role (or "*") grants it
    # on its own: "may only" counts those grants too (harness.iam.resource_policy).
    return read_resource_policies(aws, [region])


@pytest.mark.requirement("R8")
@pytest.mark.parametrize("key", ["function", "codedeploy"])
def test_each_role_grants_only_what_the_spec_lists(roles, allow_list, resource_policies, key):
    """Every grant to the role is on the SPEC's allow-list, however spelled, whichever
    policy grants it: its own policies, or a resource policy that names it."""
    role = roles[key]
    found, unjudged = effective_violations(
        role.arn, role.documents, allow_list(key), resource_policies, boundary=role.boundary
    )
    if unjudged and not found:
        not_evaluable("the IAM model (harness.iam)", "; ".join(u.message(CLAUSE) for u in unjudged))
    if found:
        shown = [v.message(CLAUSE) for v in found[:5]]
        more = f" (and {len(found) - 5} more grants)" if len(found) > 5 else ""
        pytest.fail(" ".join(shown) + more, pytrace=False)


@pytest.mark.requirement("R8")
def test_the_function_role_writes_its_own_logs(roles, role_arns):
    """The function's role can still do its job: create streams and put events in its group."""
    role = roles["function"]
    group = role_arns["log_group"][0]
    stream = f"{group}:log-stream:2026/01/01/[$LATEST]abc"
    missing = [
        action
        for action, resources in (
            ("logs:CreateLogStream", (group, f"{group}:*", stream)),
            ("logs:PutLogEvents", (stream,)),
        )
        if not role.may(action, *resources)
    ]
    assert not missing, (
        f"R8: the function role ({role.arn}) may not {', '.join(missing)} on its own log group "
        f"{group}, so the function cannot write its logs."
    )


@pytest.mark.requirement("R8")
def test_the_codedeploy_role_can_do_its_job(roles, role_arns, pipeline):
    """Shift live, read every attached alarm, publish to the notification topic."""
    role = roles["codedeploy"]
    fn = pipeline.function_arn
    needed = [("lambda:GetAlias", (fn, f"{fn}:live")), ("lambda:UpdateAlias", (fn, f"{fn}:live"))]
    needed += [("cloudwatch:DescribeAlarms", (arn,)) for arn in role_arns["attached_alarm_arns"]]
    needed += [("sns:Publish", (arn,)) for arn in role_arns["trigger_topic_arns"]]
    missing = [f"{a} on {r[-1]}" for a, r in needed if not role.may(a, *r)]
    assert not missing, (
        f"R8: the CodeDeploy role ({role.arn}) cannot do its job: it may not {'; '.join(missing)}."
    )


@pytest.mark.requirement("R8")
def test_every_allow_names_its_actions_and_resources(roles):
    """No "*", no "service:*", no NotAction/NotResource, no Resource "*" in an Allow."""
    wild = []
    for role in roles.values():
        for name, doc in role.documents:
            for s in doc.allow_statements:
                where = f"{role.label}'s policy {name}" + (f" (statement {s.sid})" if s.sid else "")
                if s.not_actions is not None:
                    wild.append(f"{where} allows by NotAction {sorted(s.not_actions)}")
                if s.not_resources is not None:
                    wild.append(f"{where} allows by NotResource {sorted(s.not_resources)}")
                for pattern in sorted(s.actions or ()):
                    if service_wide(pattern):
                        wild.append(f"{where} allows the wildcard action {pattern}")
                if "*" in (s.resources or ()):
                    wild.append(f'{where} allows {sorted(s.actions or ())} on Resource "*"')
    assert not wild, "R8 every Allow names its actions and resources: " + "; ".join(wild) + "."


@pytest.mark.requirement("R8")
def test_the_function_role_cannot_touch_the_artifacts(iam, roles, pipeline, aws):
    """Demonstration with IAM enforced (S3 is enforced): the function's role reads no artifact."""
    s3 = aws("s3")
    key = "releases/kata-check/role-probe.zip"
    version = s3.put_object(Bucket=pipeline.bucket, Key=key, Body=b"probe").get("VersionId")
    try:
        session = iam.role(roles["function"].arn)
        allowed = []
        with iam.enforced():
            for what, call in (
                (
                    "s3:GetObject",
                    lambda: session.client("s3").get_object(Bucket=pipeline.bucket, Key=key),
                ),
                (
                    "s3:ListBucket",
                    lambda: session.client("s3").list_objects_v2(Bucket=pipeline.bucket),
                ),
            ):
                try:
                    call()
                    allowed.append(what)
                except ClientError as exc:
                    if not is_denied(exc):
                        raise
        assert not allowed, (
            f"R8 no access to the artifacts: the function role ({roles['function'].arn}) "
            f"may {', '.join(allowed)} on the artifact bucket {pipeline.bucket}."
        )
    finally:
        with contextlib.suppress(ClientError):
            extra = {"VersionId": version} if version and version != "null" else {}
            s3.delete_object(
                Bucket=pipeline.bucket, Key=key, BypassGovernanceRetention=True, **extra
            )
