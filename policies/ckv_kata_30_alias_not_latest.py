"""CKV_KATA_30: a Lambda alias must point at a published version, never ``$LATEST``.

An alias on ``$LATEST`` serves whatever was deployed last: every change reaches the
alias's callers at once, nothing can be rolled back to, and Lambda refuses weighted
routing on it, so CodeDeploy cannot run a canary. A version known only after apply
(``function.version`` of a function that publishes) passes.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class AliasNotLatest(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Lambda aliases point at a published version, not $LATEST",
            id="CKV_KATA_30",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("aws_lambda_alias",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["function_version"]
        version = _first(conf.get("function_version"))
        if version is None or version == []:
            return CheckResult.UNKNOWN
        if str(version).strip() == "$LATEST":
            self.details.append("function_version is $LATEST")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = AliasNotLatest()
