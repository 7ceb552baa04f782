"""KMS: customer managed keys and aliases. Keys are regional: a key lives in its
provider's region and encrypts only there (a bucket or a secret replica in another
region needs a key of its own there).

Deleting a key schedules its deletion, as the provider does (``deletion_window_in_days``,
7-30, default 30); a key pending deletion counts as gone.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    auto_name,
    canonical_json,
    error_code,
    not_found,
    same_document,
)

GONE_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()]


class Key(Adapter):
    type_token = "aws:kms/key:Key"
    replace_on = frozenset(
        {"customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"}
    )
    # Write-only in the provider: used when scheduling deletion / creating, never read back.
    unreadable = frozenset({"deletionWindowInDays", "bypassPolicyLockoutSafetyCheck"})
    handles = frozenset(
        {
            "keyUsage",
            "customerMasterKeySpec",
            "description",
            "policy",
            "bypassPolicyLockoutSafetyCheck",
            "multiRegion",
            "tags",
            "enableKeyRotation",
            "rotationPeriodInDays",
            "isEnabled",
            "deletionWindowInDays",
        }
    )

    def _outputs(self, ctx: Context, inputs: dict[str, Any], meta: dict[str, Any]) -> dict:
        return {
            **inputs,
            "arn": meta["Arn"],
            "keyId": meta["KeyId"],
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        # The key id is chosen by KMS: arn and keyId stay unknown until the key exists.
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kms = ctx.client("kms")
        kwargs: dict[str, Any] = {
            "KeyUsage": inputs.get("keyUsage") or "ENCRYPT_DECRYPT",
            "KeySpec": inputs.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT",
        }
        if inputs.get("description"):
            kwargs["Description"] = inputs["description"]
        if inputs.get("policy"):
            kwargs["Policy"] = inputs["policy"]
        if inputs.get("bypassPolicyLockoutSafetyCheck"):
            kwargs["BypassPolicyLockoutSafetyCheck"] = True
        if inputs.get("multiRegion"):
            kwargs["MultiRegion"] = True
        if inputs.get("tags"):
            kwargs["Tags"] = _tags(inputs["tags"])
        meta = kms.create_key(**kwargs)["KeyMetadata"]
        key_id = meta["KeyId"]
        if inputs.get("enableKeyRotation"):
            self._rotation(kms, key_id, inputs)
        if inputs.get("isEnabled") is False:
            kms.disable_key(KeyId=key_id)
        return key_id, self._outputs(ctx, inputs, meta)

    def _rotation(self, kms: Any, key_id: str, inputs: dict[str, Any]) -> None:
        if inputs.get("enableKeyRotation"):
            kwargs: dict[str, Any] = {"KeyId": key_id}
            if inputs.get("rotationPeriodInDays"):
                kwargs["RotationPeriodInDays"] = int(inputs["rotationPeriodInDays"])
            kms.enable_key_rotation(**kwargs)
        else:
            kms.disable_key_rotation(KeyId=key_id)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        kms = ctx.client("kms")
        try:
            meta = kms.describe_key(KeyId=id_)["KeyMetadata"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        if meta.get("KeyState") in GONE_STATES:
            return None  # the provider drops a key scheduled for deletion from state
        live = dict(inputs)
        if "description" in inputs:
            live["description"] = meta.get("Description", "")
        if "isEnabled" in inputs:
            live["isEnabled"] = bool(meta.get("Enabled"))
        if "enableKeyRotation" in inputs:
            live["enableKeyRotation"] = bool(
                kms.get_key_rotation_status(KeyId=id_).get("KeyRotationEnabled")
            )
        if inputs.get("policy"):
            policy = kms.get_key_policy(KeyId=id_, PolicyName="default")["Policy"]
            live["policy"] = same_document(policy, inputs["policy"])
        tags = {
            t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=id_).get("Tags", [])
        }
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        kms = ctx.client("kms")
        if old.get("description") != new.get("description"):
            kms.update_key_description(KeyId=id_, Description=new.get("description") or "")
        if new.get("policy") and canonical_json(old.get("policy")) != canonical_json(new["policy"]):
            kms.put_key_policy(KeyId=id_, PolicyName="default", Policy=new["policy"])
        if bool(old.get("enableKeyRotation")) != bool(new.get("enableKeyRotation")) or (
            old.get("rotationPeriodInDays") != new.get("rotationPeriodInDays")
        ):
            self._rotation(kms, id_, new)
        if old.get("isEnabled", True) is not new.get("isEnabled", True):
            if new.get("isEnabled", True):
                kms.enable_key(KeyId=id_)
            else:
                kms.disable_key(KeyId=id_)
        old_tags, new_tags = old.get("tags") or {}, new.get("tags") or {}
        if old_tags != new_tags:
            removed = [k for k in old_tags if k not in new_tags]
            if removed:
                kms.untag_resource(KeyId=id_, TagKeys=removed)
            if new_tags:
                kms.tag_resource(KeyId=id_, Tags=_tags(new_tags))
        meta = kms.describe_key(KeyId=id_)["KeyMetadata"]
        return self._outputs(ctx, new, meta)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        days = int(inputs.get("deletionWindowInDays") or 30)
        try:
            ctx.client("kms").schedule_key_deletion(KeyId=id_, PendingWindowInDays=days)
        except ClientError as exc:
            # Already pending deletion (KMSInvalidStateException) is what we want.
            if not (not_found(exc) or error_code(exc) == "KMSInvalidStateException"):
                raise


class Alias(Adapter):
    """``alias/<name>`` for a key; id = the alias name."""

    type_token = "aws:kms/alias:Alias"
    replace_on = frozenset({"name", "namePrefix"})
    handles = frozenset({"name", "namePrefix", "targetKeyId"})

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        if not out.get("name"):
            prefix = out.get("namePrefix") or f"alias/{name}-"
            out["name"] = auto_name(prefix, ctx.seed, 256, sep="")
        return out

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account_id}:{inputs['name']}"
        return {**inputs, "arn": arn}

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def _target_arn(self, ctx: Context, target: str) -> str:
        return ctx.client("kms").describe_key(KeyId=target)["KeyMetadata"]["Arn"]

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ctx.client("kms").create_alias(AliasName=inputs["name"], TargetKeyId=inputs["targetKeyId"])
        out = self._outputs(ctx, inputs)
        out["targetKeyArn"] = self._target_arn(ctx, inputs["targetKeyId"])
        return inputs["name"], out

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        kms = ctx.client("kms")
        for page in kms.get_paginator("list_aliases").paginate():
            for alias in page["Aliases"]:
                if alias["AliasName"] == id_:
                    live = dict(inputs)
                    target = alias.get("TargetKeyId", "")
                    wanted = str(inputs.get("targetKeyId") or "")
                    # The program may name the key by id or ARN; KMS answers with the id.
                    if wanted.endswith(f"key/{target}") or wanted == target:
                        target = wanted
                    live["targetKeyId"] = target
                    return live
        return None

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ctx.client("kms").update_alias(AliasName=id_, TargetKeyId=new["targetKeyId"])
        out = self._outputs(ctx, new)
        out["targetKeyArn"] = self._target_arn(ctx, new["targetKeyId"])
        return out

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("kms").delete_alias(AliasName=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


class KeyPolicy(Adapter):
    """A key's policy as a resource of its own (``aws.kms.KeyPolicy``); id = the key id.

    A key always has a policy: deleting this resource puts back the default one (the
    account may use the key through IAM), as the provider does."""

    type_token = "aws:kms/keyPolicy:KeyPolicy"
    replace_on = frozenset({"keyId"})
    unreadable = frozenset({"bypassPolicyLockoutSafetyCheck"})
    handles = frozenset({"keyId", "policy", "bypassPolicyLockoutSafetyCheck"})

    def _put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {
            "KeyId": inputs["keyId"],
            "PolicyName": "default",
            "Policy": inputs["policy"],
        }
        if inputs.get("bypassPolicyLockoutSafetyCheck"):
            kwargs["BypassPolicyLockoutSafetyCheck"] = True
        ctx.client("kms").put_key_policy(**kwargs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(ctx, inputs)
        return str(inputs["keyId"]), dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        kms = ctx.client("kms")
        try:
            if kms.describe_key(KeyId=id_)["KeyMetadata"].get("KeyState") in GONE_STATES:
                return None
            policy = kms.get_key_policy(KeyId=id_, PolicyName="default")["Policy"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        return {**inputs, "policy": same_document(policy, inputs.get("policy"))}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(ctx, new)
        return dict(new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        default = {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{ctx.partition}:iam::{ctx.account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
        try:
            self._put(ctx, {"keyId": id_, "policy": json.dumps(default)})
        except ClientError as exc:
            # A key already gone or pending deletion has nothing to put back.
            if not (not_found(exc) or error_code(exc) == "KMSInvalidStateException"):
                raise


ADAPTERS: list[type[Adapter]] = [Key, Alias, KeyPolicy]
