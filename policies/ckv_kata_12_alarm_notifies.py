"""CKV_KATA_12: a CloudWatch metric alarm must notify someone when it fires.

An alarm without ``alarm_actions`` (or with its actions disabled) changes state in a
console nobody watches: the failover it reports happens silently. Any action counts
(an SNS topic, usually), including a reference to a topic created in the same program.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AlarmNotifies(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure CloudWatch metric alarms have an action when they fire",
            id="CKV_KATA_12",
            categories=(CheckCategories.LOGGING,),
            supported_resources=("aws_cloudwatch_metric_alarm",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["alarm_actions", "actions_enabled"]
        if (conf.get("actions_enabled") or [True])[0] is False:
            self.details.append("actions_enabled is false: the alarm's actions never run")
            return CheckResult.FAILED
        actions = conf.get("alarm_actions") or []
        while len(actions) == 1 and isinstance(actions[0], list):
            actions = actions[0]
        if any(isinstance(a, str) and a.strip() for a in actions):
            return CheckResult.PASSED
        if conf.get("alarm_actions") and _references_topic(conf):
            # [topic.arn] with the ARN known only after apply: the plan keeps the list
            # but not its unknown element; the reference says what it will be.
            return CheckResult.PASSED
        self.details.append("alarm_actions is empty: nobody hears the alarm fire")
        return CheckResult.FAILED


def _references_topic(conf: dict[str, list[Any]]) -> bool:
    refs = conf.get("references_") or []
    while len(refs) == 1 and isinstance(refs[0], list):
        refs = refs[0]
    return any(isinstance(r, str) and r.startswith("aws_sns_topic.") for r in refs)


check = AlarmNotifies()
