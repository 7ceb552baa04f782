"""CodeDeploy: applications, deployment groups and custom deployment configs.

The CodeDeploy API spells its fields in camelCase like the provider, so most blocks
pass through; the differences are the provider's flattened lists (``alarms`` are
names, ``ecsService`` is one block) and a few renamed blocks.

The embedded moto implements create/get/list; updating and deleting a deployment
group, deleting an application and returning a group's alarm configuration come from
the harness's emulator patch 6 (``harness/emulator/patches.py``). Against an emulator
without it (moto in a container), GetDeploymentGroup answers an empty
``alarmConfiguration``: ``read`` then keeps the program's, so it is not reported as
drift, and the canary drill takes it from the deployed state.

Deployment configs: moto 5.2 answers Create/Get/DeleteDeploymentConfig with HTTP 500;
patch 6 implements them for the embedded moto. Against an emulator that still does
not, a custom config is *modeled in the stack state only*: its outputs say so
(``deploymentConfigId`` is ``"modeled:<name>"``), the canary drill reads its traffic
routing from the state, and ``read`` cannot find it (refresh reports it missing,
which also keeps teardown's leak check truthful: nothing of it is in the emulator).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, keep_shape, normalize, not_found, tags_list

MODELED = "modeled:"  # deploymentConfigId prefix of a config the emulator could not store


def _unimplemented(exc: ClientError) -> bool:
    """moto's answer to an operation it does not implement: HTTP 500 (or 501)."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return status in (500, 501) or code in ("500", "501", "NotImplemented", "InternalFailure")


class Application(Adapter):
    type_token = "aws:codedeploy/application:Application"
    replace_on = frozenset({"name", "computePlatform"})
    autoname = ("name", 100)
    handles = frozenset({"name", "computePlatform", "tags"})

    def _outputs(self, ctx: Context, inputs: dict[str, Any], app_id: str) -> dict[str, Any]:
        arn = f"arn:{ctx.partition}:codedeploy:{ctx.region}:{ctx.account_id}"
        return {
            **inputs,
            "computePlatform": inputs.get("computePlatform") or "Server",
            "applicationId": app_id,
            "arn": f"{arn}:application:{inputs['name']}",
            "githubAccountName": "",
            "linkedToGithub": False,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        out = self._outputs(ctx, inputs, "")
        out.pop("applicationId")
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "applicationName": inputs["name"],
            "computePlatform": inputs.get("computePlatform") or "Server",
        }
        if inputs.get("tags"):
            kwargs["tags"] = tags_list(inputs["tags"])
        app_id = ctx.client("codedeploy").create_application(**kwargs)["applicationId"]
        # The provider's id is "<application id>:<name>".
        return f"{app_id}:{inputs['name']}", self._outputs(ctx, inputs, app_id)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        name = id_.split(":", 1)[-1]
        try:
            app = ctx.client("codedeploy").get_application(applicationName=name)["application"]
        except ClientError as exc:
            if not_found(exc) or "DoesNotExist" in str(exc):
                return None
            raise
        live = {**inputs, "name": app["applicationName"]}
        if inputs.get("computePlatform"):
            live["computePlatform"] = app.get("computePlatform")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        cd = ctx.client("codedeploy")
        arn = self._outputs(ctx, new, "")["arn"]
        removed = [k for k in (old.get("tags") or {}) if k not in (new.get("tags") or {})]
        if removed:
            cd.untag_resource(ResourceArn=arn, TagKeys=removed)
        if new.get("tags"):
            cd.tag_resource(ResourceArn=arn, Tags=tags_list(new["tags"]))
        return self._outputs(ctx, new, id_.split(":", 1)[0])

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("codedeploy").delete_application(applicationName=id_.split(":", 1)[-1])
        except ClientError as exc:
            if not not_found(exc) and "DoesNotExist" not in str(exc):
                raise


# Provider input -> CodeDeploy API parameter, where they differ.
GROUP_BLOCKS = {
    "autoscalingGroups": "autoScalingGroups",
    "blueGreenDeploymentConfig": "blueGreenDeploymentConfiguration",
    "ec2TagFilters": "ec2TagFilters",
    "onPremisesInstanceTagFilters": "onPremisesInstanceTagFilters",
    "outdatedInstancesStrategy": "outdatedInstancesStrategy",
    "terminationHookEnabled": "terminationHookEnabled",
    "deploymentStyle": "deploymentStyle",
}
LOAD_BALANCER_LISTS = {
    "elbInfos": "elbInfoList",
    "targetGroupInfos": "targetGroupInfoList",
    "targetGroupPairInfo": "targetGroupPairInfoList",
}


class DeploymentGroup(Adapter):
    """A deployment group; the id is the group's id, as the provider's."""

    type_token = "aws:codedeploy/deploymentGroup:DeploymentGroup"
    replace_on = frozenset({"appName"})
    handles = frozenset(
        {
            "appName",
            "deploymentGroupName",
            "serviceRoleArn",
            "deploymentConfigName",
            "autoRollbackConfiguration",
            "alarmConfiguration",
            "triggerConfigurations",
            "ecsService",
            "loadBalancerInfo",
            "tags",
            *GROUP_BLOCKS,
        }
    )

    # -- provider inputs <-> API parameters -------------------------------------------

    @staticmethod
    def to_api(inputs: dict[str, Any]) -> dict[str, Any]:
        """Every parameter CreateDeploymentGroup/UpdateDeploymentGroup take from inputs."""
        params: dict[str, Any] = {
            "serviceRoleArn": inputs["serviceRoleArn"],
            "deploymentConfigName": inputs.get("deploymentConfigName")
            or "CodeDeployDefault.OneAtATime",
        }
        for key, api in GROUP_BLOCKS.items():
            if inputs.get(key) not in (None, "", [], {}):
                params[api] = normalize(inputs[key])
        auto = inputs.get("autoRollbackConfiguration")
        params["autoRollbackConfiguration"] = {
            "enabled": bool((auto or {}).get("enabled")),
            "events": list((auto or {}).get("events") or []),
        }
        alarms = inputs.get("alarmConfiguration")
        params["alarmConfiguration"] = {
            "enabled": bool((alarms or {}).get("enabled")),
            "ignorePollAlarmFailure": bool((alarms or {}).get("ignorePollAlarmFailure")),
            "alarms": [{"name": n} for n in (alarms or {}).get("alarms") or []],
        }
        params["triggerConfigurations"] = [
            {
                "triggerName": t["triggerName"],
                "triggerTargetArn": t["triggerTargetArn"],
                "triggerEvents": list(t.get("triggerEvents") or []),
            }
            for t in inputs.get("triggerConfigurations") or []
        ]
        if inputs.get("ecsService"):
            services = inputs["ecsService"]
            services = services if isinstance(services, list) else [services]
            params["ecsServices"] = [
                {"clusterName": s["clusterName"], "serviceName": s["serviceName"]} for s in services
            ]
        if inputs.get("loadBalancerInfo"):
            info = inputs["loadBalancerInfo"]
            params["loadBalancerInfo"] = {
                api: normalize(info[key]) for key, api in LOAD_BALANCER_LISTS.items() if key in info
            }
        return params

    @staticmethod
    def from_api(info: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """The live group in the provider's spelling, for the keys the program set."""
        live = dict(inputs)
        live["deploymentGroupName"] = info.get("deploymentGroupName")
        live["serviceRoleArn"] = info.get("serviceRoleArn")
        if inputs.get("deploymentConfigName") or (
            info.get("deploymentConfigName") != "CodeDeployDefault.OneAtATime"
        ):
            live["deploymentConfigName"] = info.get("deploymentConfigName")
        auto = info.get("autoRollbackConfiguration") or {}
        if inputs.get("autoRollbackConfiguration") or auto.get("enabled"):
            live["autoRollbackConfiguration"] = keep_shape(
                {"enabled": bool(auto.get("enabled")), "events": list(auto.get("events") or [])},
                inputs.get("autoRollbackConfiguration"),
            )
        alarms = info.get("alarmConfiguration") or {}
        # An emulator without patch 6 answers {} although it stored the alarms: keep ours.
        if alarms:
            live_alarms = {
                "enabled": bool(alarms.get("enabled")),
                "ignorePollAlarmFailure": bool(alarms.get("ignorePollAlarmFailure")),
                "alarms": [a["name"] for a in alarms.get("alarms") or []],
            }
            if inputs.get("alarmConfiguration") or live_alarms["alarms"]:
                live["alarmConfiguration"] = keep_shape(
                    live_alarms, inputs.get("alarmConfiguration")
                )
        triggers = [
            {
                "triggerName": t.get("triggerName"),
                "triggerTargetArn": t.get("triggerTargetArn"),
                "triggerEvents": list(t.get("triggerEvents") or []),
            }
            for t in info.get("triggerConfigurations") or []
        ]
        if triggers or inputs.get("triggerConfigurations"):
            live["triggerConfigurations"] = keep_shape(
                triggers, inputs.get("triggerConfigurations")
            )
        style = info.get("deploymentStyle") or {}
        if inputs.get("deploymentStyle"):
            live["deploymentStyle"] = keep_shape(style, inputs["deploymentStyle"])
        return live

    def _outputs(self, ctx: Context, inputs: dict[str, Any], group_id: str) -> dict[str, Any]:
        app, name = inputs["appName"], inputs["deploymentGroupName"]
        arn = f"arn:{ctx.partition}:codedeploy:{ctx.region}:{ctx.account_id}"
        out = {
            **inputs,
            "arn": f"{arn}:deploymentgroup:{app}/{name}",
            "deploymentConfigName": inputs.get("deploymentConfigName")
            or "CodeDeployDefault.OneAtATime",
            "tagsAll": dict(inputs.get("tags") or {}),
        }
        if group_id:
            out["deploymentGroupId"] = group_id
        return out

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs, "")

    # -- CRUD ----------------------------------------------------------------------

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        cd = ctx.client("codedeploy")
        kwargs = {
            "applicationName": inputs["appName"],
            "deploymentGroupName": inputs["deploymentGroupName"],
            **self.to_api(inputs),
        }
        if inputs.get("tags"):
            kwargs["tags"] = tags_list(inputs["tags"])
        group_id = cd.create_deployment_group(**kwargs)["deploymentGroupId"]
        out = self._outputs(ctx, inputs, group_id)
        out["computePlatform"] = _platform(cd, inputs["appName"])
        return group_id, out

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            info = ctx.client("codedeploy").get_deployment_group(
                applicationName=inputs["appName"],
                deploymentGroupName=inputs["deploymentGroupName"],
            )["deploymentGroupInfo"]
        except ClientError as exc:
            if not_found(exc) or "DoesNotExist" in str(exc):
                return None
            raise
        if info.get("deploymentGroupId") not in (None, id_):
            return None  # a group of the same name, but not ours
        return self.from_api(info, inputs)

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        cd = ctx.client("codedeploy")
        kwargs: dict[str, Any] = {
            "applicationName": new["appName"],
            "currentDeploymentGroupName": old["deploymentGroupName"],
            **self.to_api(new),  # removed blocks go as empty ones: that clears them
        }
        if new["deploymentGroupName"] != old["deploymentGroupName"]:
            kwargs["newDeploymentGroupName"] = new["deploymentGroupName"]
        cd.update_deployment_group(**kwargs)
        arn = self._outputs(ctx, new, id_)["arn"]
        removed = [k for k in (old.get("tags") or {}) if k not in (new.get("tags") or {})]
        if removed:
            cd.untag_resource(ResourceArn=arn, TagKeys=removed)
        if new.get("tags") and new.get("tags") != old.get("tags"):
            cd.tag_resource(ResourceArn=arn, Tags=tags_list(new["tags"]))
        out = self._outputs(ctx, new, id_)
        out["computePlatform"] = _platform(cd, new["appName"])
        return out

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("codedeploy").delete_deployment_group(
                applicationName=inputs["appName"],
                deploymentGroupName=inputs["deploymentGroupName"],
            )
        except ClientError as exc:
            if not not_found(exc) and "DoesNotExist" not in str(exc):
                raise


def _platform(cd: Any, app: str) -> str:
    return cd.get_application(applicationName=app)["application"].get("computePlatform", "")


class DeploymentConfig(Adapter):
    """A custom deployment config (e.g. a 5 percent canary); see the module docstring."""

    type_token = "aws:codedeploy/deploymentConfig:DeploymentConfig"
    replace_on = frozenset(
        {
            "deploymentConfigName",
            "computePlatform",
            "minimumHealthyHosts",
            "trafficRoutingConfig",
            "zonalConfig",
        }
    )
    handles = frozenset(
        {"deploymentConfigName", "computePlatform", "trafficRoutingConfig", "minimumHealthyHosts"}
    )

    @staticmethod
    def traffic_routing(inputs: dict[str, Any]) -> dict[str, Any]:
        """The API's trafficRoutingConfig for the provider's block."""
        conf = inputs.get("trafficRoutingConfig") or {}
        kind = conf.get("type") or "AllAtOnce"
        out: dict[str, Any] = {"type": kind}
        if kind == "TimeBasedCanary":
            block = conf.get("timeBasedCanary") or {}
            out["timeBasedCanary"] = {
                "canaryPercentage": int(block.get("percentage") or 0),
                "canaryInterval": int(block.get("interval") or 0),
            }
        elif kind == "TimeBasedLinear":
            block = conf.get("timeBasedLinear") or {}
            out["timeBasedLinear"] = {
                "linearPercentage": int(block.get("percentage") or 0),
                "linearInterval": int(block.get("interval") or 0),
            }
        return out

    def _outputs(self, ctx: Context, inputs: dict[str, Any], config_id: str) -> dict[str, Any]:
        name = inputs["deploymentConfigName"]
        arn = f"arn:{ctx.partition}:codedeploy:{ctx.region}:{ctx.account_id}"
        return {
            **inputs,
            "computePlatform": inputs.get("computePlatform") or "Server",
            "arn": f"{arn}:deploymentconfig:{name}",
            "deploymentConfigId": config_id,
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        out = self._outputs(ctx, inputs, "")
        out.pop("deploymentConfigId")
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = inputs["deploymentConfigName"]
        if name.startswith("CodeDeployDefault."):
            raise ValueError(f"{name}: the CodeDeployDefault. prefix is reserved by AWS")
        kwargs: dict[str, Any] = {
            "deploymentConfigName": name,
            "computePlatform": inputs.get("computePlatform") or "Server",
        }
        if inputs.get("trafficRoutingConfig"):
            kwargs["trafficRoutingConfig"] = self.traffic_routing(inputs)
        if inputs.get("minimumHealthyHosts"):
            hosts = inputs["minimumHealthyHosts"]
            kwargs["minimumHealthyHosts"] = {"type": hosts["type"], "value": int(hosts["value"])}
        try:
            config_id = ctx.client("codedeploy").create_deployment_config(**kwargs)[
                "deploymentConfigId"
            ]
        except ClientError as exc:
            if not _unimplemented(exc):
                raise
            config_id = f"{MODELED}{name}"  # moto: kept in the stack state only
        return name, self._outputs(ctx, inputs, config_id)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            info = ctx.client("codedeploy").get_deployment_config(deploymentConfigName=id_)
        except ClientError as exc:
            if _unimplemented(exc):
                return None  # modeled in the state only: the emulator holds nothing
            if not_found(exc) or "DoesNotExist" in str(exc):
                return None
            raise
        live = dict(inputs)
        routing = info["deploymentConfigInfo"].get("trafficRoutingConfig")
        if routing and routing != self.traffic_routing(inputs):
            live["trafficRoutingConfig"] = routing
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return self._outputs(ctx, new, id_)  # every input forces a replacement

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("codedeploy").delete_deployment_config(deploymentConfigName=id_)
        except ClientError as exc:
            if not (_unimplemented(exc) or not_found(exc) or "DoesNotExist" in str(exc)):
                raise


ADAPTERS: list[type[Adapter]] = [Application, DeploymentGroup, DeploymentConfig]
