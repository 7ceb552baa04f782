"""CKV_KATA_15: every taggable resource names its owner, its service and its region's role.

In a multi-region incident the first questions are whose it is, what it serves, and
whether it is the primary or the standby. ``region-role`` is ``primary``,
``secondary`` or ``global`` (IAM, Route 53 and other global services).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REQUIRED = ("owner", "service", "region-role")
REGION_ROLES = ("primary", "secondary", "global")
# The kinds SPEC R10 names ("every bucket, key, role, secret, hosted zone, health check,
# alarm and topic"); anything else a program adds is not required to carry the tags.
TAGGABLE = (
    "aws_cloudwatch_metric_alarm",
    "aws_iam_role",
    "aws_kms_key",
    "aws_route53_health_check",
    "aws_route53_zone",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_sns_topic",
)


class RequiredTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure resources are tagged with owner, service and region-role",
            id="CKV_KATA_15",
            categories=(CheckCategories.CONVENTION,),
            supported_resources=TAGGABLE,
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["tags"]
        tags = (conf.get("tags") or [{}])[0]
        if not isinstance(tags, dict):
            return CheckResult.UNKNOWN  # a reference: known only after apply
        missing = [k for k in REQUIRED if not str(tags.get(k) or "").strip()]
        if missing:
            self.details.append(f"missing tags: {', '.join(missing)}")
            return CheckResult.FAILED
        role = tags["region-role"]
        if role not in REGION_ROLES:
            self.details.append(f"region-role is {role!r}, not one of {', '.join(REGION_ROLES)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RequiredTags()
