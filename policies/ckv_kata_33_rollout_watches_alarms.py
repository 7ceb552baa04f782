"""CKV_KATA_33: a CodeDeploy deployment group must watch CloudWatch alarms.

CodeDeploy stops a rollout only for the alarms in the group's enabled
``alarm_configuration``; an alarm that exists but is not listed there stops nothing.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [i for v in value for i in _items(v)]
    return [] if value in (None, "") else [value]


class RolloutWatchesAlarms(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure CodeDeploy deployment groups are stopped by CloudWatch alarms",
            id="CKV_KATA_33",
            categories=(CheckCategories.LOGGING,),
            supported_resources=("aws_codedeploy_deployment_group",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["alarm_configuration"]
        block = _first(conf.get("alarm_configuration"))
        if not isinstance(block, dict):
            self.details.append("no alarm_configuration: no alarm can stop a rollout")
            return CheckResult.FAILED
        if _first(block.get("enabled")) is not True:
            self.details.append("alarm_configuration is not enabled")
            return CheckResult.FAILED
        if not _items(block.get("alarms")):
            self.details.append("alarm_configuration lists no alarms")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RolloutWatchesAlarms()
