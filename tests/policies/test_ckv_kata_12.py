"""CKV_KATA_12 (an alarm notifies someone when it fires), through scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.policy.tfplan import UNKNOWN
from harness.results import Outcome

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BASE = {"comparisonOperator": "LessThanThreshold", "evaluationPeriods": 3, "metricName": "Up",
        "namespace": "Kata", "period": 60, "statistic": "Minimum", "threshold": 1}  # fmt: skip
TOPIC = "arn:aws:sns:us-east-1:123456789012:pages"


def test_alarms_must_have_actions(make, by_resource, tmp_path) -> None:
    topic = make("aws:sns/topic:Topic", "pages", {"name": "pages"})
    resources = [
        topic,
        make(ALARM, "pages-on-call", {**BASE, "name": "a", "alarmActions": [TOPIC]}),
        make(ALARM, "pages-by-ref", {**BASE, "name": "b", "alarmActions": [UNKNOWN]},
             property_dependencies={"alarmActions": [topic.urn]}),
        make(ALARM, "silent", {**BASE, "name": "c"}),
        make(ALARM, "only-ok-actions", {**BASE, "name": "d", "okActions": [TOPIC]}),
        make(ALARM, "disabled", {**BASE, "name": "e", "alarmActions": [TOPIC],
                                 "actionsEnabled": False}),
    ]  # fmt: skip
    results = scan(resources, [PolicyCheck("CKV_KATA_12", "R8")], tmp_path)

    assert by_resource(results, "CKV_KATA_12") == {
        "pages-on-call": Outcome.PASSED,
        "pages-by-ref": Outcome.PASSED,
        "silent": Outcome.FAILED,
        "only-ok-actions": Outcome.FAILED,
        "disabled": Outcome.FAILED,
    }
    silent = next(r for r in results if r.id == "CKV_KATA_12" and r.resource == "silent")
    assert "nobody hears the alarm fire" in silent.message
