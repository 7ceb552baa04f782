"""Application Auto Scaling: scalable targets (an ECS service's task count, a DynamoDB
table's capacity…), their scaling policies and scheduled actions. moto stores them;
nothing scales.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, covers, not_found, pascal_keys

_GONE = ("ObjectNotFoundException",)


def _target(inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServiceNamespace": inputs["serviceNamespace"],
        "ResourceId": inputs["resourceId"],
        "ScalableDimension": inputs["scalableDimension"],
    }


class Target(Adapter):
    type_token = "aws:appautoscaling/target:Target"
    replace_on = frozenset({"serviceNamespace", "resourceId", "scalableDimension"})
    handles = frozenset(
        {"serviceNamespace", "resourceId", "scalableDimension", "minCapacity", "maxCapacity",
         "roleArn", "suspendedState", "tags"}
    )  # fmt: skip

    def _register(self, ctx: Context, inputs: dict[str, Any], with_tags: bool) -> str:
        kwargs: dict[str, Any] = {
            **_target(inputs),
            "MinCapacity": int(inputs["minCapacity"]),
            "MaxCapacity": int(inputs["maxCapacity"]),
        }
        if inputs.get("roleArn"):
            kwargs["RoleARN"] = inputs["roleArn"]
        if inputs.get("suspendedState"):
            kwargs["SuspendedState"] = pascal_keys(inputs["suspendedState"])
        if with_tags and inputs.get("tags"):
            kwargs["Tags"] = dict(inputs["tags"])
        answer = ctx.client("application-autoscaling").register_scalable_target(**kwargs)
        return answer.get("ScalableTargetARN", "")

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self._register(ctx, inputs, with_tags=True)
        return inputs["resourceId"], {
            **inputs,
            "arn": arn,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        found = ctx.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace=inputs["serviceNamespace"],
            ResourceIds=[id_],
            ScalableDimension=inputs["scalableDimension"],
        )["ScalableTargets"]
        if not found:
            return None
        live = dict(inputs)
        for key, api in (("minCapacity", "MinCapacity"), ("maxCapacity", "MaxCapacity")):
            live[key] = type(inputs[key])(found[0][api])
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        arn = self._register(ctx, new, with_tags=False)  # registering again updates it
        client = ctx.client("application-autoscaling")
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            client.untag_resource(ResourceARN=arn, TagKeys=removed)
        if new_tags and new_tags != old_tags:
            client.tag_resource(ResourceARN=arn, Tags=new_tags)
        return {**new, "arn": arn, "tagsAll": dict(new.get("tags") or {})}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("application-autoscaling").deregister_scalable_target(**_target(inputs))
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


def _bounds(config: dict[str, Any]) -> dict[str, Any]:
    """The provider spells step bounds as strings; the API takes numbers."""
    for step in config.get("StepAdjustments") or []:
        for key in ("MetricIntervalLowerBound", "MetricIntervalUpperBound"):
            if step.get(key) not in (None, ""):
                step[key] = float(step[key])
            else:
                step.pop(key, None)
    return config


class Policy(Adapter):
    type_token = "aws:appautoscaling/policy:Policy"
    replace_on = frozenset({"name", "serviceNamespace", "resourceId", "scalableDimension"})
    autoname = ("name", 255)
    CONFIGS = {
        "stepScalingPolicyConfiguration": "StepScalingPolicyConfiguration",
        "targetTrackingScalingPolicyConfiguration": "TargetTrackingScalingPolicyConfiguration",
    }
    handles = frozenset(
        {"name", "serviceNamespace", "resourceId", "scalableDimension", "policyType", *CONFIGS}
    )

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "PolicyName": inputs["name"],
            **_target(inputs),
            "PolicyType": inputs.get("policyType") or "StepScaling",
        }
        for key, api in self.CONFIGS.items():
            if inputs.get(key):
                kwargs[api] = _bounds(pascal_keys(inputs[key]))
        return ctx.client("application-autoscaling").put_scaling_policy(**kwargs)

    def _outputs(self, inputs: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": answer.get("PolicyARN", ""),
            "alarmArns": [a["AlarmARN"] for a in answer.get("Alarms", [])],
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return inputs["name"], self._outputs(inputs, self._put(ctx, inputs))

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        found = ctx.client("application-autoscaling").describe_scaling_policies(
            ServiceNamespace=inputs["serviceNamespace"],
            PolicyNames=[id_],
            ResourceId=inputs["resourceId"],
            ScalableDimension=inputs["scalableDimension"],
        )["ScalingPolicies"]
        if not found:
            return None
        live = dict(inputs)
        for key, api in self.CONFIGS.items():
            if inputs.get(key):
                wanted = _bounds(pascal_keys(inputs[key]))
                if not covers(found[0].get(api), wanted):
                    live[key] = found[0].get(api)
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return self._outputs(new, self._put(ctx, new))  # PutScalingPolicy overwrites

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("application-autoscaling").delete_scaling_policy(
                PolicyName=id_, **_target(inputs)
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class ScheduledAction(Adapter):
    type_token = "aws:appautoscaling/scheduledAction:ScheduledAction"
    replace_on = frozenset({"name", "serviceNamespace", "resourceId", "scalableDimension"})
    autoname = ("name", 255)
    handles = frozenset(
        {"name", "serviceNamespace", "resourceId", "scalableDimension", "schedule", "timezone",
         "startTime", "endTime", "scalableTargetAction"}
    )  # fmt: skip

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {
            "ScheduledActionName": inputs["name"],
            **_target(inputs),
            "Schedule": inputs["schedule"],
        }
        for key, api in (
            ("timezone", "Timezone"),
            ("startTime", "StartTime"),
            ("endTime", "EndTime"),
        ):
            if inputs.get(key):
                kwargs[api] = inputs[key]
        if inputs.get("scalableTargetAction"):
            kwargs["ScalableTargetAction"] = {
                k: int(v) for k, v in pascal_keys(inputs["scalableTargetAction"]).items()
            }
        ctx.client("application-autoscaling").put_scheduled_action(**kwargs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return inputs["name"], dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        found = ctx.client("application-autoscaling").describe_scheduled_actions(
            ServiceNamespace=inputs["serviceNamespace"],
            ScheduledActionNames=[id_],
            ResourceId=inputs["resourceId"],
            ScalableDimension=inputs["scalableDimension"],
        )["ScheduledActions"]
        if not found:
            return None
        return {**inputs, "schedule": found[0].get("Schedule")}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)
        return dict(new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("application-autoscaling").delete_scheduled_action(
                ScheduledActionName=id_, **_target(inputs)
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


ADAPTERS: list[type[Adapter]] = [Target, Policy, ScheduledAction]
