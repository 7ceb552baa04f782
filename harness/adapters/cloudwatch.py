"""CloudWatch: metric alarms. moto stores them and lets set_alarm_state flip them;
it never evaluates metrics, so drills drive alarm state directly.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found, tags_list

# pulumi input -> PutMetricAlarm parameter
SCALARS = {
    "comparisonOperator": "ComparisonOperator",
    "evaluationPeriods": "EvaluationPeriods",
    "metricName": "MetricName",
    "namespace": "Namespace",
    "period": "Period",
    "statistic": "Statistic",
    "extendedStatistic": "ExtendedStatistic",
    "threshold": "Threshold",
    "alarmDescription": "AlarmDescription",
    "treatMissingData": "TreatMissingData",
    "datapointsToAlarm": "DatapointsToAlarm",
    "actionsEnabled": "ActionsEnabled",
    "unit": "Unit",
}
LISTS = {
    "alarmActions": "AlarmActions",
    "okActions": "OKActions",
    "insufficientDataActions": "InsufficientDataActions",
}
INTEGERS = {"evaluationPeriods", "period", "datapointsToAlarm"}


class MetricAlarm(Adapter):
    type_token = "aws:cloudwatch/metricAlarm:MetricAlarm"
    replace_on = frozenset({"name"})
    autoname = ("name", 255)
    handles = frozenset({"name", "dimensions", "tags", *SCALARS, *LISTS})

    def _arn(self, ctx: Context, name: str) -> str:
        return f"arn:{ctx.partition}:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{name}"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": self._arn(ctx, inputs["name"]),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {"AlarmName": inputs["name"]}
        for key, aws in SCALARS.items():
            if inputs.get(key) is not None:
                value = inputs[key]
                kwargs[aws] = int(value) if key in INTEGERS else value
        for key, aws in LISTS.items():
            if inputs.get(key):
                kwargs[aws] = list(inputs[key])
        if inputs.get("dimensions"):
            kwargs["Dimensions"] = [
                {"Name": k, "Value": str(v)} for k, v in inputs["dimensions"].items()
            ]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        ctx.client("cloudwatch").put_metric_alarm(**kwargs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return inputs["name"], self.plan(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            alarms = ctx.client("cloudwatch").describe_alarms(AlarmNames=[id_])["MetricAlarms"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        if not alarms:
            return None
        alarm = alarms[0]
        live = dict(inputs)
        for key, aws in SCALARS.items():
            if key in inputs and inputs[key] is not None and aws in alarm:
                value = alarm[aws]
                live[key] = (
                    type(inputs[key])(value) if isinstance(inputs[key], int | float) else value
                )
        for key, aws in LISTS.items():
            if key in inputs:
                live[key] = list(alarm.get(aws, []))
        if "dimensions" in inputs:
            live["dimensions"] = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)  # PutMetricAlarm replaces the whole definition
        return self.plan(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("cloudwatch").delete_alarms(AlarmNames=[id_])
        except ClientError as exc:
            if not not_found(exc):
                raise


ADAPTERS: list[type[Adapter]] = [MetricAlarm]
