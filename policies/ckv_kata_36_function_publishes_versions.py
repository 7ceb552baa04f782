"""CKV_KATA_36: a Lambda function must publish numbered versions (``publish = true``).

Unpublished, a function only has ``$LATEST``: every deploy replaces what runs, there
is no previous version to roll back to, and no alias can weight traffic between two.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class FunctionPublishesVersions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Lambda functions publish numbered versions",
            id="CKV_KATA_36",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("aws_lambda_function",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["publish"]
        if _first(conf.get("publish")) is True:
            return CheckResult.PASSED
        self.details.append("publish is not set: only $LATEST exists")
        return CheckResult.FAILED


check = FunctionPublishesVersions()
