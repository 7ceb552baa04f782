"""SSM Parameter Store: parameters (String, StringList, SecureString).

The provider reads a SecureString decrypted, so its ``value`` is compared like any
other (the SDK already unwrapped the secret). Only the inputs the program gives are
read back (``keyId``, ``tier``, … have AWS defaults the program need not spell).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found, tags_dict, tags_list

# pulumi input -> PutParameter / DescribeParameters field
FIELDS = {
    "type": "Type",
    "description": "Description",
    "tier": "Tier",
    "keyId": "KeyId",
    "allowedPattern": "AllowedPattern",
    "dataType": "DataType",
}


def parameter_arn(ctx: Context, name: str) -> str:
    return f"arn:{ctx.partition}:ssm:{ctx.region}:{ctx.account_id}:parameter/{name.lstrip('/')}"


class Parameter(Adapter):
    type_token = "aws:ssm/parameter:Parameter"
    replace_on = frozenset({"name"})
    autoname = ("name", 2048)
    handles = frozenset({"name", "value", "insecureValue", "tags", "overwrite", *FIELDS})

    def _value(self, inputs: dict[str, Any]) -> str:
        value = inputs.get("value")
        if value is None:
            value = inputs.get("insecureValue")
        return str(value) if value is not None else ""

    def _outputs(self, ctx: Context, inputs: dict[str, Any], version: int) -> dict[str, Any]:
        return {
            **inputs,
            "arn": parameter_arn(ctx, inputs["name"]),
            "version": version,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "arn": parameter_arn(ctx, inputs["name"])}

    def _put(self, ctx: Context, inputs: dict[str, Any], overwrite: bool) -> int:
        kwargs: dict[str, Any] = {
            "Name": inputs["name"],
            "Value": self._value(inputs),
            "Type": inputs.get("type") or "String",
        }
        for key, aws in FIELDS.items():
            if key != "type" and inputs.get(key):
                kwargs[aws] = inputs[key]
        if overwrite:
            kwargs["Overwrite"] = True  # AWS refuses tags together with Overwrite
        elif inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        return int(ctx.client("ssm").put_parameter(**kwargs)["Version"])

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        version = self._put(ctx, inputs, overwrite=bool(inputs.get("overwrite")))
        if inputs.get("overwrite") and inputs.get("tags"):
            ctx.client("ssm").add_tags_to_resource(
                ResourceType="Parameter", ResourceId=inputs["name"], Tags=tags_list(inputs["tags"])
            )
        return inputs["name"], self._outputs(ctx, inputs, version)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        ssm = ctx.client("ssm")
        try:
            param = ssm.get_parameter(Name=id_, WithDecryption=True)["Parameter"]
        except ClientError as exc:
            if not_found(exc, "ParameterNotFound"):
                return None
            raise
        described = ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [id_]}]
        )["Parameters"]
        meta = {**(described[0] if described else {}), **param}
        live = dict(inputs)
        live["name"] = param["Name"]
        value_key = "value" if inputs.get("value") is not None else "insecureValue"
        if value_key in inputs:
            live[value_key] = param.get("Value")
        for key, aws in FIELDS.items():
            if key in inputs and inputs[key] is not None:
                live[key] = meta.get(aws)
        tags = tags_dict(
            ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=id_).get("TagList")
        )
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ssm = ctx.client("ssm")
        settings = ("value", "insecureValue", *FIELDS)
        if any(old.get(k) != new.get(k) for k in settings):
            version = self._put(ctx, new, overwrite=True)
        else:
            version = int(ssm.get_parameter(Name=id_)["Parameter"]["Version"])
        live_tags = tags_dict(
            ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=id_).get("TagList")
        )
        wanted = dict(new.get("tags") or {})
        if removed := [k for k in live_tags if k not in wanted]:
            ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=id_, TagKeys=removed)
        if changed := {k: v for k, v in wanted.items() if live_tags.get(k) != v}:
            ssm.add_tags_to_resource(
                ResourceType="Parameter", ResourceId=id_, Tags=tags_list(changed)
            )
        return self._outputs(ctx, new, version)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ssm").delete_parameter(Name=id_)
        except ClientError as exc:
            if not not_found(exc, "ParameterNotFound"):
                raise


ADAPTERS: list[type[Adapter]] = [Parameter]
