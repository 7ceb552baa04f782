"""EC2 Auto Scaling: groups and their scaling policies. moto keeps a group's instances
as described (it launches them from the launch template's AMI in its EC2 backend);
nothing scales on a metric.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found, pascal_keys

_GONE = ("ValidationError",)  # what DescribeAutoScalingGroups says of a missing group


def _launch_template(inputs: dict[str, Any]) -> dict[str, Any]:
    block = inputs.get("launchTemplate") or {}
    spec: dict[str, Any] = {"Version": str(block.get("version") or "$Default")}
    if block.get("id"):
        spec["LaunchTemplateId"] = block["id"]
    elif block.get("name"):
        spec["LaunchTemplateName"] = block["name"]
    return {"LaunchTemplate": spec} if block else {}


def _tags(name: str, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "ResourceId": name,
            "ResourceType": "auto-scaling-group",
            "Key": t["key"],
            "Value": t["value"],
            "PropagateAtLaunch": bool(t.get("propagateAtLaunch")),
        }
        for t in inputs.get("tags") or []
    ]


class Group(Adapter):
    type_token = "aws:autoscaling/group:Group"
    replace_on = frozenset({"name", "namePrefix"})
    autoname = ("name", 255)
    SIZES = {
        "minSize": "MinSize",
        "maxSize": "MaxSize",
        "desiredCapacity": "DesiredCapacity",
        "healthCheckGracePeriod": "HealthCheckGracePeriod",
        "defaultCooldown": "DefaultCooldown",
    }
    handles = frozenset(
        {"name", "namePrefix", "launchTemplate", "vpcZoneIdentifiers", "availabilityZones",
         "targetGroupArns", "healthCheckType", "terminationPolicies", "tags", "forceDelete",
         *SIZES}
    )  # fmt: skip

    def _settings(self, inputs: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            api: int(inputs[key]) for key, api in self.SIZES.items() if inputs.get(key) is not None
        }
        kwargs.update(_launch_template(inputs))
        if inputs.get("vpcZoneIdentifiers"):
            kwargs["VPCZoneIdentifier"] = ",".join(inputs["vpcZoneIdentifiers"])
        if inputs.get("availabilityZones"):
            kwargs["AvailabilityZones"] = list(inputs["availabilityZones"])
        if inputs.get("healthCheckType"):
            kwargs["HealthCheckType"] = inputs["healthCheckType"]
        if inputs.get("terminationPolicies"):
            kwargs["TerminationPolicies"] = list(inputs["terminationPolicies"])
        return kwargs

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = (
            f"arn:{ctx.partition}:autoscaling:{ctx.region}:{ctx.account_id}:autoScalingGroup:"
            f"*:autoScalingGroupName/{inputs['name']}"
        )
        return {**inputs, "arn": arn}

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        asg = ctx.client("autoscaling")
        kwargs = {"AutoScalingGroupName": inputs["name"], **self._settings(inputs)}
        if inputs.get("targetGroupArns"):
            kwargs["TargetGroupARNs"] = list(inputs["targetGroupArns"])
        if inputs.get("tags"):
            kwargs["Tags"] = _tags(inputs["name"], inputs)
        asg.create_auto_scaling_group(**kwargs)
        return inputs["name"], self._outputs(ctx, inputs)

    def _describe(self, ctx: Context, name: str) -> dict[str, Any] | None:
        groups = ctx.client("autoscaling").describe_auto_scaling_groups(
            AutoScalingGroupNames=[name]
        )["AutoScalingGroups"]
        return groups[0] if groups else None

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        group = self._describe(ctx, id_)
        if group is None:
            return None
        live = dict(inputs)
        for key, api in self.SIZES.items():
            if inputs.get(key) is not None and api in group:
                live[key] = type(inputs[key])(group[api])
        if inputs.get("targetGroupArns") is not None:
            arns = list(group.get("TargetGroupARNs") or [])
            same = sorted(arns) == sorted(inputs["targetGroupArns"])
            live["targetGroupArns"] = inputs["targetGroupArns"] if same else arns
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        asg = ctx.client("autoscaling")
        asg.update_auto_scaling_group(AutoScalingGroupName=id_, **self._settings(new))
        old_tgs, new_tgs = (
            set(old.get("targetGroupArns") or []),
            set(new.get("targetGroupArns") or []),
        )
        if old_tgs - new_tgs:
            asg.detach_load_balancer_target_groups(
                AutoScalingGroupName=id_, TargetGroupARNs=sorted(old_tgs - new_tgs)
            )
        if new_tgs - old_tgs:
            asg.attach_load_balancer_target_groups(
                AutoScalingGroupName=id_, TargetGroupARNs=sorted(new_tgs - old_tgs)
            )
        old_keys = {t["key"] for t in old.get("tags") or []}
        new_keys = {t["key"] for t in new.get("tags") or []}
        if gone := old_keys - new_keys:
            asg.delete_tags(
                Tags=[
                    {"ResourceId": id_, "ResourceType": "auto-scaling-group", "Key": k}
                    for k in gone
                ]
            )
        if new.get("tags") and new.get("tags") != old.get("tags"):
            asg.create_or_update_tags(Tags=_tags(id_, new))
        return self._outputs(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("autoscaling").delete_auto_scaling_group(
                AutoScalingGroupName=id_, ForceDelete=True
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Policy(Adapter):
    """A scaling policy of a group (simple, step or target tracking); id = its name."""

    type_token = "aws:autoscaling/policy:Policy"
    replace_on = frozenset({"name", "autoscalingGroupName"})
    autoname = ("name", 255)
    FIELDS = {
        "policyType": "PolicyType",
        "adjustmentType": "AdjustmentType",
        "scalingAdjustment": "ScalingAdjustment",
        "cooldown": "Cooldown",
        "metricAggregationType": "MetricAggregationType",
        "estimatedInstanceWarmup": "EstimatedInstanceWarmup",
        "minAdjustmentMagnitude": "MinAdjustmentMagnitude",
        "enabled": "Enabled",
        "stepAdjustments": "StepAdjustments",
        "targetTrackingConfiguration": "TargetTrackingConfiguration",
    }
    handles = frozenset({"name", "autoscalingGroupName", *FIELDS})

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> str:
        kwargs: dict[str, Any] = {
            "AutoScalingGroupName": inputs["autoscalingGroupName"],
            "PolicyName": inputs["name"],
        }
        for key, api in self.FIELDS.items():
            if inputs.get(key) is not None:
                kwargs[api] = pascal_keys(inputs[key])
        for step in kwargs.get("StepAdjustments") or []:
            for bound in ("MetricIntervalLowerBound", "MetricIntervalUpperBound"):
                if step.get(bound) in (None, ""):
                    step.pop(bound, None)
                else:
                    step[bound] = float(step[bound])  # the provider spells bounds as strings
        return ctx.client("autoscaling").put_scaling_policy(**kwargs).get("PolicyARN", "")

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return inputs["name"], {**inputs, "arn": self._put(ctx, inputs)}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        found = ctx.client("autoscaling").describe_policies(
            AutoScalingGroupName=inputs["autoscalingGroupName"], PolicyNames=[id_]
        )["ScalingPolicies"]
        if not found:
            return None
        live = dict(inputs)
        if inputs.get("scalingAdjustment") is not None:
            live["scalingAdjustment"] = type(inputs["scalingAdjustment"])(
                found[0].get("ScalingAdjustment", 0)
            )
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return {**new, "arn": self._put(ctx, new)}  # PutScalingPolicy overwrites

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("autoscaling").delete_policy(
                AutoScalingGroupName=inputs["autoscalingGroupName"], PolicyName=id_
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Schedule(Adapter):
    """A scheduled action of a group (recurring or one-time); id = its name. The
    provider spells "leave this size alone" as -1, which is never sent."""

    type_token = "aws:autoscaling/schedule:Schedule"
    replace_on = frozenset({"scheduledActionName", "autoscalingGroupName"})
    autoname = ("scheduledActionName", 255)
    FIELDS = {
        "minSize": "MinSize",
        "maxSize": "MaxSize",
        "desiredCapacity": "DesiredCapacity",
        "recurrence": "Recurrence",
        "startTime": "StartTime",
        "endTime": "EndTime",
        "timeZone": "TimeZone",
    }
    SIZES = ("minSize", "maxSize", "desiredCapacity")
    handles = frozenset({"scheduledActionName", "autoscalingGroupName", *FIELDS})

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {
            "AutoScalingGroupName": inputs["autoscalingGroupName"],
            "ScheduledActionName": inputs["scheduledActionName"],
        }
        for key, api in self.FIELDS.items():
            value = inputs.get(key)
            if value in (None, ""):
                continue
            if key in self.SIZES:
                if int(value) < 0:
                    continue
                value = int(value)
            kwargs[api] = value
        ctx.client("autoscaling").put_scheduled_update_group_action(**kwargs)

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = (
            f"arn:{ctx.partition}:autoscaling:{ctx.region}:{ctx.account_id}:scheduledUpdateGroup"
            f"Action:*:autoScalingGroupName/{inputs['autoscalingGroupName']}"
            f":scheduledActionName/{inputs['scheduledActionName']}"
        )
        return {**inputs, "arn": arn}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return inputs["scheduledActionName"], self._outputs(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = ctx.client("autoscaling").describe_scheduled_actions(
                AutoScalingGroupName=inputs["autoscalingGroupName"], ScheduledActionNames=[id_]
            )["ScheduledUpdateGroupActions"]
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        if not found:
            return None
        live = dict(inputs)
        for key in (*self.SIZES, "recurrence"):
            api = self.FIELDS[key]
            if inputs.get(key) is None or (key in self.SIZES and int(inputs[key]) < 0):
                continue
            value = found[0].get(api)
            same = value is not None and (
                int(value) == int(inputs[key]) if key in self.SIZES else value == inputs[key]
            )
            live[key] = inputs[key] if same else value
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)  # PutScheduledUpdateGroupAction overwrites
        return self._outputs(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("autoscaling").delete_scheduled_action(
                AutoScalingGroupName=inputs["autoscalingGroupName"], ScheduledActionName=id_
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


ADAPTERS: list[type[Adapter]] = [Group, Policy, Schedule]
