"""API Gateway (REST APIs): the API, its resources, methods, integrations, deployments
and stages. moto stores them all; it does not serve requests, so nothing here invokes.

Methods and resources are replaced rather than patched when they change (API Gateway
answers a second PutMethod with a conflict); an integration is put again (PutIntegration
overwrites), as is a stage's deployment and description (UpdateStage).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, canonical_json, not_found

_GONE = ("NotFoundException",)


def _sync_tags(apigw: Any, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
    if removed := [k for k in old_tags if k not in new_tags]:
        apigw.untag_resource(resourceArn=arn, tagKeys=removed)
    if new_tags and new_tags != old_tags:
        apigw.tag_resource(resourceArn=arn, tags=new_tags)


def _patch(path: str, value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return {"op": "replace", "path": path, "value": ""}
    return {"op": "replace", "path": path, "value": str(value)}


class RestApi(Adapter):
    type_token = "aws:apigateway/restApi:RestApi"
    replace_on = frozenset(
        {"binaryMediaTypes", "endpointConfiguration", "apiKeySource", "minimumCompressionSize",
         "disableExecuteApiEndpoint"}
    )  # fmt: skip
    autoname = ("name", 255)
    handles = frozenset({"name", "description", "policy", "tags", *replace_on})

    def _outputs(self, ctx: Context, inputs: dict[str, Any], api: dict[str, Any]) -> dict:
        api_id = api.get("id", "")
        execute = f"arn:{ctx.partition}:execute-api:{ctx.region}:{ctx.account_id}"
        out = {
            **inputs,
            "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api_id}",
            "executionArn": f"{execute}:{api_id}",
            "createdDate": str(api.get("createdDate", "")),
            "tagsAll": dict(inputs.get("tags") or {}),
        }
        if not api_id:  # preview: API Gateway picks the id
            out.pop("arn")
            out.pop("executionArn")
        return out

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs, {})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        apigw = ctx.client("apigateway")
        kwargs: dict[str, Any] = {"name": inputs["name"]}
        if inputs.get("description"):
            kwargs["description"] = inputs["description"]
        if inputs.get("binaryMediaTypes"):
            kwargs["binaryMediaTypes"] = list(inputs["binaryMediaTypes"])
        if inputs.get("minimumCompressionSize") is not None:
            kwargs["minimumCompressionSize"] = int(inputs["minimumCompressionSize"])
        if inputs.get("apiKeySource"):
            kwargs["apiKeySource"] = inputs["apiKeySource"]
        if inputs.get("endpointConfiguration"):
            conf = inputs["endpointConfiguration"]
            kwargs["endpointConfiguration"] = {"types": list(conf.get("types") or [])}
            if conf.get("vpcEndpointIds"):
                kwargs["endpointConfiguration"]["vpcEndpointIds"] = list(conf["vpcEndpointIds"])
        if inputs.get("disableExecuteApiEndpoint") is not None:
            kwargs["disableExecuteApiEndpoint"] = bool(inputs["disableExecuteApiEndpoint"])
        if inputs.get("policy"):
            policy = inputs["policy"]
            kwargs["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
        if inputs.get("tags"):
            kwargs["tags"] = dict(inputs["tags"])
        api = apigw.create_rest_api(**kwargs)
        return api["id"], self._with_root(ctx, self._outputs(ctx, inputs, api), api["id"])

    def _with_root(self, ctx: Context, out: dict[str, Any], api_id: str) -> dict[str, Any]:
        resources = ctx.client("apigateway").get_resources(restApiId=api_id)["items"]
        out["rootResourceId"] = next((r["id"] for r in resources if r.get("path") == "/"), "")
        return out

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            api = ctx.client("apigateway").get_rest_api(restApiId=id_)
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = {**inputs, "name": api["name"]}
        if inputs.get("description") is not None or api.get("description"):
            live["description"] = api.get("description")
        if inputs.get("policy"):
            same = canonical_json(api.get("policy")) == canonical_json(inputs["policy"])
            live["policy"] = inputs["policy"] if same else api.get("policy")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        apigw = ctx.client("apigateway")
        ops = [
            _patch(f"/{key}", new.get(key))
            for key in ("name", "description")
            if old.get(key) != new.get(key)
        ]
        if canonical_json(old.get("policy")) != canonical_json(new.get("policy")):
            policy = new.get("policy")
            ops.append(
                _patch(
                    "/policy",
                    policy if isinstance(policy, str) or not policy else json.dumps(policy),
                )
            )
        if ops:
            apigw.update_rest_api(restApiId=id_, patchOperations=ops)
        arn = self._outputs(ctx, new, {"id": id_})["arn"]
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            apigw.untag_resource(resourceArn=arn, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            apigw.tag_resource(resourceArn=arn, tags=new_tags)
        return self._with_root(ctx, self._outputs(ctx, new, {"id": id_}), id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_rest_api(restApiId=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Resource(Adapter):
    """A path part under a parent resource; id = the resource id."""

    type_token = "aws:apigateway/resource:Resource"
    handles = frozenset({"restApi", "parentId", "pathPart"})
    replace_on = handles

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        res = ctx.client("apigateway").create_resource(
            restApiId=inputs["restApi"], parentId=inputs["parentId"], pathPart=inputs["pathPart"]
        )
        return res["id"], {**inputs, "path": res.get("path", "")}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            res = ctx.client("apigateway").get_resource(restApiId=inputs["restApi"], resourceId=id_)
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        return {**inputs, "pathPart": res.get("pathPart"), "parentId": res.get("parentId")}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_resource(restApiId=inputs["restApi"], resourceId=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Method(Adapter):
    """An HTTP method of a resource; id = ``agm-<api>-<resource>-<method>``."""

    type_token = "aws:apigateway/method:Method"
    FIELDS = {
        "authorizerId": "authorizerId",
        "apiKeyRequired": "apiKeyRequired",
        "operationName": "operationName",
        "requestValidatorId": "requestValidatorId",
        "requestParameters": "requestParameters",
        "requestModels": "requestModels",
        "authorizationScopes": "authorizationScopes",
    }
    handles = frozenset({"restApi", "resourceId", "httpMethod", "authorization", *FIELDS})
    replace_on = handles

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs = {api: inputs[k] for k, api in self.FIELDS.items() if inputs.get(k) is not None}
        ctx.client("apigateway").put_method(
            restApiId=inputs["restApi"],
            resourceId=inputs["resourceId"],
            httpMethod=inputs["httpMethod"],
            authorizationType=inputs["authorization"],
            **kwargs,
        )
        id_ = f"agm-{inputs['restApi']}-{inputs['resourceId']}-{inputs['httpMethod']}"
        return id_, dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            method = ctx.client("apigateway").get_method(
                restApiId=inputs["restApi"],
                resourceId=inputs["resourceId"],
                httpMethod=inputs["httpMethod"],
            )
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        return {**inputs, "authorization": method.get("authorizationType")}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_method(
                restApiId=inputs["restApi"],
                resourceId=inputs["resourceId"],
                httpMethod=inputs["httpMethod"],
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Integration(Adapter):
    """Where a method sends its requests (a Lambda proxy, an HTTP backend, a mock)."""

    type_token = "aws:apigateway/integration:Integration"
    FIELDS = {
        "integrationHttpMethod": "integrationHttpMethod",
        "uri": "uri",
        "credentials": "credentials",
        "requestParameters": "requestParameters",
        "requestTemplates": "requestTemplates",
        "passthroughBehavior": "passthroughBehavior",
        "contentHandling": "contentHandling",
        "timeoutMilliseconds": "timeoutInMillis",
        "connectionType": "connectionType",
        "connectionId": "connectionId",
        "cacheNamespace": "cacheNamespace",
        "cacheKeyParameters": "cacheKeyParameters",
    }
    handles = frozenset({"restApi", "resourceId", "httpMethod", "type", *FIELDS})
    replace_on = frozenset({"restApi", "resourceId", "httpMethod"})

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs = {api: inputs[k] for k, api in self.FIELDS.items() if inputs.get(k) is not None}
        if "timeoutInMillis" in kwargs:
            kwargs["timeoutInMillis"] = int(kwargs["timeoutInMillis"])
        ctx.client("apigateway").put_integration(
            restApiId=inputs["restApi"],
            resourceId=inputs["resourceId"],
            httpMethod=inputs["httpMethod"],
            type=inputs["type"],
            **kwargs,
        )

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        id_ = f"agi-{inputs['restApi']}-{inputs['resourceId']}-{inputs['httpMethod']}"
        return id_, dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = ctx.client("apigateway").get_integration(
                restApiId=inputs["restApi"],
                resourceId=inputs["resourceId"],
                httpMethod=inputs["httpMethod"],
            )
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = {**inputs, "type": found.get("type")}
        if inputs.get("uri") is not None:
            live["uri"] = found.get("uri")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)  # PutIntegration overwrites the method's integration
        return dict(new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_integration(
                restApiId=inputs["restApi"],
                resourceId=inputs["resourceId"],
                httpMethod=inputs["httpMethod"],
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Deployment(Adapter):
    """A snapshot of the API. ``triggers`` only force a new deployment when they change,
    as in the provider."""

    type_token = "aws:apigateway/deployment:Deployment"
    handles = frozenset({"restApi", "description", "variables", "triggers"})
    replace_on = frozenset({"restApi", "variables", "triggers"})

    def _outputs(self, ctx: Context, inputs: dict[str, Any], dep: dict[str, Any]) -> dict:
        return {**inputs, "createdDate": str(dep.get("createdDate", ""))}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"restApiId": inputs["restApi"]}
        if inputs.get("description"):
            kwargs["description"] = inputs["description"]
        if inputs.get("variables"):
            kwargs["variables"] = dict(inputs["variables"])
        dep = ctx.client("apigateway").create_deployment(**kwargs)
        return dep["id"], self._outputs(ctx, inputs, dep)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            dep = ctx.client("apigateway").get_deployment(
                restApiId=inputs["restApi"], deploymentId=id_
            )
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = dict(inputs)
        if inputs.get("description") is not None or dep.get("description"):
            live["description"] = dep.get("description")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ctx.client("apigateway").update_deployment(
            restApiId=new["restApi"],
            deploymentId=id_,
            patchOperations=[_patch("/description", new.get("description"))],
        )
        return dict(new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_deployment(
                restApiId=inputs["restApi"], deploymentId=id_
            )
        except ClientError as exc:
            # A deployment a stage still uses cannot go; the stage goes first (dependents).
            if not not_found(exc, *_GONE):
                raise


class Stage(Adapter):
    """A named, invokable stage pointing at a deployment; id = ``ags-<api>-<stage>``."""

    type_token = "aws:apigateway/stage:Stage"
    replace_on = frozenset({"restApi", "stageName"})
    handles = frozenset(
        {"restApi", "stageName", "deployment", "description", "variables",
         "cacheClusterEnabled", "cacheClusterSize", "xrayTracingEnabled", "tags"}
    )  # fmt: skip

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        api, stage = inputs["restApi"], inputs["stageName"]
        host = f"{api}.execute-api.{ctx.region}.amazonaws.com"
        execute = f"arn:{ctx.partition}:execute-api:{ctx.region}:{ctx.account_id}"
        return {
            **inputs,
            "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api}/stages/{stage}",
            "invokeUrl": f"https://{host}/{stage}",
            "executionArn": f"{execute}:{api}/{stage}",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "restApiId": inputs["restApi"],
            "stageName": inputs["stageName"],
            "deploymentId": inputs["deployment"],
        }
        for key in ("description", "cacheClusterSize"):
            if inputs.get(key):
                kwargs[key] = inputs[key]
        if inputs.get("cacheClusterEnabled") is not None:
            kwargs["cacheClusterEnabled"] = bool(inputs["cacheClusterEnabled"])
        if inputs.get("xrayTracingEnabled") is not None:
            kwargs["tracingEnabled"] = bool(inputs["xrayTracingEnabled"])
        if inputs.get("variables"):
            kwargs["variables"] = dict(inputs["variables"])
        if inputs.get("tags"):
            kwargs["tags"] = dict(inputs["tags"])
        ctx.client("apigateway").create_stage(**kwargs)
        return f"ags-{inputs['restApi']}-{inputs['stageName']}", self._outputs(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            stage = ctx.client("apigateway").get_stage(
                restApiId=inputs["restApi"], stageName=inputs["stageName"]
            )
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = {**inputs, "deployment": stage.get("deploymentId")}
        if inputs.get("variables") is not None or stage.get("variables"):
            live["variables"] = dict(stage.get("variables") or {})
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ops = []
        if old.get("deployment") != new.get("deployment"):
            ops.append(_patch("/deploymentId", new["deployment"]))
        if old.get("description") != new.get("description"):
            ops.append(_patch("/description", new.get("description")))
        if bool(old.get("xrayTracingEnabled")) != bool(new.get("xrayTracingEnabled")):
            ops.append(_patch("/tracingEnabled", str(bool(new.get("xrayTracingEnabled"))).lower()))
        old_vars, new_vars = dict(old.get("variables") or {}), dict(new.get("variables") or {})
        for key in old_vars.keys() - new_vars.keys():
            ops.append({"op": "remove", "path": f"/variables/{key}"})
        for key, value in new_vars.items():
            if old_vars.get(key) != value:
                ops.append(_patch(f"/variables/{key}", value))
        if ops:
            ctx.client("apigateway").update_stage(
                restApiId=new["restApi"], stageName=new["stageName"], patchOperations=ops
            )
        return self._outputs(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_stage(
                restApiId=inputs["restApi"], stageName=inputs["stageName"]
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class ApiKey(Adapter):
    type_token = "aws:apigateway/apiKey:ApiKey"
    autoname = ("name", 1024)
    handles = frozenset({"name", "description", "enabled", "value", "customerId", "tags"})
    replace_on = frozenset({"value"})

    def _outputs(self, ctx: Context, inputs: dict[str, Any], key: dict[str, Any]) -> dict:
        key_id = key.get("id", "")
        return {
            **inputs,
            "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/apikeys/{key_id}",
            "value": key.get("value", inputs.get("value")),
            "enabled": inputs.get("enabled", True),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"name": inputs["name"], "enabled": inputs.get("enabled", True)}
        for key in ("description", "value", "customerId"):
            if inputs.get(key):
                kwargs[key] = inputs[key]
        if inputs.get("tags"):
            kwargs["tags"] = dict(inputs["tags"])
        key = ctx.client("apigateway").create_api_key(**kwargs)
        return key["id"], self._outputs(ctx, inputs, key)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            key = ctx.client("apigateway").get_api_key(apiKey=id_)
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = {**inputs, "name": key.get("name")}
        if inputs.get("enabled") is not None:
            live["enabled"] = key.get("enabled")
        if inputs.get("description") is not None:
            live["description"] = key.get("description")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ops = [
            _patch(f"/{key}", new.get(key))
            for key in ("name", "description", "customerId")
            if old.get(key) != new.get(key)
        ]
        if old.get("enabled", True) != new.get("enabled", True):
            ops.append(_patch("/enabled", str(bool(new.get("enabled", True))).lower()))
        apigw = ctx.client("apigateway")
        if ops:
            apigw.update_api_key(apiKey=id_, patchOperations=ops)
        _sync_tags(apigw, f"arn:{ctx.partition}:apigateway:{ctx.region}::/apikeys/{id_}", old, new)
        return self._outputs(ctx, new, apigw.get_api_key(apiKey=id_, includeValue=True))

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_api_key(apiKey=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class UsagePlan(Adapter):
    type_token = "aws:apigateway/usagePlan:UsagePlan"
    autoname = ("name", 1024)
    handles = frozenset(
        {"name", "description", "apiStages", "quotaSettings", "throttleSettings", "tags"}
    )
    replace_on = frozenset({"apiStages", "quotaSettings", "throttleSettings"})

    @staticmethod
    def _stages(inputs: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"apiId": stage["apiId"], "stage": stage["stage"]}
            for stage in inputs.get("apiStages") or []
        ]

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"name": inputs["name"]}
        if inputs.get("description"):
            kwargs["description"] = inputs["description"]
        if inputs.get("apiStages"):
            kwargs["apiStages"] = self._stages(inputs)
        if inputs.get("quotaSettings"):
            quota = inputs["quotaSettings"]
            kwargs["quota"] = {
                "limit": int(quota["limit"]),
                "period": quota["period"],
                **({"offset": int(quota["offset"])} if quota.get("offset") else {}),
            }
        if inputs.get("throttleSettings"):
            throttle = inputs["throttleSettings"]
            kwargs["throttle"] = {
                k: (int(v) if k == "burstLimit" else float(v))
                for k, v in throttle.items()
                if v is not None
            }
        if inputs.get("tags"):
            kwargs["tags"] = dict(inputs["tags"])
        plan = ctx.client("apigateway").create_usage_plan(**kwargs)
        arn = f"arn:{ctx.partition}:apigateway:{ctx.region}::/usageplans/{plan['id']}"
        return plan["id"], {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            plan = ctx.client("apigateway").get_usage_plan(usagePlanId=id_)
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = {**inputs, "name": plan.get("name")}
        if inputs.get("description") is not None:
            live["description"] = plan.get("description")
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ops = [
            _patch(f"/{key}", new.get(key))
            for key in ("name", "description")
            if old.get(key) != new.get(key)
        ]
        apigw = ctx.client("apigateway")
        if ops:
            apigw.update_usage_plan(usagePlanId=id_, patchOperations=ops)
        arn = f"arn:{ctx.partition}:apigateway:{ctx.region}::/usageplans/{id_}"
        _sync_tags(apigw, arn, old, new)
        return {**new, "arn": arn, "tagsAll": dict(new.get("tags") or {})}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_usage_plan(usagePlanId=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class UsagePlanKey(Adapter):
    type_token = "aws:apigateway/usagePlanKey:UsagePlanKey"
    handles = frozenset({"keyId", "keyType", "usagePlanId"})
    replace_on = handles

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        key = ctx.client("apigateway").create_usage_plan_key(
            usagePlanId=inputs["usagePlanId"], keyId=inputs["keyId"], keyType=inputs["keyType"]
        )
        return key["id"], {**inputs, "name": key.get("name", ""), "value": key.get("value", "")}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            ctx.client("apigateway").get_usage_plan_key(
                usagePlanId=inputs["usagePlanId"], keyId=id_
            )
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        return dict(inputs)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("apigateway").delete_usage_plan_key(
                usagePlanId=inputs["usagePlanId"], keyId=id_
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


ADAPTERS: list[type[Adapter]] = [
    RestApi,
    Resource,
    Method,
    Integration,
    Deployment,
    Stage,
    ApiKey,
    UsagePlan,
    UsagePlanKey,
]
