"""EventBridge (pulumi-aws module ``cloudwatch``): rules and their targets.

A rule's ``eventPattern`` is a JSON document: it compares by meaning, and reads back
in the program's spelling when it means the same. A target's id is
``<bus>/<rule>/<targetId>`` (the provider's import id); ``targetId`` is auto-named.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    canonical_json,
    not_found,
    tags_dict,
    tags_list,
)

DEFAULT_BUS = "default"


def _bus(inputs: dict[str, Any]) -> str:
    return inputs.get("eventBusName") or DEFAULT_BUS


def _same_json(live: Any, wanted: Any) -> Any:
    return wanted if canonical_json(live) == canonical_json(wanted) else live


class EventRule(Adapter):
    type_token = "aws:cloudwatch/eventRule:EventRule"
    replace_on = frozenset({"name", "namePrefix", "eventBusName"})
    autoname = ("name", 64)
    handles = frozenset(
        {
            "name",
            "namePrefix",
            "eventBusName",
            "state",
            "isEnabled",
            "eventPattern",
            "scheduleExpression",
            "description",
            "roleArn",
            "tags",
            "forceDestroy",
        }
    )

    def _state(self, inputs: dict[str, Any]) -> str:
        if inputs.get("state"):
            return str(inputs["state"])
        return "DISABLED" if inputs.get("isEnabled") is False else "ENABLED"

    def _arn(self, ctx: Context, inputs: dict[str, Any]) -> str:
        bus = _bus(inputs)
        path = inputs["name"] if bus == DEFAULT_BUS else f"{bus}/{inputs['name']}"
        return f"arn:{ctx.partition}:events:{ctx.region}:{ctx.account_id}:rule/{path}"

    def _id(self, inputs: dict[str, Any]) -> str:
        bus = _bus(inputs)
        return inputs["name"] if bus == DEFAULT_BUS else f"{bus}/{inputs['name']}"

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": self._arn(ctx, inputs),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def _put(self, ctx: Context, inputs: dict[str, Any], with_tags: bool) -> None:
        kwargs: dict[str, Any] = {
            "Name": inputs["name"],
            "State": self._state(inputs),
            "EventBusName": _bus(inputs),
        }
        if inputs.get("eventPattern"):
            pattern = inputs["eventPattern"]
            kwargs["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        for key, aws in (
            ("scheduleExpression", "ScheduleExpression"),
            ("description", "Description"),
            ("roleArn", "RoleArn"),
        ):
            if inputs.get(key):
                kwargs[aws] = inputs[key]
        if with_tags and inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        ctx.client("events").put_rule(**kwargs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs, with_tags=True)
        return self._id(inputs), self._outputs(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        events = ctx.client("events")
        try:
            rule = events.describe_rule(Name=inputs["name"], EventBusName=_bus(inputs))
        except ClientError as exc:
            if not_found(exc, "ResourceNotFoundException"):
                return None
            raise
        live = dict(inputs)
        if "eventPattern" in inputs or rule.get("EventPattern"):
            live["eventPattern"] = _same_json(rule.get("EventPattern"), inputs.get("eventPattern"))
        if "state" in inputs:
            live["state"] = rule.get("State")
        elif "isEnabled" in inputs:
            live["isEnabled"] = rule.get("State") == "ENABLED"
        elif rule.get("State") != "ENABLED":
            live["state"] = rule.get("State")  # disabled out of band: drift from the default
        for key, aws in (
            ("scheduleExpression", "ScheduleExpression"),
            ("description", "Description"),
            ("roleArn", "RoleArn"),
        ):
            if key in inputs or rule.get(aws):
                live[key] = rule.get(aws)
        tags = tags_dict(events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags"))
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        events = ctx.client("events")
        self._put(ctx, new, with_tags=False)
        arn = self._arn(ctx, new)
        live_tags = tags_dict(events.list_tags_for_resource(ResourceARN=arn).get("Tags"))
        wanted = dict(new.get("tags") or {})
        if removed := [k for k in live_tags if k not in wanted]:
            events.untag_resource(ResourceARN=arn, TagKeys=removed)
        if changed := {k: v for k, v in wanted.items() if live_tags.get(k) != v}:
            events.tag_resource(ResourceARN=arn, Tags=tags_list(changed))
        return self._outputs(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        events = ctx.client("events")
        try:
            if inputs.get("forceDestroy") or ctx.purge:  # targets added out of band
                targets = events.list_targets_by_rule(
                    Rule=inputs["name"], EventBusName=_bus(inputs)
                )["Targets"]
                if targets:
                    events.remove_targets(
                        Rule=inputs["name"],
                        EventBusName=_bus(inputs),
                        Ids=[t["Id"] for t in targets],
                        Force=True,
                    )
            events.delete_rule(Name=inputs["name"], EventBusName=_bus(inputs))
        except ClientError as exc:
            if not not_found(exc, "ResourceNotFoundException"):
                raise


# pulumi input -> PutTargets field, for the plain (non-nested) ones
TARGET_FIELDS = {"arn": "Arn", "input": "Input", "inputPath": "InputPath", "roleArn": "RoleArn"}


class EventTarget(Adapter):
    type_token = "aws:cloudwatch/eventTarget:EventTarget"
    replace_on = frozenset({"rule", "targetId", "eventBusName"})
    autoname = ("targetId", 64)
    handles = frozenset(
        {
            "rule",
            "targetId",
            "eventBusName",
            "inputTransformer",
            "sqsTarget",
            "deadLetterConfig",
            *TARGET_FIELDS,
        }
    )

    def _id(self, inputs: dict[str, Any]) -> str:
        return f"{_bus(inputs)}/{inputs['rule']}/{inputs['targetId']}"

    def _target(self, inputs: dict[str, Any]) -> dict[str, Any]:
        target: dict[str, Any] = {"Id": inputs["targetId"]}
        for key, aws in TARGET_FIELDS.items():
            if inputs.get(key):
                target[aws] = inputs[key]
        transformer = inputs.get("inputTransformer")
        if transformer:
            target["InputTransformer"] = {
                "InputPathsMap": dict(transformer.get("inputPaths") or {}),
                "InputTemplate": transformer.get("inputTemplate", ""),
            }
        if (inputs.get("sqsTarget") or {}).get("messageGroupId"):
            target["SqsParameters"] = {"MessageGroupId": inputs["sqsTarget"]["messageGroupId"]}
        if (inputs.get("deadLetterConfig") or {}).get("arn"):
            target["DeadLetterConfig"] = {"Arn": inputs["deadLetterConfig"]["arn"]}
        return target

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        result = ctx.client("events").put_targets(
            Rule=inputs["rule"], EventBusName=_bus(inputs), Targets=[self._target(inputs)]
        )
        if result.get("FailedEntryCount"):
            entry = result["FailedEntries"][0]
            raise ValueError(f"{entry.get('ErrorCode')}: {entry.get('ErrorMessage')}")

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return self._id(inputs), {**inputs, "id": self._id(inputs)}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            targets = ctx.client("events").list_targets_by_rule(
                Rule=inputs["rule"], EventBusName=_bus(inputs)
            )["Targets"]
        except ClientError as exc:
            if not_found(exc, "ResourceNotFoundException"):
                return None
            raise
        found = next((t for t in targets if t["Id"] == inputs["targetId"]), None)
        if found is None:
            return None
        live = dict(inputs)
        for key, aws in TARGET_FIELDS.items():
            if key in inputs or found.get(aws):
                live[key] = found.get(aws)
        if "inputTransformer" in inputs or found.get("InputTransformer"):
            t = found.get("InputTransformer") or {}
            live_t = {
                "inputPaths": t.get("InputPathsMap") or {},
                "inputTemplate": t.get("InputTemplate"),
            }
            live["inputTransformer"] = _same_json(live_t, inputs.get("inputTransformer"))
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)
        return {**new, "id": self._id(new)}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("events").remove_targets(
                Rule=inputs["rule"], EventBusName=_bus(inputs), Ids=[inputs["targetId"]]
            )
        except ClientError as exc:
            if not not_found(exc, "ResourceNotFoundException"):
                raise


ADAPTERS: list[type[Adapter]] = [EventRule, EventTarget]
