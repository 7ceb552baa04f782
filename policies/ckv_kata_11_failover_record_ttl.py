"""CKV_KATA_11: a failover record's TTL must be at most 60 seconds.

Resolvers keep answering with the record they cached until its TTL runs out, so the
TTL adds straight onto the time a failover takes (detection + health-check reaction +
TTL). A record of an hour keeps clients on a dead region for an hour. Alias records
have no TTL of their own (Route 53 answers with the target's) and pass.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

MAX_TTL = 60


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class FailoverRecordTtl(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=f"Ensure Route 53 failover records have a TTL of at most {MAX_TTL} seconds",
            id="CKV_KATA_11",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=("aws_route53_record",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["ttl", "failover_routing_policy"]
        if not isinstance(_first(conf.get("failover_routing_policy")), dict):
            return CheckResult.UNKNOWN  # not a failover record
        if _first(conf.get("alias")):
            return CheckResult.PASSED
        ttl = _first(conf.get("ttl"))
        if isinstance(ttl, str) and ttl.isdigit():
            ttl = int(ttl)
        if not isinstance(ttl, int | float):
            return CheckResult.UNKNOWN  # known only after apply
        if ttl <= MAX_TTL:
            return CheckResult.PASSED
        self.details.append(f"ttl is {int(ttl)} s; resolvers keep a failed-over answer that long")
        return CheckResult.FAILED


check = FailoverRecordTtl()
