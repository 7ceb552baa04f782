"""CKV_KATA_21: no security group admits traffic from the whole internet, on any port.

checkov's own checks name ports (22, 3389, 80, all ports); an internal service has no
port that 0.0.0.0/0 or ::/0 should reach. Covers inline ``ingress`` blocks of
``aws_security_group``, ``aws_security_group_rule`` of type ingress and
``aws_vpc_security_group_ingress_rule``.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WORLD = frozenset({"0.0.0.0/0", "::/0"})


def _flat(value: Any) -> list[Any]:
    """checkov wraps attributes in lists, sometimes twice; unwrap to a flat list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [x for item in value for x in _flat(item)]
    return [value]


class NoWorldIngress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no security group allows ingress from 0.0.0.0/0 or ::/0 on any port",
            id="CKV_KATA_21",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if "ingress" in conf:
            self.evaluated_keys = ["ingress"]
            rules = [r for r in _flat(conf["ingress"]) if isinstance(r, dict)]
        elif "type" in conf:
            if _flat(conf["type"])[:1] != ["ingress"]:
                return CheckResult.UNKNOWN
            self.evaluated_keys = ["cidr_blocks", "ipv6_cidr_blocks"]
            rules = [conf]
        elif "cidr_ipv4" in conf or "cidr_ipv6" in conf:
            self.evaluated_keys = ["cidr_ipv4", "cidr_ipv6"]
            rules = [{"cidr_blocks": conf.get("cidr_ipv4"), "ipv6": conf.get("cidr_ipv6")}]
        else:
            return CheckResult.PASSED
        for rule in rules:
            sources = _flat(rule.get("cidr_blocks")) + _flat(rule.get("ipv6_cidr_blocks"))
            sources += _flat(rule.get("ipv6"))
            open_to = sorted(WORLD & {s for s in sources if isinstance(s, str)})
            if open_to:
                ports = f"{_flat(rule.get('from_port'))[:1]}-{_flat(rule.get('to_port'))[:1]}"
                self.details.append(f"ingress from {', '.join(open_to)} (ports {ports})")
                return CheckResult.FAILED
        return CheckResult.PASSED


check = NoWorldIngress()
