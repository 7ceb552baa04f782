"""CKV_KATA_34: a CodeDeploy deployment group must announce failures, stops and
rollbacks (a trigger to an SNS topic with those events).

A rollback that nobody hears about is a release that silently did not happen; the
team learns it from a customer. ``DeploymentFailure``, ``DeploymentStop`` and
``DeploymentRollback`` must each be an event of some trigger.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REQUIRED = ("DeploymentFailure", "DeploymentStop", "DeploymentRollback")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [b for v in value for b in _blocks(v)]
    return []


class RolloutNotifies(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure CodeDeploy deployment groups notify on failure, stop and rollback",
            id="CKV_KATA_34",
            categories=(CheckCategories.LOGGING,),
            supported_resources=("aws_codedeploy_deployment_group",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["trigger_configuration"]
        triggers = _blocks(conf.get("trigger_configuration"))
        events = {e for t in triggers for e in _strings(t.get("trigger_events"))}
        missing = [e for e in REQUIRED if e not in events]
        if missing:
            what = "no trigger_configuration" if not triggers else "no trigger"
            self.details.append(f"{what} for {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RolloutNotifies()
