"""CKV_KATA_13: a health check that follows a CloudWatch alarm must treat "no data" as
unhealthy.

When a region fails hard, its metrics stop arriving and its alarm goes to
INSUFFICIENT_DATA; ``insufficient_data_health_status`` then decides. ``Healthy`` keeps
traffic on the dead region, and ``LastKnownStatus`` (the default) does the same if the
alarm was OK when the data stopped — which is exactly how a region disappears.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class AlarmHealthCheckNoData(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Route 53 CLOUDWATCH_METRIC health checks treat insufficient data "
            "as unhealthy",
            id="CKV_KATA_13",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=("aws_route53_health_check",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["type", "insufficient_data_health_status"]
        if _first(conf.get("type")) != "CLOUDWATCH_METRIC":
            return CheckResult.UNKNOWN
        status = _first(conf.get("insufficient_data_health_status")) or "LastKnownStatus"
        if status == "Unhealthy":
            return CheckResult.PASSED
        self.details.append(
            f"insufficient_data_health_status is {status}: a region whose metrics stop "
            "arriving keeps its traffic"
        )
        return CheckResult.FAILED


check = AlarmHealthCheckNoData()
