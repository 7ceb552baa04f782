"""CKV_KATA_10: a PRIMARY failover record must be guarded by a health check.

Route 53 treats a record without a health check as always healthy: a PRIMARY without
one is answered forever, and the SECONDARY never receives traffic, whatever happens to
the primary region. An alias PRIMARY that evaluates its target's health is guarded by
the target's checks and passes too. A reference to a health check whose id is known
only after apply counts as set.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class FailoverPrimaryHealthCheck(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a PRIMARY Route 53 failover record has a health check",
            id="CKV_KATA_10",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=("aws_route53_record",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["failover_routing_policy", "health_check_id", "alias"]
        policy = _first(conf.get("failover_routing_policy"))
        if not isinstance(policy, dict) or _first(policy.get("type")) != "PRIMARY":
            return CheckResult.UNKNOWN  # not a PRIMARY failover record
        check = _first(conf.get("health_check_id"))
        if isinstance(check, str) and check.strip():
            return CheckResult.PASSED
        alias = _first(conf.get("alias"))
        if isinstance(alias, dict) and _first(alias.get("evaluate_target_health")) is True:
            return CheckResult.PASSED
        self.details.append(
            "the PRIMARY record has no health_check_id (and no alias evaluating its target's "
            "health): Route 53 considers it always healthy and never fails over"
        )
        return CheckResult.FAILED


check = FailoverPrimaryHealthCheck()
