"""CKV_KATA_1: an IAM role must carry a permissions boundary.

A boundary caps what the role can ever be granted, so a later over-broad policy
attachment cannot escalate it. Any non-empty value passes, including a reference to
a policy whose ARN is only known after apply.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class RolePermissionsBoundary(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure IAM roles have a permissions boundary",
            id="CKV_KATA_1",
            categories=(CheckCategories.IAM,),
            supported_resources=("aws_iam_role",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["permissions_boundary"]
        values = conf.get("permissions_boundary") or []
        # A plan wraps every attribute in a list; [""] and [None] mean "not set".
        if any(isinstance(v, str) and v.strip() for v in values):
            return CheckResult.PASSED
        self.details.append("permissions_boundary is not set")
        return CheckResult.FAILED


check = RolePermissionsBoundary()
