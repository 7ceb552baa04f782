"""CKV_KATA_20: taggable resources carry the ownership and cost tags: owner, service,
cost-center.

Tags are how a drift ticket finds its team and how the bill finds its budget: a
resource without them is drift nobody owns. The check demands the keys with non-empty
values; the kata's behavior checks judge the values themselves.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REQUIRED = ("owner", "service", "cost-center")
RESOURCES = (
    "aws_s3_bucket",
    "aws_security_group",
    "aws_iam_role",
    "aws_ssm_parameter",
    "aws_sns_topic",
    "aws_cloudwatch_event_rule",
)


class RequiredTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure taggable resources carry owner, service and cost-center tags",
            id="CKV_KATA_20",
            categories=(CheckCategories.CONVENTION,),
            supported_resources=RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["tags"]
        tags: Any = (conf.get("tags") or [{}])[0]
        if isinstance(tags, list):  # HCL-style double wrapping
            tags = tags[0] if tags else {}
        if tags is None:
            tags = {}
        if not isinstance(tags, dict):
            return CheckResult.UNKNOWN  # known only after apply
        missing = [k for k in REQUIRED if not _value(tags.get(k))]
        if not missing:
            return CheckResult.PASSED
        self.details.append(f"missing tags: {', '.join(missing)}")
        return CheckResult.FAILED


def _value(value: Any) -> Any:
    if isinstance(value, list):
        value = value[0] if value else None
    return value


check = RequiredTags()
