"""SQS: queues. Attributes map 1:1 to the provider's queue arguments."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, canonical_json, not_found, same_document

# pulumi input -> SQS attribute name
ATTRIBUTES = {
    "delaySeconds": "DelaySeconds",
    "maxMessageSize": "MaximumMessageSize",
    "messageRetentionSeconds": "MessageRetentionPeriod",
    "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "visibilityTimeoutSeconds": "VisibilityTimeout",
    "policy": "Policy",
    "redrivePolicy": "RedrivePolicy",
    "kmsMasterKeyId": "KmsMasterKeyId",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
    "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    "fifoQueue": "FifoQueue",
    "contentBasedDeduplication": "ContentBasedDeduplication",
    "deduplicationScope": "DeduplicationScope",
    "fifoThroughputLimit": "FifoThroughputLimit",
    "redriveAllowPolicy": "RedriveAllowPolicy",
}
JSON_ATTRIBUTES = {"policy", "redrivePolicy", "redriveAllowPolicy"}


class Queue(Adapter):
    type_token = "aws:sqs/queue:Queue"
    replace_on = frozenset({"name", "namePrefix", "fifoQueue"})
    autoname = ("name", 80)
    handles = frozenset({"name", "namePrefix", "tags", *ATTRIBUTES})
    # moto 5.2.5 stores RedriveAllowPolicy but GetQueueAttributes refuses to name it
    # (InvalidAttributeName): it is applied, and cannot be read back for drift.
    unreadable = frozenset({"redriveAllowPolicy"})

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().check(ctx, name, inputs)
        if out.get("fifoQueue") and not out["name"].endswith(".fifo"):
            out["name"] += ".fifo"
        return out

    def _attributes(self, inputs: dict[str, Any]) -> dict[str, str]:
        attrs = {}
        for key, aws in ATTRIBUTES.items():
            if inputs.get(key) is None or inputs.get(key) == "":
                continue
            value = inputs[key]
            if key in JSON_ATTRIBUTES and not isinstance(value, str):
                value = json.dumps(value)  # pulumi-aws takes a dict here too
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # the SDK sends every number as a float; SQS wants "45"
            attrs[aws] = str(value).lower() if isinstance(value, bool) else str(value)
        return attrs

    def _outputs(self, ctx: Context, inputs: dict[str, Any], url: str) -> dict[str, Any]:
        return {
            **inputs,
            "arn": f"arn:{ctx.partition}:sqs:{ctx.region}:{ctx.account_id}:{inputs['name']}",
            "url": url,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        out = self._outputs(ctx, inputs, "")
        out.pop("url")  # the emulator's endpoint is part of it: unknown until created
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "QueueName": inputs["name"],
            "Attributes": self._attributes(inputs),
        }
        if inputs.get("tags"):
            kwargs["tags"] = dict(inputs["tags"])
        url = ctx.client("sqs").create_queue(**kwargs)["QueueUrl"]
        return url, self._outputs(ctx, inputs, url)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        sqs = ctx.client("sqs")
        try:
            attrs = sqs.get_queue_attributes(QueueUrl=id_, AttributeNames=["All"])["Attributes"]
            tags = sqs.list_queue_tags(QueueUrl=id_).get("Tags", {})
        except ClientError as exc:
            if not_found(exc, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                return None
            raise
        live = dict(inputs)
        for key, aws in ATTRIBUTES.items():
            if key not in inputs or inputs[key] is None or key in self.unreadable:
                continue
            value: Any = attrs.get(aws)
            wanted = inputs[key]
            if key in JSON_ATTRIBUTES:
                live[key] = wanted if canonical_json(value) == canonical_json(wanted) else value
            elif isinstance(wanted, bool):
                live[key] = str(value).lower() == "true"
            elif isinstance(wanted, int | float):
                live[key] = type(wanted)(value) if value is not None else None
            else:
                live[key] = value
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        sqs = ctx.client("sqs")
        attrs = self._attributes(new)
        if attrs:
            sqs.set_queue_attributes(QueueUrl=id_, Attributes=attrs)
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            sqs.untag_queue(QueueUrl=id_, TagKeys=removed)
        if new_tags:
            sqs.tag_queue(QueueUrl=id_, Tags=new_tags)
        return self._outputs(ctx, new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("sqs").delete_queue(QueueUrl=id_)
        except ClientError as exc:
            if not not_found(exc, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                raise


class QueuePolicy(Adapter):
    """A queue's access policy as its own resource; id = the queue URL."""

    type_token = "aws:sqs/queuePolicy:QueuePolicy"
    replace_on = frozenset({"queueUrl"})
    handles = frozenset({"queueUrl", "policy"})

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        policy = inputs["policy"]
        ctx.client("sqs").set_queue_attributes(
            QueueUrl=inputs["queueUrl"],
            Attributes={"Policy": policy if isinstance(policy, str) else json.dumps(policy)},
        )

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return inputs["queueUrl"], dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            attrs = ctx.client("sqs").get_queue_attributes(QueueUrl=id_, AttributeNames=["Policy"])
        except ClientError as exc:
            if not_found(exc, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                return None
            raise
        live = attrs.get("Attributes", {}).get("Policy")
        if not live:
            return None
        return {**inputs, "policy": same_document(live, inputs.get("policy"))}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)
        return dict(new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("sqs").set_queue_attributes(QueueUrl=id_, Attributes={"Policy": ""})
        except ClientError as exc:
            if not not_found(exc, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                raise


ADAPTERS: list[type[Adapter]] = [Queue, QueuePolicy]
