"""R8: least-privilege roles for the function and for CodeDeploy.

The emulator evaluates IAM for S3, SQS and IAM calls but not for Lambda, CloudWatch or
SNS, so these checks evaluate the deployed identity policies the way IAM does
(``harness.drills.codedeploy_canary.ServiceRole``: explicit Deny wins, wildcards,
NotAction/NotResource). The rollouts in test_rollout.py prove the other side: the
CodeDeploy role can do its job (a role that cannot fails those deployments).
"""

from __future__ import annotations

import pytest


def _services(role) -> set[str]:
    out: set[str] = set()
    for principal in role.trusted_services():
        if not isinstance(principal, dict) or set(principal) != {"Service"}:
            out.add(repr(principal))
            continue
        value = principal["Service"]
        out |= set(value if isinstance(value, list) else [value])
    return out


@pytest.mark.requirement("R8")
def test_the_function_role_only_writes_its_own_logs(roles, pipeline, account, region):
    role = roles["function"]
    assert _services(role) == {"lambda.amazonaws.com"}, f"trusted: {_services(role)}"
    logs = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{pipeline.function}"
    assert role.may("logs:PutLogEvents", f"{logs}:log-stream:2026/01/01/abc"), (
        "the function cannot write its own logs"
    )
    bucket = f"arn:aws:s3:::{pipeline.bucket}"
    forbidden = {
        "logs:PutLogEvents to another function's log group": (
            "logs:PutLogEvents",
            f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/other:log-stream:x",
        ),
        "s3:PutObject on the artifact bucket": ("s3:PutObject", f"{bucket}/releases/x.zip"),
        "s3:DeleteObject on the artifact bucket": ("s3:DeleteObject", f"{bucket}/releases/x.zip"),
        "lambda:UpdateFunctionCode on itself": ("lambda:UpdateFunctionCode", pipeline.function_arn),
        "lambda:UpdateAlias on itself": ("lambda:UpdateAlias", pipeline.function_arn),
        "iam:PassRole": ("iam:PassRole", f"arn:aws:iam::{account}:role/any"),
    }
    allowed = [label for label, (action, res) in forbidden.items() if role.may(action, res)]
    assert not allowed, f"the function's role may: {allowed}"


@pytest.mark.requirement("R8")
def test_the_codedeploy_role_only_shifts_live_watches_and_announces(
    roles, pipeline, released, account, region, stack
):
    role = roles["codedeploy"]
    assert _services(role) == {"codedeploy.amazonaws.com"}, f"trusted: {_services(role)}"
    fn = pipeline.function_arn
    topic = stack.outputs.get("notificationTopicArn", "")
    # Its job: shift live, read the alarms attached to the rollout, announce.
    conf = released.group.get("alarmConfiguration") or {}
    attached = [a["name"] for a in conf.get("alarms") or []] or [
        n for n in (released.group_inputs.get("alarmConfiguration") or {}).get("alarms") or []
    ]
    needed = {
        "lambda:UpdateAlias on live": ("lambda:UpdateAlias", fn, f"{fn}:live"),
        **{
            f"cloudwatch:DescribeAlarms {name}": (
                "cloudwatch:DescribeAlarms",
                f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
            )
            for name in attached
        },
    }
    triggers = released.group.get("triggerConfigurations") or []
    for target in {t["triggerTargetArn"] for t in triggers}:
        needed[f"sns:Publish to {target}"] = ("sns:Publish", target)
    missing = [label for label, (action, *res) in needed.items() if not role.may(action, *res)]
    assert not missing, f"the CodeDeploy role cannot do its job: it may not {missing}"
    forbidden = {
        "lambda:UpdateFunctionCode": ("lambda:UpdateFunctionCode", fn),
        "lambda:UpdateFunctionConfiguration": ("lambda:UpdateFunctionConfiguration", fn),
        "lambda:DeleteFunction": ("lambda:DeleteFunction", fn),
        "lambda:PublishVersion": ("lambda:PublishVersion", fn),
        "lambda:InvokeFunction": ("lambda:InvokeFunction", f"{fn}:live"),
        "lambda:UpdateAlias of another function": (
            "lambda:UpdateAlias",
            f"arn:aws:lambda:{region}:{account}:function:billing",
        ),
        "cloudwatch:SetAlarmState": (
            "cloudwatch:SetAlarmState",
            f"arn:aws:cloudwatch:{region}:{account}:alarm:any",
        ),
        "cloudwatch:DeleteAlarms": (
            "cloudwatch:DeleteAlarms",
            f"arn:aws:cloudwatch:{region}:{account}:alarm:any",
        ),
        "sns:Publish to another topic": (
            "sns:Publish",
            f"arn:aws:sns:{region}:{account}:billing-alerts",
        ),
        "sns:SetTopicAttributes": ("sns:SetTopicAttributes", topic or "*"),
        "s3:GetObject of the artifacts": ("s3:GetObject", f"arn:aws:s3:::{pipeline.bucket}/x"),
        "iam:PassRole": ("iam:PassRole", f"arn:aws:iam::{account}:role/any"),
    }
    allowed = [label for label, (action, res) in forbidden.items() if role.may(action, res)]
    assert not allowed, f"the CodeDeploy role may: {allowed}"


@pytest.mark.requirement("R8")
def test_every_allow_names_its_actions_and_resources(roles):
    wild = []
    for key, role in roles.items():
        for s in role.statements():
            if s.get("Effect") != "Allow":
                continue
            actions = s.get("Action") or []
            actions = actions if isinstance(actions, list) else [actions]
            resources = s.get("Resource") or []
            resources = resources if isinstance(resources, list) else [resources]
            if "NotAction" in s or "NotResource" in s:
                wild.append(f"{key}: NotAction/NotResource {s}")
            if any(a == "*" or a.endswith(":*") for a in actions):
                wild.append(f"{key}: wildcard action {actions}")
            if "*" in resources:
                wild.append(f"{key}: Resource * for {actions}")
    assert not wild, "\n".join(wild)
