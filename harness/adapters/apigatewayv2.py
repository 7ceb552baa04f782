"""API Gateway v2 (HTTP and WebSocket APIs): APIs, stages, routes and integrations.
moto stores them; it does not serve requests.

Each resource maps its provider inputs one to one onto the API's parameters
(``FIELDS``), so create and update send the same set and read compares it back.
"""

from __future__ import annotations

from typing import Any, ClassVar

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, covers, not_found, pascal_keys

_GONE = ("NotFoundException",)


class _V2(Adapter):
    """The shape the four share: FIELDS (input -> parameter), an id, get/update/delete."""

    FIELDS: ClassVar[dict[str, str]]
    noun: ClassVar[str]  # "api", "stage", "route", "integration": the boto3 verb's object
    id_param: ClassVar[str]  # "ApiId", "StageName", "RouteId", "IntegrationId"

    # Maps whose keys are the user's own (variables, headers, tags): kept as given.
    MAPS: ClassVar[frozenset[str]] = frozenset(
        {"requestParameters", "requestTemplates", "requestModels", "stageVariables", "tags"}
    )

    def params(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, api in self.FIELDS.items():
            if inputs.get(key) is not None:
                value = inputs[key]
                out[api] = value if key in self.MAPS else pascal_keys(value)
        return out

    def outputs(self, ctx: Context, inputs: dict[str, Any], live: dict[str, Any]) -> dict:
        return dict(inputs)

    def _owner(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"ApiId": inputs["apiId"]} if "apiId" in inputs else {}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        live = getattr(ctx.client("apigatewayv2"), f"create_{self.noun}")(
            **self._owner(inputs), **self.params(inputs)
        )
        return live[self.id_param], self.outputs(ctx, inputs, live)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            live = getattr(ctx.client("apigatewayv2"), f"get_{self.noun}")(
                **self._owner(inputs), **{self.id_param: id_}
            )
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        out = dict(inputs)
        for key, api in self.FIELDS.items():
            if inputs.get(key) is not None and api in live and key != "tags":
                wanted = self.params({key: inputs[key]})[api]
                out[key] = inputs[key] if covers(live[api], wanted) else live[api]
        return out

    # Parameters the update call does not take (they replace, or go by tag calls).
    NOT_UPDATED: ClassVar[frozenset[str]] = frozenset({"Tags"})

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        params = {k: v for k, v in self.params(new).items() if k not in self.NOT_UPDATED}
        live = getattr(ctx.client("apigatewayv2"), f"update_{self.noun}")(
            **self._owner(new), **{self.id_param: id_}, **params
        )
        self.sync_tags(ctx, id_, old, new)
        return self.outputs(ctx, new, live)

    def sync_tags(self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if old_tags == new_tags:
            return
        arn = self.outputs(ctx, {**new, "ApiId": id_}, {"ApiId": id_})["arn"]
        client = ctx.client("apigatewayv2")
        if removed := [k for k in old_tags if k not in new_tags]:
            client.untag_resource(ResourceArn=arn, TagKeys=removed)
        if new_tags:
            client.tag_resource(ResourceArn=arn, Tags=new_tags)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            getattr(ctx.client("apigatewayv2"), f"delete_{self.noun}")(
                **self._owner(inputs), **{self.id_param: id_}
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


class Api(_V2):
    type_token = "aws:apigatewayv2/api:Api"
    noun, id_param = "api", "ApiId"
    replace_on = frozenset({"protocolType"})
    autoname = ("name", 128)
    FIELDS = {
        "name": "Name",
        "protocolType": "ProtocolType",
        "description": "Description",
        "corsConfiguration": "CorsConfiguration",
        "routeSelectionExpression": "RouteSelectionExpression",
        "apiKeySelectionExpression": "ApiKeySelectionExpression",
        "disableExecuteApiEndpoint": "DisableExecuteApiEndpoint",
        "version": "Version",
        "routeKey": "RouteKey",
        "target": "Target",
        "credentialsArn": "CredentialsArn",
        "tags": "Tags",
    }
    handles = frozenset(FIELDS)
    NOT_UPDATED = frozenset({"Tags", "ProtocolType"})

    def _owner(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return {}

    def outputs(self, ctx: Context, inputs: dict[str, Any], live: dict[str, Any]) -> dict:
        api_id = live.get("ApiId", "")
        execute = f"arn:{ctx.partition}:execute-api:{ctx.region}:{ctx.account_id}:{api_id}"
        return {
            **inputs,
            "apiEndpoint": live.get("ApiEndpoint", ""),
            "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{api_id}",
            "executionArn": execute,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}


class Stage(_V2):
    type_token = "aws:apigatewayv2/stage:Stage"
    noun, id_param = "stage", "StageName"
    replace_on = frozenset({"apiId", "name"})
    autoname = ("name", 128)
    FIELDS = {
        "name": "StageName",
        "autoDeploy": "AutoDeploy",
        "deploymentId": "DeploymentId",
        "description": "Description",
        "stageVariables": "StageVariables",
        "defaultRouteSettings": "DefaultRouteSettings",
        "tags": "Tags",
    }
    handles = frozenset({"apiId", *FIELDS})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        super().create(ctx, inputs)
        return inputs["name"], self.outputs(ctx, inputs, {})

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        params = {k: v for k, v in self.params(new).items() if k not in ("Tags", "StageName")}
        ctx.client("apigatewayv2").update_stage(ApiId=new["apiId"], StageName=id_, **params)
        self.sync_tags(ctx, id_, old, new)
        return self.outputs(ctx, new, {})

    def outputs(self, ctx: Context, inputs: dict[str, Any], live: dict[str, Any]) -> dict:
        api = ctx.client("apigatewayv2").get_api(ApiId=inputs["apiId"])
        name = inputs["name"]
        url = f"{api.get('ApiEndpoint', '')}/{'' if name == '$default' else name}"
        execute = f"arn:{ctx.partition}:execute-api:{ctx.region}:{ctx.account_id}"
        api_arn = f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{inputs['apiId']}"
        return {
            **inputs,
            "invokeUrl": url,
            "executionArn": f"{execute}:{inputs['apiId']}/{name}",
            "arn": f"{api_arn}/stages/{name}",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}


class Route(_V2):
    type_token = "aws:apigatewayv2/route:Route"
    noun, id_param = "route", "RouteId"
    replace_on = frozenset({"apiId"})
    FIELDS = {
        "routeKey": "RouteKey",
        "target": "Target",
        "authorizationType": "AuthorizationType",
        "authorizerId": "AuthorizerId",
        "apiKeyRequired": "ApiKeyRequired",
        "operationName": "OperationName",
        "authorizationScopes": "AuthorizationScopes",
        "requestModels": "RequestModels",
        "routeResponseSelectionExpression": "RouteResponseSelectionExpression",
        "modelSelectionExpression": "ModelSelectionExpression",
    }
    handles = frozenset({"apiId", *FIELDS})


class Integration(_V2):
    type_token = "aws:apigatewayv2/integration:Integration"
    noun, id_param = "integration", "IntegrationId"
    replace_on = frozenset({"apiId", "integrationType"})
    FIELDS = {
        "integrationType": "IntegrationType",
        "integrationUri": "IntegrationUri",
        "integrationMethod": "IntegrationMethod",
        "integrationSubtype": "IntegrationSubtype",
        "payloadFormatVersion": "PayloadFormatVersion",
        "connectionType": "ConnectionType",
        "connectionId": "ConnectionId",
        "credentialsArn": "CredentialsArn",
        "description": "Description",
        "passthroughBehavior": "PassthroughBehavior",
        "timeoutMilliseconds": "TimeoutInMillis",
        "requestParameters": "RequestParameters",
        "requestTemplates": "RequestTemplates",
        "templateSelectionExpression": "TemplateSelectionExpression",
        "contentHandlingStrategy": "ContentHandlingStrategy",
    }
    handles = frozenset({"apiId", *FIELDS})

    def params(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().params(inputs)
        if "TimeoutInMillis" in out:
            out["TimeoutInMillis"] = int(out["TimeoutInMillis"])
        return out


ADAPTERS: list[type[Adapter]] = [Api, Stage, Route, Integration]
