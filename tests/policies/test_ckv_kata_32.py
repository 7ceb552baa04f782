"""CKV_KATA_32 (automatic rollback on failure and on alarm), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
BOTH = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]


def group(**extra: object) -> dict:
    return {"appName": "svc", "deploymentGroupName": "live",
            "serviceRoleArn": "arn:aws:iam::123456789012:role/codedeploy", **extra}  # fmt: skip


def test_rollouts_roll_back_on_failure_and_alarm(make, by_resource, tmp_path) -> None:
    resources = [
        make(GROUP, "both", group(autoRollbackConfiguration={"enabled": True, "events": BOTH})),
        make(GROUP, "failure-only", group(autoRollbackConfiguration={
            "enabled": True, "events": ["DEPLOYMENT_FAILURE"]})),
        make(GROUP, "disabled", group(autoRollbackConfiguration={"enabled": False,
                                                                 "events": BOTH})),
        make(GROUP, "none", group()),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_32", "R5")], tmp_path)
    assert by_resource(results, "CKV_KATA_32") == {
        "both": Outcome.PASSED,
        "failure-only": Outcome.FAILED,
        "disabled": Outcome.FAILED,
        "none": Outcome.FAILED,
    }
    messages = {r.resource: r.message for r in results if r.id == "CKV_KATA_32"}
    assert "DEPLOYMENT_STOP_ON_ALARM" in messages["failure-only"]
    assert "not enabled" in messages["none"]
