"""SNS: topics and subscriptions. To prove a page was sent, subscribe an SQS queue."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    canonical_json,
    not_found,
    same_document,
    tags_list,
)

TOPIC_ATTRIBUTES = {
    "displayName": "DisplayName",
    "policy": "Policy",
    "kmsMasterKeyId": "KmsMasterKeyId",
    "deliveryPolicy": "DeliveryPolicy",
}


class Topic(Adapter):
    type_token = "aws:sns/topic:Topic"
    replace_on = frozenset({"name", "namePrefix", "fifoTopic"})
    autoname = ("name", 256)
    handles = frozenset({"name", "namePrefix", "fifoTopic", "tags", *TOPIC_ATTRIBUTES})

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().check(ctx, name, inputs)
        if out.get("fifoTopic") and not out["name"].endswith(".fifo"):
            out["name"] += ".fifo"
        return out

    def _arn(self, ctx: Context, inputs: dict[str, Any]) -> str:
        return f"arn:{ctx.partition}:sns:{ctx.region}:{ctx.account_id}:{inputs['name']}"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "arn": self._arn(ctx, inputs), "tagsAll": dict(inputs.get("tags") or {})}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        # A policy may arrive as a dict (pulumi-aws accepts one); SNS takes the JSON text.
        attrs = {
            aws: inputs[k] if isinstance(inputs[k], str) else json.dumps(inputs[k])
            for k, aws in TOPIC_ATTRIBUTES.items()
            if inputs.get(k)
        }
        if inputs.get("fifoTopic"):
            attrs["FifoTopic"] = "true"
        kwargs: dict[str, Any] = {"Name": inputs["name"], "Attributes": attrs}
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        arn = ctx.client("sns").create_topic(**kwargs)["TopicArn"]
        return arn, {**self.plan(ctx, inputs), "arn": arn}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            attrs = ctx.client("sns").get_topic_attributes(TopicArn=id_)["Attributes"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        live = dict(inputs)
        for key, aws in TOPIC_ATTRIBUTES.items():
            if key in inputs and inputs[key] is not None:
                value = attrs.get(aws)
                same = key == "policy" and canonical_json(value) == canonical_json(inputs[key])
                live[key] = inputs[key] if same else value
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        sns = ctx.client("sns")
        for key, aws in TOPIC_ATTRIBUTES.items():
            if old.get(key) != new.get(key) and new.get(key) is not None:
                value = new[key] if isinstance(new[key], str) else json.dumps(new[key])
                sns.set_topic_attributes(TopicArn=id_, AttributeName=aws, AttributeValue=value)
        if old.get("tags") != new.get("tags"):
            removed = [k for k in (old.get("tags") or {}) if k not in (new.get("tags") or {})]
            if removed:
                sns.untag_resource(ResourceArn=id_, TagKeys=removed)
            if new.get("tags"):
                sns.tag_resource(ResourceArn=id_, Tags=tags_list(new["tags"]))
        return {**self.plan(ctx, new), "arn": id_}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("sns").delete_topic(TopicArn=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


class TopicSubscription(Adapter):
    type_token = "aws:sns/topicSubscription:TopicSubscription"
    replace_on = frozenset({"topic", "protocol", "endpoint"})
    handles = frozenset(
        {"topic", "protocol", "endpoint", "rawMessageDelivery", "filterPolicy", "redrivePolicy"}
    )
    ATTRIBUTES = {
        "rawMessageDelivery": "RawMessageDelivery",
        "filterPolicy": "FilterPolicy",
        "redrivePolicy": "RedrivePolicy",
    }

    def _attributes(self, inputs: dict[str, Any]) -> dict[str, str]:
        attrs = {}
        for key, aws in self.ATTRIBUTES.items():
            value = inputs.get(key)
            if value is None or value == "":
                continue
            attrs[aws] = str(value).lower() if isinstance(value, bool) else str(value)
        return attrs

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = ctx.client("sns").subscribe(
            TopicArn=inputs["topic"],
            Protocol=inputs["protocol"],
            Endpoint=inputs["endpoint"],
            Attributes=self._attributes(inputs),
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return arn, {**inputs, "arn": arn}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            attrs = ctx.client("sns").get_subscription_attributes(SubscriptionArn=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        live = dict(inputs)
        attrs = attrs["Attributes"]
        if "rawMessageDelivery" in inputs:
            live["rawMessageDelivery"] = attrs.get("RawMessageDelivery", "false") == "true"
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        for aws, value in self._attributes(new).items():
            ctx.client("sns").set_subscription_attributes(
                SubscriptionArn=id_, AttributeName=aws, AttributeValue=value
            )
        return {**new, "arn": id_}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("sns").unsubscribe(SubscriptionArn=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


class TopicPolicy(Adapter):
    """A topic's access policy as its own resource; id = the topic ARN."""

    type_token = "aws:sns/topicPolicy:TopicPolicy"
    replace_on = frozenset({"arn"})
    handles = frozenset({"arn", "policy"})

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        policy = inputs["policy"]
        ctx.client("sns").set_topic_attributes(
            TopicArn=inputs["arn"],
            AttributeName="Policy",
            AttributeValue=policy if isinstance(policy, str) else json.dumps(policy),
        )

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return inputs["arn"], {**inputs, "owner": ctx.account_id}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            attrs = ctx.client("sns").get_topic_attributes(TopicArn=id_)["Attributes"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        return {**inputs, "policy": same_document(attrs.get("Policy"), inputs.get("policy"))}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)
        return {**new, "owner": ctx.account_id}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        # A topic always has a policy: the provider puts back the default one, and so do we.
        default = {
            "Version": "2008-10-17",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                               "SNS:AddPermission", "SNS:RemovePermission",
                               "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic",
                               "SNS:Publish"],
                    "Resource": id_,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": ctx.account_id}},
                }
            ],
        }  # fmt: skip
        try:
            ctx.client("sns").set_topic_attributes(
                TopicArn=id_, AttributeName="Policy", AttributeValue=json.dumps(default)
            )
        except ClientError as exc:
            if not not_found(exc):
                raise


ADAPTERS: list[type[Adapter]] = [Topic, TopicSubscription, TopicPolicy]
