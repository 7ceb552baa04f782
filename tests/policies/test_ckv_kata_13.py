"""CKV_KATA_13 (alarm health checks treat no data as unhealthy), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.results import Outcome

CHECK = "aws:route53/healthCheck:HealthCheck"
ALARM = {"type": "CLOUDWATCH_METRIC", "cloudwatchAlarmName": "health",
         "cloudwatchAlarmRegion": "us-east-1"}  # fmt: skip


def test_alarm_health_checks_fail_closed_without_data(make, by_resource, tmp_path) -> None:
    resources = [
        make(CHECK, "unhealthy", {**ALARM, "insufficientDataHealthStatus": "Unhealthy"}),
        make(CHECK, "default", ALARM),  # LastKnownStatus
        make(CHECK, "last-known", {**ALARM, "insufficientDataHealthStatus": "LastKnownStatus"}),
        make(CHECK, "healthy", {**ALARM, "insufficientDataHealthStatus": "Healthy"}),
        make(CHECK, "https", {"type": "HTTPS", "fqdn": "api.example.com"}),  # not judged
    ]
    results = scan(resources, [PolicyCheck("CKV_KATA_13", "R7")], tmp_path)

    assert by_resource(results, "CKV_KATA_13") == {
        "unhealthy": Outcome.PASSED,
        "default": Outcome.FAILED,
        "last-known": Outcome.FAILED,
        "healthy": Outcome.FAILED,
    }
    healthy = next(r for r in results if r.id == "CKV_KATA_13" and r.resource == "healthy")
    assert "insufficient_data_health_status is Healthy" in healthy.message
