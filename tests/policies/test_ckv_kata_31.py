"""CKV_KATA_31 (no all-at-once CodeDeploy rollout), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"


def group(config: str) -> dict:
    return {"appName": "svc", "deploymentGroupName": "live", "deploymentConfigName": config,
            "serviceRoleArn": "arn:aws:iam::123456789012:role/codedeploy"}  # fmt: skip


def test_rollouts_must_not_shift_everything_at_once(make, by_resource, tmp_path) -> None:
    resources = [
        make(GROUP, "canary", group("CodeDeployDefault.LambdaCanary10Percent5Minutes")),
        make(GROUP, "linear", group("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")),
        make(GROUP, "custom", group("five-percent-canary")),
        make(GROUP, "lambda-all", group("CodeDeployDefault.LambdaAllAtOnce")),
        make(GROUP, "ecs-all", group("CodeDeployDefault.ECSAllAtOnce")),
    ]
    results = scan(resources, [PolicyCheck("CKV_KATA_31", "R4")], tmp_path)
    assert by_resource(results, "CKV_KATA_31") == {
        "canary": Outcome.PASSED,
        "linear": Outcome.PASSED,
        "custom": Outcome.PASSED,
        "lambda-all": Outcome.FAILED,
        "ecs-all": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_31" and r.resource == "lambda-all")
    assert "LambdaAllAtOnce" in failed.message
