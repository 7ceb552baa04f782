"""DynamoDB: tables (keys, indexes, billing, streams, TTL, point-in-time recovery, SSE).

A change to the key schema or an index replaces the table (the provider updates
indexes in place; the emulator's data would not survive either way in a kata run).
Global tables (``replicas``) are not implemented by moto, so they are refused.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, normalize, not_found, tags_dict, tags_list


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _throughput(block: dict[str, Any], billing: str) -> dict[str, Any]:
    if billing == "PAY_PER_REQUEST":
        return {}
    return {
        "ProvisionedThroughput": {
            "ReadCapacityUnits": int(block.get("readCapacity") or 1),
            "WriteCapacityUnits": int(block.get("writeCapacity") or 1),
        }
    }


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.get("projectionType") or "ALL"}
    if index.get("nonKeyAttributes"):
        projection["NonKeyAttributes"] = list(index["nonKeyAttributes"])
    return projection


class Table(Adapter):
    type_token = "aws:dynamodb/table:Table"
    replace_on = frozenset(
        {"name", "hashKey", "rangeKey", "attributes", "localSecondaryIndexes",
         "globalSecondaryIndexes"}
    )  # fmt: skip
    autoname = ("name", 255)
    handles = frozenset(
        {
            "name",
            "attributes",
            "hashKey",
            "rangeKey",
            "billingMode",
            "readCapacity",
            "writeCapacity",
            "globalSecondaryIndexes",
            "localSecondaryIndexes",
            "streamEnabled",
            "streamViewType",
            "serverSideEncryption",
            "tableClass",
            "tags",
            "ttl",
            "pointInTimeRecovery",
            "deletionProtectionEnabled",
        }
    )

    def _billing(self, inputs: dict[str, Any]) -> str:
        return inputs.get("billingMode") or "PROVISIONED"

    def _arn(self, ctx: Context, name: str) -> str:
        return f"arn:{ctx.partition}:dynamodb:{ctx.region}:{ctx.account_id}:table/{name}"

    def _outputs(self, ctx: Context, inputs: dict[str, Any], table: dict[str, Any]) -> dict:
        return {
            **inputs,
            "arn": table.get("TableArn") or self._arn(ctx, inputs["name"]),
            "billingMode": self._billing(inputs),
            "streamArn": table.get("LatestStreamArn", ""),
            "streamLabel": table.get("LatestStreamLabel", ""),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        out = self._outputs(ctx, inputs, {})
        for key in ("streamArn", "streamLabel"):
            out.pop(key)  # DynamoDB names the stream: unknown until it exists
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ddb = ctx.client("dynamodb")
        billing = self._billing(inputs)
        kwargs: dict[str, Any] = {
            "TableName": inputs["name"],
            "AttributeDefinitions": [
                {"AttributeName": a["name"], "AttributeType": a["type"]}
                for a in inputs.get("attributes") or []
            ],
            "KeySchema": _key_schema(inputs["hashKey"], inputs.get("rangeKey")),
            "BillingMode": billing,
            **_throughput(inputs, billing),
        }
        if inputs.get("globalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": g["name"],
                    "KeySchema": _key_schema(g["hashKey"], g.get("rangeKey")),
                    "Projection": _projection(g),
                    **_throughput(g, billing),
                }
                for g in inputs["globalSecondaryIndexes"]
            ]
        if inputs.get("localSecondaryIndexes"):
            kwargs["LocalSecondaryIndexes"] = [
                {
                    "IndexName": ix["name"],
                    "KeySchema": _key_schema(inputs["hashKey"], ix["rangeKey"]),
                    "Projection": _projection(ix),
                }
                for ix in inputs["localSecondaryIndexes"]
            ]
        if inputs.get("streamEnabled"):
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": inputs.get("streamViewType") or "NEW_AND_OLD_IMAGES",
            }
        if (inputs.get("serverSideEncryption") or {}).get("enabled"):
            sse: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
            if inputs["serverSideEncryption"].get("kmsKeyArn"):
                sse["KMSMasterKeyId"] = inputs["serverSideEncryption"]["kmsKeyArn"]
            kwargs["SSESpecification"] = sse
        if inputs.get("tableClass"):
            kwargs["TableClass"] = inputs["tableClass"]
        if inputs.get("deletionProtectionEnabled"):
            kwargs["DeletionProtectionEnabled"] = True
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        table = ddb.create_table(**kwargs)["TableDescription"]
        self._ttl_and_recovery(ctx, inputs, {})
        return inputs["name"], self._outputs(ctx, inputs, table)

    def _ttl_and_recovery(self, ctx: Context, new: dict[str, Any], old: dict[str, Any]) -> None:
        ddb = ctx.client("dynamodb")
        name = new["name"]
        ttl, old_ttl = new.get("ttl") or {}, old.get("ttl") or {}
        if normalize(ttl) != normalize(old_ttl) and (ttl.get("enabled") or old_ttl.get("enabled")):
            attribute = ttl.get("attributeName") or old_ttl.get("attributeName")
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "Enabled": bool(ttl.get("enabled")),
                    "AttributeName": attribute,
                },
            )
        pitr, old_pitr = new.get("pointInTimeRecovery") or {}, old.get("pointInTimeRecovery") or {}
        if bool(pitr.get("enabled")) != bool(old_pitr.get("enabled")):
            ddb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={
                    "PointInTimeRecoveryEnabled": bool(pitr.get("enabled"))
                },
            )

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        ddb = ctx.client("dynamodb")
        try:
            table = ddb.describe_table(TableName=id_)["Table"]
        except ClientError as exc:
            if not_found(exc, "ResourceNotFoundException"):
                return None
            raise
        live = dict(inputs)
        live["billingMode"] = (table.get("BillingModeSummary") or {}).get(
            "BillingMode", "PROVISIONED"
        )
        if not inputs.get("billingMode") and live["billingMode"] == "PROVISIONED":
            live["billingMode"] = inputs.get("billingMode")
        if live["billingMode"] != "PAY_PER_REQUEST":
            throughput = table.get("ProvisionedThroughput") or {}
            for key, aws in (
                ("readCapacity", "ReadCapacityUnits"),
                ("writeCapacity", "WriteCapacityUnits"),
            ):
                if inputs.get(key) is not None:
                    live[key] = type(inputs[key])(throughput.get(aws, 0))
        stream = table.get("StreamSpecification") or {}
        if inputs.get("streamEnabled") is not None or stream.get("StreamEnabled"):
            live["streamEnabled"] = bool(stream.get("StreamEnabled"))
        if inputs.get("ttl"):
            desc = ddb.describe_time_to_live(TableName=id_)["TimeToLiveDescription"]
            enabled = desc.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            live["ttl"] = {**inputs["ttl"], "enabled": enabled}
            if enabled:
                live["ttl"]["attributeName"] = desc.get("AttributeName")
        if inputs.get("pointInTimeRecovery"):
            backups = ddb.describe_continuous_backups(TableName=id_)["ContinuousBackupsDescription"]
            status = (backups.get("PointInTimeRecoveryDescription") or {}).get(
                "PointInTimeRecoveryStatus"
            )
            live["pointInTimeRecovery"] = {
                **inputs["pointInTimeRecovery"],
                "enabled": status == "ENABLED",
            }
        tags = tags_dict(ddb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags"))
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ddb = ctx.client("dynamodb")
        kwargs: dict[str, Any] = {}
        billing = self._billing(new)
        if billing != self._billing(old) or any(
            old.get(k) != new.get(k) for k in ("readCapacity", "writeCapacity")
        ):
            kwargs["BillingMode"] = billing
            kwargs.update(_throughput(new, billing))
        if bool(old.get("streamEnabled")) != bool(new.get("streamEnabled")) or (
            new.get("streamEnabled") and old.get("streamViewType") != new.get("streamViewType")
        ):
            spec: dict[str, Any] = {"StreamEnabled": bool(new.get("streamEnabled"))}
            if new.get("streamEnabled"):
                spec["StreamViewType"] = new.get("streamViewType") or "NEW_AND_OLD_IMAGES"
            kwargs["StreamSpecification"] = spec
        if bool(old.get("deletionProtectionEnabled")) != bool(new.get("deletionProtectionEnabled")):
            kwargs["DeletionProtectionEnabled"] = bool(new.get("deletionProtectionEnabled"))
        if old.get("tableClass") != new.get("tableClass") and new.get("tableClass"):
            kwargs["TableClass"] = new["tableClass"]
        if normalize(old.get("serverSideEncryption")) != normalize(new.get("serverSideEncryption")):
            sse = new.get("serverSideEncryption") or {}
            kwargs["SSESpecification"] = {"Enabled": bool(sse.get("enabled"))}
            if sse.get("enabled"):
                kwargs["SSESpecification"]["SSEType"] = "KMS"
                if sse.get("kmsKeyArn"):
                    kwargs["SSESpecification"]["KMSMasterKeyId"] = sse["kmsKeyArn"]
        table: dict[str, Any] = {}
        if kwargs:
            table = ddb.update_table(TableName=id_, **kwargs)["TableDescription"]
        self._ttl_and_recovery(ctx, new, old)
        arn = self._arn(ctx, id_)
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            ddb.untag_resource(ResourceArn=arn, TagKeys=removed)
        if new_tags and new_tags != old_tags:
            ddb.tag_resource(ResourceArn=arn, Tags=tags_list(new_tags))
        if not table:
            table = ddb.describe_table(TableName=id_)["Table"]
        return self._outputs(ctx, new, table)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("dynamodb").delete_table(TableName=id_)
        except ClientError as exc:
            if not not_found(exc, "ResourceNotFoundException"):
                raise


ADAPTERS: list[type[Adapter]] = [Table]
