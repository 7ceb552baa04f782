"""CKV_KATA_21: no security group admits traffic from the whole internet, on any port.

checkov's own checks name ports (22, 3389, 80, all ports); an internal service has no
port that 0.0.0.0/0 or ::/0 should reach. Covers inline ``ingress`` blocks of
``aws_security_group``, ``aws_security_group_rule`` of type ingress and
``aws_vpc_security_group_ingress_rule``.

The whole internet is judged by the addresses, not the spelling: ``0.0.0.0/0``,
``0::/0``, ``0.0.0.0/00``, or ranges that together cover every address (``0.0.0.0/1``
plus ``128.0.0.0/1`` in one group) all admit the world.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WORLD = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None  # not a literal range (unknown until apply): not judged here


def _world_covered(sources: list[str]) -> list[str]:
    """The world ranges (0.0.0.0/0, ::/0) that these sources cover together."""
    networks = [n for n in (_network(s) for s in sources) if n is not None]
    covered = []
    for world in WORLD:
        same_family = [n for n in networks if n.version == world.version]
        if any(c == world for c in ipaddress.collapse_addresses(same_family)):
            covered.append(str(world))
    return covered


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
        every: list[str] = []
        for rule in rules:
            sources = _flat(rule.get("cidr_blocks")) + _flat(rule.get("ipv6_cidr_blocks"))
            sources += _flat(rule.get("ipv6"))
            sources = [s for s in sources if isinstance(s, str)]
            every += sources
            open_to = _world_covered(sources)
            if open_to:
                ports = f"{_flat(rule.get('from_port'))[:1]}-{_flat(rule.get('to_port'))[:1]}"
                self.details.append(
                    f"ingress from {', '.join(sorted(sources))} = {', '.join(open_to)} "
                    f"(ports {ports})"
                )
                return CheckResult.FAILED
        open_to = _world_covered(every)
        if open_to:  # several rules of one group that admit the world between them
            self.details.append(f"ingress rules together admit {', '.join(open_to)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = NoWorldIngress()
