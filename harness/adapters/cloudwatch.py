"""CloudWatch: metric alarms. moto stores them and lets set_alarm_state flip them;
it never evaluates metrics, so drills drive alarm state directly.
"""

from __future__ import annotations

import json
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

# pulumi metricQueries[] / metricQueries[].metric -> PutMetricAlarm Metrics[] members
QUERY_FIELDS = {
    "id": "Id",
    "expression": "Expression",
    "label": "Label",
    "returnData": "ReturnData",
    "period": "Period",
    "accountId": "AccountId",
}
STAT_FIELDS = {"period": "Period", "stat": "Stat", "unit": "Unit"}


def _api_query(query: dict[str, Any]) -> dict[str, Any]:
    """One Metrics[] member as DescribeAlarms returns it, without empty members and with
    dimensions sorted, so a definition and its read-back compare equal."""
    out: dict[str, Any] = {k: v for k, v in query.items() if v is not None and k != "MetricStat"}
    if "Period" in out:
        out["Period"] = int(out["Period"])
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric") or {}
        dims = sorted(metric.get("Dimensions") or [], key=lambda d: d["Name"])
        clean: dict[str, Any] = {k: v for k, v in stat.items() if v is not None and k != "Metric"}
        if "Period" in clean:
            clean["Period"] = int(clean["Period"])
        clean["Metric"] = {
            "Namespace": metric.get("Namespace"),
            "MetricName": metric.get("MetricName"),
            "Dimensions": [{"Name": d["Name"], "Value": str(d["Value"])} for d in dims],
        }
        out["MetricStat"] = clean
    return out


def metric_queries_to_api(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A metric math alarm's ``metricQueries`` (pulumi inputs) as PutMetricAlarm Metrics."""
    out = []
    for query in queries:
        api: dict[str, Any] = {
            aws: query[key] for key, aws in QUERY_FIELDS.items() if query.get(key) is not None
        }
        metric = query.get("metric")
        if metric:
            stat = {aws: metric[k] for k, aws in STAT_FIELDS.items() if metric.get(k) is not None}
            stat["Metric"] = {
                "Namespace": metric.get("namespace"),
                "MetricName": metric.get("metricName"),
                "Dimensions": [
                    {"Name": k, "Value": str(v)}
                    for k, v in (metric.get("dimensions") or {}).items()
                ],
            }
            api["MetricStat"] = stat
        out.append(_api_query(api))
    return out


def metric_queries_from_api(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DescribeAlarms' Metrics as pulumi ``metricQueries`` (drift shows in the program's terms)."""
    out = []
    for query in queries:
        item: dict[str, Any] = {
            key: query[aws] for key, aws in QUERY_FIELDS.items() if aws in query
        }
        stat = query.get("MetricStat")
        if stat:
            metric = stat.get("Metric") or {}
            item["metric"] = {
                **{k: stat[aws] for k, aws in STAT_FIELDS.items() if aws in stat},
                "namespace": metric.get("Namespace"),
                "metricName": metric.get("MetricName"),
                "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []},
            }
        out.append(item)
    return out


class MetricAlarm(Adapter):
    type_token = "aws:cloudwatch/metricAlarm:MetricAlarm"
    replace_on = frozenset({"name"})
    autoname = ("name", 255)
    handles = frozenset({"name", "dimensions", "tags", "metricQueries", *SCALARS, *LISTS})

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
        if inputs.get("metricQueries"):
            kwargs["Metrics"] = metric_queries_to_api(inputs["metricQueries"])
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
        if inputs.get("metricQueries") or alarm.get("Metrics"):
            wanted = metric_queries_to_api(inputs.get("metricQueries") or [])
            held = [_api_query(q) for q in alarm.get("Metrics") or []]
            live["metricQueries"] = (
                inputs.get("metricQueries") if held == wanted else metric_queries_from_api(held)
            )
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
    handles = frozenset({"alarmName", "tags", "actionsSuppressor", *SCALARS, *LISTS})
    # pulumi actionsSuppressor block -> PutCompositeAlarm parameters
    SUPPRESSOR = {
        "alarm": "ActionsSuppressor",
        "waitPeriod": "ActionsSuppressorWaitPeriod",
        "extensionPeriod": "ActionsSuppressorExtensionPeriod",
    }

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
        for key, aws in self.SUPPRESSOR.items():
            value = (inputs.get("actionsSuppressor") or {}).get(key)
            if value is not None:
                kwargs[aws] = value if key == "alarm" else int(value)
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
        if inputs.get("actionsSuppressor") or alarms[0].get("ActionsSuppressor"):
            held = {
                key: alarms[0][aws]
                for key, aws in self.SUPPRESSOR.items()
                if alarms[0].get(aws) is not None
            }
            wanted = {
                k: (v if k == "alarm" else int(v))
                for k, v in (inputs.get("actionsSuppressor") or {}).items()
                if v is not None
            }
            live["actionsSuppressor"] = inputs.get("actionsSuppressor") if held == wanted else held
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


class Dashboard(Adapter):
    """A CloudWatch dashboard: a name and a JSON body of widgets (PutDashboard). The body
    is compared as JSON, so key order and spacing are not drift."""

    type_token = "aws:cloudwatch/dashboard:Dashboard"
    replace_on = frozenset({"dashboardName"})
    handles = frozenset({"dashboardName", "dashboardBody"})

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = (
            f"arn:{ctx.partition}:cloudwatch::{ctx.account_id}:dashboard/{inputs['dashboardName']}"
        )
        return {**inputs, "dashboardArn": arn}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ctx.client("cloudwatch").put_dashboard(
            DashboardName=inputs["dashboardName"], DashboardBody=inputs["dashboardBody"]
        )
        return inputs["dashboardName"], self.plan(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            body = ctx.client("cloudwatch").get_dashboard(DashboardName=id_)["DashboardBody"]
        except ClientError as exc:
            if not_found(exc, "ResourceNotFound"):
                return None
            raise
        live = dict(inputs)
        try:
            same = json.loads(body) == json.loads(inputs.get("dashboardBody") or "null")
        except ValueError:
            same = False
        if not same:
            live["dashboardBody"] = body
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return self.create(ctx, new)[1]  # PutDashboard replaces the body

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("cloudwatch").delete_dashboards(DashboardNames=[id_])
        except ClientError as exc:
            if not not_found(exc, "ResourceNotFound"):
                raise


ADAPTERS: list[type[Adapter]] = [MetricAlarm, CompositeAlarm, LogGroup, Dashboard]
