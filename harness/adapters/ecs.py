"""ECS: clusters, task definitions and services. moto stores them and reports a service's
tasks as running at once; it starts no containers.

A task definition is immutable: any change registers a new revision (the provider
replaces it), and delete deregisters the revision.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, covers, normalize, not_found, tags_list

_GONE = ("ClusterNotFoundException", "ServiceNotFoundException", "ClientException")


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return tags_list(tags, "key", "value")


class Cluster(Adapter):
    type_token = "aws:ecs/cluster:Cluster"
    replace_on = frozenset({"name"})
    autoname = ("name", 255)
    handles = frozenset({"name", "settings", "tags"})

    def _arn(self, ctx: Context, name: str) -> str:
        return f"arn:{ctx.partition}:ecs:{ctx.region}:{ctx.account_id}:cluster/{name}"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = self._arn(ctx, inputs["name"])
        return {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"clusterName": inputs["name"]}
        if inputs.get("settings"):
            kwargs["settings"] = [dict(s) for s in inputs["settings"]]
        if inputs.get("tags"):
            kwargs["tags"] = _tags(inputs["tags"])
        arn = ctx.client("ecs").create_cluster(**kwargs)["cluster"]["clusterArn"]
        return arn, {**self.plan(ctx, inputs), "arn": arn}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        found = ctx.client("ecs").describe_clusters(clusters=[id_], include=["SETTINGS"])
        clusters = [c for c in found["clusters"] if c.get("status") == "ACTIVE"]
        if not clusters:
            return None
        live = dict(inputs)
        if inputs.get("settings") is not None:
            settings = clusters[0].get("settings") or []
            live["settings"] = (
                inputs["settings"] if covers(settings, inputs["settings"]) else settings
            )
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ecs = ctx.client("ecs")
        if normalize(old.get("settings")) != normalize(new.get("settings")) and new.get("settings"):
            ecs.update_cluster_settings(cluster=id_, settings=[dict(s) for s in new["settings"]])
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            ecs.untag_resource(resourceArn=id_, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            ecs.tag_resource(resourceArn=id_, tags=_tags(new_tags))
        return {**self.plan(ctx, new), "arn": id_}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ecs").delete_cluster(cluster=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class TaskDefinition(Adapter):
    type_token = "aws:ecs/taskDefinition:TaskDefinition"
    SCALARS = (
        "cpu",
        "memory",
        "networkMode",
        "executionRoleArn",
        "taskRoleArn",
        "pidMode",
        "ipcMode",
    )
    handles = frozenset(
        {"family", "containerDefinitions", "requiresCompatibilities", "runtimePlatform",
         "ephemeralStorage", "tags", "skipDestroy", *SCALARS}
    )  # fmt: skip
    replace_on = handles - {"tags", "skipDestroy"}

    def _outputs(self, inputs: dict[str, Any], arn: str, revision: int) -> dict[str, Any]:
        return {
            **inputs,
            "arn": arn,
            "arnWithoutRevision": arn.rsplit(":", 1)[0],
            "revision": revision,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        defs = inputs["containerDefinitions"]
        kwargs: dict[str, Any] = {
            "family": inputs["family"],
            "containerDefinitions": normalize(json.loads(defs) if isinstance(defs, str) else defs),
        }
        for key in self.SCALARS:
            if inputs.get(key):
                kwargs[key] = str(inputs[key]) if key in ("cpu", "memory") else inputs[key]
        if inputs.get("requiresCompatibilities"):
            kwargs["requiresCompatibilities"] = list(inputs["requiresCompatibilities"])
        if inputs.get("runtimePlatform"):
            kwargs["runtimePlatform"] = dict(inputs["runtimePlatform"])
        if inputs.get("ephemeralStorage"):
            kwargs["ephemeralStorage"] = {"sizeInGiB": int(inputs["ephemeralStorage"]["sizeInGib"])}
        if inputs.get("tags"):
            kwargs["tags"] = _tags(inputs["tags"])
        td = ctx.client("ecs").register_task_definition(**kwargs)["taskDefinition"]
        arn = td["taskDefinitionArn"]
        return arn, self._outputs(inputs, arn, int(td.get("revision", 1)))

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            td = ctx.client("ecs").describe_task_definition(taskDefinition=id_)["taskDefinition"]
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        if td.get("status") == "INACTIVE":
            return None
        return {**inputs, "family": td["family"]}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ecs = ctx.client("ecs")  # only tags reach here: everything else replaces
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            ecs.untag_resource(resourceArn=id_, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            ecs.tag_resource(resourceArn=id_, tags=_tags(new_tags))
        return self._outputs(new, id_, int(id_.rsplit(":", 1)[1]))

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        if inputs.get("skipDestroy"):
            return
        try:
            ctx.client("ecs").deregister_task_definition(taskDefinition=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Service(Adapter):
    """A service keeping ``desiredCount`` tasks of a task definition; id = its ARN."""

    type_token = "aws:ecs/service:Service"
    replace_on = frozenset({"name", "cluster", "launchType", "schedulingStrategy", "loadBalancers"})
    autoname = ("name", 255)
    handles = frozenset(
        {"name", "cluster", "taskDefinition", "desiredCount", "launchType", "loadBalancers",
         "networkConfiguration", "deploymentMaximumPercent", "deploymentMinimumHealthyPercent",
         "healthCheckGracePeriodSeconds", "schedulingStrategy", "platformVersion",
         "propagateTags", "enableExecuteCommand", "enableEcsManagedTags", "tags"}
    )  # fmt: skip

    def _network(self, inputs: dict[str, Any]) -> dict[str, Any]:
        conf = inputs.get("networkConfiguration")
        if not conf:
            return {}
        vpc: dict[str, Any] = {"subnets": list(conf.get("subnets") or [])}
        if conf.get("securityGroups"):
            vpc["securityGroups"] = list(conf["securityGroups"])
        vpc["assignPublicIp"] = "ENABLED" if conf.get("assignPublicIp") else "DISABLED"
        return {"networkConfiguration": {"awsvpcConfiguration": vpc}}

    def _common(self, inputs: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {**self._network(inputs)}
        if inputs.get("taskDefinition"):
            kwargs["taskDefinition"] = inputs["taskDefinition"]
        if inputs.get("desiredCount") is not None:
            kwargs["desiredCount"] = int(inputs["desiredCount"])
        deployment = {
            api: int(inputs[key])
            for key, api in (
                ("deploymentMaximumPercent", "maximumPercent"),
                ("deploymentMinimumHealthyPercent", "minimumHealthyPercent"),
            )
            if inputs.get(key) is not None
        }
        if deployment:
            kwargs["deploymentConfiguration"] = deployment
        if inputs.get("healthCheckGracePeriodSeconds") is not None:
            kwargs["healthCheckGracePeriodSeconds"] = int(inputs["healthCheckGracePeriodSeconds"])
        for key in ("platformVersion", "propagateTags"):
            if inputs.get(key):
                kwargs[key] = inputs[key]
        for key in ("enableExecuteCommand", "enableEcsManagedTags"):
            if inputs.get(key) is not None:
                kwargs[key] = bool(inputs[key])
        return kwargs

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"serviceName": inputs["name"], **self._common(inputs)}
        if inputs.get("cluster"):
            kwargs["cluster"] = inputs["cluster"]
        if inputs.get("launchType"):
            kwargs["launchType"] = inputs["launchType"]
        if inputs.get("schedulingStrategy"):
            kwargs["schedulingStrategy"] = inputs["schedulingStrategy"]
        if inputs.get("loadBalancers"):
            kwargs["loadBalancers"] = [
                {k: int(v) if k == "containerPort" else v for k, v in lb.items() if v is not None}
                for lb in inputs["loadBalancers"]
            ]
        if inputs.get("tags"):
            kwargs["tags"] = _tags(inputs["tags"])
        svc = ctx.client("ecs").create_service(**kwargs)["service"]
        return svc["serviceArn"], {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def _describe(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        kwargs = {"cluster": inputs["cluster"]} if inputs.get("cluster") else {}
        try:
            found = ctx.client("ecs").describe_services(services=[id_], **kwargs)["services"]
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = [s for s in found if s.get("status") == "ACTIVE"]
        return live[0] if live else None

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        svc = self._describe(ctx, id_, inputs)
        if svc is None:
            return None
        live = dict(inputs)
        if inputs.get("desiredCount") is not None:
            live["desiredCount"] = type(inputs["desiredCount"])(svc.get("desiredCount", 0))
        if inputs.get("taskDefinition"):
            wanted = str(inputs["taskDefinition"])
            got = svc.get("taskDefinition", "")
            live["taskDefinition"] = wanted if got == wanted or got.endswith(f"/{wanted}") else got
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        kwargs = {"cluster": new["cluster"]} if new.get("cluster") else {}
        ctx.client("ecs").update_service(service=id_, **kwargs, **self._common(new))
        return {**new, "tagsAll": dict(new.get("tags") or {})}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        kwargs = {"cluster": inputs["cluster"]} if inputs.get("cluster") else {}
        try:
            ctx.client("ecs").delete_service(service=id_, force=True, **kwargs)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


ADAPTERS: list[type[Adapter]] = [Cluster, TaskDefinition, Service]
