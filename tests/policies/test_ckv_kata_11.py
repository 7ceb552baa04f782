"""CKV_KATA_11 (failover records keep a TTL of at most 60 s), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

RECORD = "aws:route53/record:Record"


def test_failover_records_have_a_short_ttl(make, by_resource, tmp_path) -> None:
    def record(name: str, ttl: float | None, failover: bool = True):
        inputs = {"zoneId": "Z1", "name": "api.example.com", "type": "A", "records": ["192.0.2.1"]}
        if ttl is not None:
            inputs["ttl"] = ttl
        if failover:
            inputs.update(setIdentifier=name, failoverRoutingPolicies=[{"type": "PRIMARY"}])
        return make(RECORD, name, inputs)

    resources = [
        record("sixty", 60.0),  # the SDK sends numbers as floats
        record("thirty", 30),
        record("an-hour", 3600.0),
        record("simple-hour", 3600, failover=False),  # not a failover record: not judged
        make(RECORD, "alias", {"zoneId": "Z1", "name": "api.example.com", "type": "A",
             "setIdentifier": "a", "failoverRoutingPolicies": [{"type": "SECONDARY"}],
             "aliases": [{"name": "lb.example.com", "zoneId": "Z2",
                          "evaluateTargetHealth": True}]}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_11", "R6")], tmp_path)

    assert by_resource(results, "CKV_KATA_11") == {
        "sixty": Outcome.PASSED,
        "thirty": Outcome.PASSED,
        "alias": Outcome.PASSED,
        "an-hour": Outcome.FAILED,
    }
    failed = next(r for r in results if r.id == "CKV_KATA_11" and r.resource == "an-hour")
    assert "ttl is 3600 s" in failed.message
