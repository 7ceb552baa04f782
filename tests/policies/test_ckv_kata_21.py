"""CKV_KATA_21 (no ingress from 0.0.0.0/0 or ::/0 on any port), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

SG = "aws:ec2/securityGroup:SecurityGroup"


def _rule(cidrs=None, ipv6=None, port=443):
    rule = {"protocol": "tcp", "fromPort": port, "toPort": port, "description": "d"}
    if cidrs:
        rule["cidrBlocks"] = cidrs
    if ipv6:
        rule["ipv6CidrBlocks"] = ipv6
    return rule


def test_no_security_group_admits_the_whole_internet(make, by_resource, tmp_path) -> None:
    resources = [
        make(SG, "internal", {"description": "d", "ingress": [_rule(["10.20.0.0/16"])],
             "egress": [_rule(["0.0.0.0/0"])]}),  # egress is not this check's business
        make(SG, "https-world", {"description": "d",
             "ingress": [_rule(["10.0.0.0/8"]), _rule(["0.0.0.0/0"])]}),
        make(SG, "ipv6-world", {"description": "d", "ingress": [_rule(ipv6=["::/0"], port=8443)]}),
        make(SG, "no-ingress", {"description": "d"}),
        # the world in other spellings: by the addresses, not the string
        make(SG, "ipv6-world-spelled", {"description": "d", "ingress": [_rule(ipv6=["0::/0"])]}),
        make(SG, "halves", {"description": "d",
             "ingress": [_rule(["0.0.0.0/1", "128.0.0.0/1"])]}),
        make(SG, "halves-in-two-rules", {"description": "d",
             "ingress": [_rule(["0.0.0.0/1"]), _rule(["128.0.0.0/1"], port=8443)]}),
        make(SG, "one-half", {"description": "d", "ingress": [_rule(["0.0.0.0/1"])]}),
        make("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "rule-world",
             {"securityGroupId": "sg-1", "cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp",
              "fromPort": 443, "toPort": 443}),
        make("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "rule-internal",
             {"securityGroupId": "sg-1", "cidrIpv4": "10.20.0.0/16", "ipProtocol": "tcp",
              "fromPort": 443, "toPort": 443}),
        make("aws:ec2/securityGroupRule:SecurityGroupRule", "old-style-world",
             {"type": "ingress", "securityGroupId": "sg-1", "cidrBlocks": ["0.0.0.0/0"],
              "protocol": "tcp", "fromPort": 5432, "toPort": 5432}),
        make("aws:ec2/securityGroupRule:SecurityGroupRule", "old-style-egress",
             {"type": "egress", "securityGroupId": "sg-1", "cidrBlocks": ["0.0.0.0/0"],
              "protocol": "-1", "fromPort": 0, "toPort": 0}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_21", "R2")], tmp_path)

    assert by_resource(results, "CKV_KATA_21") == {
        "internal": Outcome.PASSED,
        "https-world": Outcome.FAILED,
        "ipv6-world": Outcome.FAILED,
        "no-ingress": Outcome.PASSED,
        "ipv6-world-spelled": Outcome.FAILED,
        "halves": Outcome.FAILED,
        "halves-in-two-rules": Outcome.FAILED,
        "one-half": Outcome.PASSED,  # wide, but R2's behavior check judges the range
        "rule-world": Outcome.FAILED,
        "rule-internal": Outcome.PASSED,
        "old-style-world": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_21" and r.resource == "https-world")
    assert failed.enforced and failed.requirement == "R2"
    assert "0.0.0.0/0" in failed.message
