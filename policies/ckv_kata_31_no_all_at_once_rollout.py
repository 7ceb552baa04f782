"""CKV_KATA_31: a CodeDeploy deployment group must not shift all traffic at once.

``CodeDeployDefault.LambdaAllAtOnce`` (and the ECS and server ``AllAtOnce``) put every
request on the new version in one step: no canary, no bake, nothing for an alarm to
stop before everyone is affected. A canary or linear config (built-in or custom)
passes; a custom config is judged by its name only (its routing is another resource).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class NoAllAtOnceRollout(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure CodeDeploy deployment groups do not deploy all at once",
            id="CKV_KATA_31",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("aws_codedeploy_deployment_group",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["deployment_config_name"]
        name = _first(conf.get("deployment_config_name"))
        if not isinstance(name, str) or not name:
            return CheckResult.UNKNOWN
        if name.startswith("CodeDeployDefault.") and name.endswith("AllAtOnce"):
            self.details.append(f"deployment_config_name is {name}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = NoAllAtOnceRollout()
