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


class CompositeAlarm(Adapter):
    """An alarm over other alarms' states (``alarmRule``). moto stores composites through
    the harness's emulator patch 10; the alarm drill evaluates their rule."""

    type_token = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
    replace_on = frozenset({"alarmName"})  # required: the provider does not auto-name it
    SCALARS = {
        "alarmRule": "AlarmRule",
        "alarmDescription": "AlarmDescription",
        "actionsEnabled": "ActionsEnabled",
    }
    handles = frozenset({"alarmName", "tags", *SCALARS, *LISTS})

    def _arn(self, ctx: Context, name: str) -> str:
        return f"arn:{ctx.partition}:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{name}"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": self._arn(ctx, inputs["alarmName"]),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {"AlarmName": inputs["alarmName"]}
        for key, aws in self.SCALARS.items():
            if inputs.get(key) is not None:
                kwargs[aws] = inputs[key]
        for key, aws in LISTS.items():
            if inputs.get(key):
                kwargs[aws] = list(inputs[key])
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        ctx.client("cloudwatch").put_composite_alarm(**kwargs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return inputs["alarmName"], self.plan(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        alarms = ctx.client("cloudwatch").describe_alarms(
            AlarmNames=[id_], AlarmTypes=["CompositeAlarm"]
        )["CompositeAlarms"]
        if not alarms:
            return None
        live = dict(inputs)
        for key, aws in self.SCALARS.items():
            if inputs.get(key) is not None and aws in alarms[0]:
                live[key] = alarms[0][aws]
        for key, aws in LISTS.items():
            if key in inputs:
                live[key] = list(alarms[0].get(aws, []))
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)  # PutCompositeAlarm replaces the whole definition
        return self.plan(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("cloudwatch").delete_alarms(AlarmNames=[id_])
        except ClientError as exc:
            if not not_found(exc):
                raise


class LogGroup(Adapter):
    """A CloudWatch Logs group (pulumi-aws keeps it in the ``cloudwatch`` module)."""

    type_token = "aws:cloudwatch/logGroup:LogGroup"
    replace_on = frozenset({"name", "namePrefix", "logGroupClass"})
    autoname = ("name", 512)
    handles = frozenset(
        {
            "name",
            "namePrefix",
            "retentionInDays",
            "kmsKeyId",
            "logGroupClass",
            "tags",
            "skipDestroy",
        }
    )

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = f"arn:{ctx.partition}:logs:{ctx.region}:{ctx.account_id}:log-group:{inputs['name']}"
        return {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def _retention(self, ctx: Context, name: str, days: Any) -> None:
        logs = ctx.client("logs")
        if days:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(days))
        else:
            logs.delete_retention_policy(logGroupName=name)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"logGroupName": inputs["name"]}
        if inputs.get("kmsKeyId"):
            kwargs["kmsKeyId"] = inputs["kmsKeyId"]
        if inputs.get("logGroupClass"):
            kwargs["logGroupClass"] = inputs["logGroupClass"]
        if inputs.get("tags"):
            kwargs["tags"] = dict(inputs["tags"])
        ctx.client("logs").create_log_group(**kwargs)
        if inputs.get("retentionInDays"):
            self._retention(ctx, inputs["name"], inputs["retentionInDays"])
        return inputs["name"], self._outputs(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=id_)["logGroups"]
        group = next((g for g in groups if g["logGroupName"] == id_), None)
        if group is None:
            return None
        live = dict(inputs)
        if inputs.get("retentionInDays") is not None or group.get("retentionInDays"):
            days = group.get("retentionInDays")
            wanted = inputs.get("retentionInDays")
            live["retentionInDays"] = wanted if days == wanted else days
        if inputs.get("kmsKeyId") is not None or group.get("kmsKeyId"):
            live["kmsKeyId"] = group.get("kmsKeyId")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        logs = ctx.client("logs")
        if old.get("retentionInDays") != new.get("retentionInDays"):
            self._retention(ctx, id_, new.get("retentionInDays"))
        if old.get("kmsKeyId") != new.get("kmsKeyId"):
            if new.get("kmsKeyId"):
                logs.associate_kms_key(logGroupName=id_, kmsKeyId=new["kmsKeyId"])
            else:
                logs.disassociate_kms_key(logGroupName=id_)
        arn = self._outputs(ctx, new)["arn"]
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            logs.untag_resource(resourceArn=arn, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            logs.tag_resource(resourceArn=arn, tags=new_tags)
        return self._outputs(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        if inputs.get("skipDestroy"):
            return  # the provider only forgets it
        try:
            ctx.client("logs").delete_log_group(logGroupName=id_)
        except ClientError as exc:
            if not not_found(exc, "ResourceNotFoundException"):
                raise


ADAPTERS: list[type[Adapter]] = [MetricAlarm, CompositeAlarm, LogGroup]
