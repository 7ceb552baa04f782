"""CKV_KATA_33 (the rollout is stopped by alarms), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"


def group(**extra: object) -> dict:
    return {"appName": "svc", "deploymentGroupName": "live",
            "serviceRoleArn": "arn:aws:iam::123456789012:role/codedeploy", **extra}  # fmt: skip


def test_rollouts_watch_alarms(make, by_resource, tmp_path) -> None:
    resources = [
        make(GROUP, "watched", group(alarmConfiguration={"enabled": True,
                                                         "alarms": ["errors", "latency"]})),
        make(GROUP, "disabled", group(alarmConfiguration={"enabled": False,
                                                          "alarms": ["errors"]})),
        make(GROUP, "empty", group(alarmConfiguration={"enabled": True, "alarms": []})),
        make(GROUP, "none", group()),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_33", "R6")], tmp_path)
    assert by_resource(results, "CKV_KATA_33") == {
        "watched": Outcome.PASSED,
        "disabled": Outcome.FAILED,
        "empty": Outcome.FAILED,
        "none": Outcome.FAILED,
    }
    messages = {r.resource: r.message for r in results if r.id == "CKV_KATA_33"}
    assert "no alarm_configuration" in messages["none"]
