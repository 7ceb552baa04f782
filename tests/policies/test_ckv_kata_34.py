"""CKV_KATA_34 (the rollout announces failure, stop and rollback), through scan() and
checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
TOPIC = "arn:aws:sns:us-east-1:123456789012:deployments"


def group(*triggers: list[str]) -> dict:
    return {"appName": "svc", "deploymentGroupName": "live",
            "serviceRoleArn": "arn:aws:iam::123456789012:role/codedeploy",
            "triggerConfigurations": [
                {"triggerName": f"t{i}", "triggerTargetArn": TOPIC, "triggerEvents": events}
                for i, events in enumerate(triggers)]}  # fmt: skip


def test_rollouts_announce_what_went_wrong(make, by_resource, tmp_path) -> None:
    resources = [
        make(GROUP, "all", group(["DeploymentStart", "DeploymentSuccess", "DeploymentFailure",
                                  "DeploymentStop", "DeploymentRollback"])),
        make(GROUP, "split", group(["DeploymentFailure"], ["DeploymentStop",
                                                           "DeploymentRollback"])),
        make(GROUP, "success-only", group(["DeploymentSuccess"])),
        make(GROUP, "none", group()),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_34", "R7")], tmp_path)
    assert by_resource(results, "CKV_KATA_34") == {
        "all": Outcome.PASSED,
        "split": Outcome.PASSED,
        "success-only": Outcome.FAILED,
        "none": Outcome.FAILED,
    }
    messages = {r.resource: r.message for r in results if r.id == "CKV_KATA_34"}
    assert "DeploymentRollback" in messages["success-only"]
