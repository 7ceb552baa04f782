"""CKV_KATA_32: a CodeDeploy deployment group must roll back automatically on failure
and when an alarm stops it.

Without ``DEPLOYMENT_STOP_ON_ALARM`` an alarm stops the rollout but leaves the bad
version serving its share of traffic until someone acts; without
``DEPLOYMENT_FAILURE`` a failed validation hook leaves it serving everyone.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REQUIRED = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


class RollbackOnFailureAndAlarm(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure CodeDeploy deployment groups roll back on failure and on alarm",
            id="CKV_KATA_32",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("aws_codedeploy_deployment_group",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["auto_rollback_configuration"]
        block = _first(conf.get("auto_rollback_configuration"))
        if not isinstance(block, dict) or _first(block.get("enabled")) is not True:
            self.details.append("automatic rollback is not enabled")
            return CheckResult.FAILED
        missing = [e for e in REQUIRED if e not in _strings(block.get("events"))]
        if missing:
            self.details.append(f"no automatic rollback on {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RollbackOnFailureAndAlarm()
