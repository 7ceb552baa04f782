"""R7: everything taggable is tagged (read back from the emulator); the SPEC's exports
exist and hold what they say."""

from __future__ import annotations

import pytest

TAGGABLE = {
    "aws:lambda/function:Function",
    "aws:iam/role:Role",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/stage:Stage",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    "aws:sns/topic:Topic",
    "aws:kms/key:Key",
}


def _tags(aws, res) -> dict[str, str]:
    """The tags the emulator holds for a deployed resource."""
    out = res.outputs
    kind = res.type
    if kind.startswith("aws:lambda/"):
        return aws("lambda").list_tags(Resource=out["arn"])["Tags"]
    if kind.startswith("aws:iam/"):
        tags = aws("iam").list_role_tags(RoleName=out.get("name") or res.id)["Tags"]
        return {t["Key"]: t["Value"] for t in tags}
    if kind == "aws:apigateway/restApi:RestApi":  # moto has no GetTags: read the API itself
        return aws("apigateway").get_rest_api(restApiId=res.id).get("tags", {})
    if kind == "aws:apigateway/stage:Stage":
        stage = aws("apigateway").get_stage(restApiId=out["restApi"], stageName=out["stageName"])
        return stage.get("tags", {})
    if kind.startswith("aws:cloudwatch/"):
        tags = aws("cloudwatch").list_tags_for_resource(ResourceARN=out["arn"])["Tags"]
        return {t["Key"]: t["Value"] for t in tags}
    if kind.startswith("aws:sns/"):
        tags = aws("sns").list_tags_for_resource(ResourceArn=out["arn"])["Tags"]
        return {t["Key"]: t["Value"] for t in tags}
    tags = aws("kms").list_resource_tags(KeyId=res.id)["Tags"]
    return {t["TagKey"]: t["TagValue"] for t in tags}


@pytest.mark.requirement("R7")
def test_everything_taggable_is_tagged(stack, aws, expected):
    wanted = {"Service": expected.service, "Owner": expected.owner}
    problems, seen = [], set()
    for res in stack.managed():
        if res.type not in TAGGABLE:
            continue
        seen.add(res.type.split(":")[-1])
        held = _tags(aws, res)
        wrong = {k: held.get(k) for k, v in wanted.items() if held.get(k) != v}
        if wrong:
            problems.append(f"{res.name} ({res.type.split(':')[-1]}): {wrong}")
    assert seen, "R7 tags: the stack has none of the taggable resources the SPEC lists"
    assert not problems, f"R7 tags: want {wanted} on every taggable resource; " + "; ".join(
        problems
    )


EXPORTS = (
    "apiName",
    "stage",
    "functionName",
    "pagerTopicArn",
    "ticketTopicArn",
    "maintenanceAlarmName",
    "oncallDashboardName",
    "executiveDashboardName",
)


@pytest.mark.requirement("R7")
def test_every_export_is_there_under_its_name(stack):
    missing = [k for k in EXPORTS if not stack.outputs.get(k)]
    assert not missing, (
        f"R7 exports: the stack does not export {', '.join(missing)} "
        f"(it exports {sorted(stack.outputs) or 'nothing'})"
    )


@pytest.mark.requirement("R7")
def test_each_export_holds_what_its_name_says(stack, expected, topics, alarms):
    out = stack.outputs
    maintenance = [
        a["AlarmName"]
        for a in alarms()
        if not a["_composite"]
        and a.get("MetricName") == "MaintenanceWindow"
        and a.get("Namespace") == "Checkout/Operations"
    ]
    truth = {
        "apiName": (expected.api_name, "the REST API's name"),
        "stage": ("prod", "the stage's name"),
        "functionName": (expected.function_name, "the function's name"),
        "pagerTopicArn": (topics.pager, "the pager topic's ARN"),
        "ticketTopicArn": (topics.ticket, "the ticket topic's ARN"),
        "oncallDashboardName": (expected.oncall_dashboard, "the on-call dashboard's name"),
        "executiveDashboardName": (expected.executive_dashboard, "the executive dashboard's name"),
    }
    wrong = [
        f"{name} is {out[name]!r}, not {what} {value!r}"
        for name, (value, what) in truth.items()
        if name in out and out[name] != value
    ]
    if "maintenanceAlarmName" in out and out["maintenanceAlarmName"] not in maintenance:
        wrong.append(
            f"maintenanceAlarmName is {out['maintenanceAlarmName']!r}, not an alarm on "
            f"Checkout/Operations MaintenanceWindow ({maintenance or 'none deployed'})"
        )
    assert not wrong, "R7 exports: " + "; ".join(wrong)
