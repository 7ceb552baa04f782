"""CKV_KATA_10 (a PRIMARY failover record has a health check), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.policy.tfplan import UNKNOWN
from harness.results import Outcome

RECORD = "aws:route53/record:Record"


def test_primary_failover_records_need_a_health_check(make, by_resource, tmp_path) -> None:
    check = make(
        "aws:route53/healthCheck:HealthCheck", "check", {"type": "HTTPS", "fqdn": "a.example.com"}
    )

    def record(name: str, role: str | None, **extra: object):
        inputs = {
            "zoneId": "Z1",
            "name": "api.example.com",
            "type": "A",
            "ttl": 60,
            "records": ["192.0.2.1"],
            **extra,
        }
        if role:
            inputs.update(setIdentifier=role.lower(), failoverRoutingPolicies=[{"type": role}])
        deps = {"healthCheckId": [check.urn]} if extra.get("healthCheckId") == UNKNOWN else {}
        return make(RECORD, name, inputs, property_dependencies=deps)

    resources = [
        check,
        record("guarded", "PRIMARY", healthCheckId="8c9f1d7e-check"),
        record("guarded-by-ref", "PRIMARY", healthCheckId=UNKNOWN),
        make(RECORD, "alias-evaluates-target", {
            "zoneId": "Z1", "name": "api.example.com", "type": "A", "setIdentifier": "p",
            "failoverRoutingPolicies": [{"type": "PRIMARY"}],
            "aliases": [{"name": "lb.example.com", "zoneId": "Z2", "evaluateTargetHealth": True}]}),
        record("unguarded", "PRIMARY"),
        record("secondary-without-check", "SECONDARY"),
        record("simple", None),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_10", "R6")], tmp_path)

    assert by_resource(results, "CKV_KATA_10") == {
        "guarded": Outcome.PASSED,
        "guarded-by-ref": Outcome.PASSED,
        "alias-evaluates-target": Outcome.PASSED,
        "unguarded": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_10" and r.resource == "unguarded")
    assert "never fails over" in failed.message
