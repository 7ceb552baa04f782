"""Step Functions: state machines. moto stores the definition; it does not run executions
against real tasks."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    covers,
    json_equal,
    not_found,
    tags_list,
)


def _definition(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class StateMachine(Adapter):
    type_token = "aws:sfn/stateMachine:StateMachine"
    replace_on = frozenset({"name", "namePrefix", "type"})
    autoname = ("name", 80)
    BLOCKS = ("loggingConfiguration", "tracingConfiguration", "encryptionConfiguration")
    handles = frozenset({"name", "namePrefix", "definition", "roleArn", "type", "tags", *BLOCKS})

    def _arn(self, ctx: Context, name: str) -> str:
        return f"arn:{ctx.partition}:states:{ctx.region}:{ctx.account_id}:stateMachine:{name}"

    def _outputs(self, ctx: Context, inputs: dict[str, Any], live: dict[str, Any]) -> dict:
        return {
            **inputs,
            "arn": live.get("stateMachineArn") or self._arn(ctx, inputs["name"]),
            "type": inputs.get("type") or "STANDARD",
            "status": live.get("status", "ACTIVE"),
            "creationDate": str(live.get("creationDate", "")),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs, {})

    def _blocks(self, inputs: dict[str, Any]) -> dict[str, Any]:
        # The API spells these blocks in camelCase already (loggingConfiguration.level…);
        # only the key names of the nested destinations differ.
        out: dict[str, Any] = {}
        if inputs.get("loggingConfiguration"):
            conf = inputs["loggingConfiguration"]
            logging: dict[str, Any] = {
                "level": conf.get("level", "OFF"),
                "includeExecutionData": bool(conf.get("includeExecutionData")),
            }
            if conf.get("logDestination"):
                logging["destinations"] = [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": conf["logDestination"]}}
                ]
            out["loggingConfiguration"] = logging
        if inputs.get("tracingConfiguration"):
            out["tracingConfiguration"] = {
                "enabled": bool(inputs["tracingConfiguration"].get("enabled"))
            }
        if inputs.get("encryptionConfiguration"):
            out["encryptionConfiguration"] = {
                k: v for k, v in inputs["encryptionConfiguration"].items() if v is not None
            }
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "name": inputs["name"],
            "definition": _definition(inputs["definition"]),
            "roleArn": inputs["roleArn"],
            "type": inputs.get("type") or "STANDARD",
            **self._blocks(inputs),
        }
        if inputs.get("tags"):
            kwargs["tags"] = tags_list(inputs["tags"], "key", "value")
        arn = ctx.client("stepfunctions").create_state_machine(**kwargs)["stateMachineArn"]
        return arn, self._outputs(ctx, inputs, {"stateMachineArn": arn})

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            live = ctx.client("stepfunctions").describe_state_machine(stateMachineArn=id_)
        except ClientError as exc:
            if not_found(exc, "StateMachineDoesNotExist"):
                return None
            raise
        out = dict(inputs)
        same = json_equal(live.get("definition"), inputs.get("definition"))
        out["definition"] = inputs.get("definition") if same else live.get("definition")
        out["roleArn"] = live.get("roleArn")
        for key, block in self._blocks(inputs).items():
            if not covers(live.get(key), block):
                out[key] = live.get(key)  # drifted: as the API holds it
        return out

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        sfn = ctx.client("stepfunctions")
        sfn.update_state_machine(
            stateMachineArn=id_,
            definition=_definition(new["definition"]),
            roleArn=new["roleArn"],
            **self._blocks(new),
        )
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            sfn.untag_resource(resourceArn=id_, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            sfn.tag_resource(resourceArn=id_, tags=tags_list(new_tags, "key", "value"))
        return self._outputs(ctx, new, {"stateMachineArn": id_})

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("stepfunctions").delete_state_machine(stateMachineArn=id_)
        except ClientError as exc:
            if not not_found(exc, "StateMachineDoesNotExist"):
                raise


ADAPTERS: list[type[Adapter]] = [StateMachine]
