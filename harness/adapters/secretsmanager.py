"""Secrets Manager: secrets (with cross-region replicas) and their versions.

A secret's ``replicas`` are read-only copies Secrets Manager keeps in other regions,
each encrypted with a key of its region; moto creates them (status InSync) and serves
the primary's value from them, which is what AWS does within seconds. A replica can
be promoted to a standalone secret (StopReplicationToReplica) if the primary region
is lost.

Deleting a secret schedules its deletion (``recovery_window_in_days``, 7-30, default
30; 0 deletes at once); Secrets Manager refuses to delete a secret that still has
replicas, so the provider removes them first, and so do we. A secret scheduled for
deletion counts as gone.
"""

from __future__ import annotations

import base64
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    canonical_json,
    error_code,
    keep_shape,
    not_found,
    same_document,
    tags_dict,
    tags_list,
)


def _replicas(inputs: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for replica in inputs.get("replicas") or []:
        item = {"Region": replica["region"]}
        if replica.get("kmsKeyId"):
            item["KmsKeyId"] = replica["kmsKeyId"]
        out.append(item)
    return out


def _same_key(live: str | None, wanted: str | None) -> bool:
    """A key may be named by id, ARN or alias; the service answers with what it was sent."""
    if not wanted:
        return not live or live == "alias/aws/secretsmanager"
    return bool(live) and (live == wanted or wanted.endswith(f"/{live}") or live.endswith(wanted))


class Secret(Adapter):
    type_token = "aws:secretsmanager/secret:Secret"
    replace_on = frozenset({"name", "namePrefix"})
    autoname = ("name", 512)
    unreadable = frozenset({"recoveryWindowInDays", "forceOverwriteReplicaSecret"})
    handles = frozenset(
        {
            "name",
            "namePrefix",
            "description",
            "kmsKeyId",
            "tags",
            "replicas",
            "forceOverwriteReplicaSecret",
            "policy",
            "recoveryWindowInDays",
        }
    )

    def _outputs(self, inputs: dict[str, Any], arn: str) -> dict[str, Any]:
        return {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        # The ARN ends in a random suffix Secrets Manager picks: unknown until created.
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sm = ctx.client("secretsmanager")
        kwargs: dict[str, Any] = {"Name": inputs["name"]}
        if inputs.get("description"):
            kwargs["Description"] = inputs["description"]
        if inputs.get("kmsKeyId"):
            kwargs["KmsKeyId"] = inputs["kmsKeyId"]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        if inputs.get("replicas"):
            kwargs["AddReplicaRegions"] = _replicas(inputs)
            kwargs["ForceOverwriteReplicaSecret"] = bool(inputs.get("forceOverwriteReplicaSecret"))
        arn = sm.create_secret(**kwargs)["ARN"]
        if inputs.get("policy"):
            sm.put_resource_policy(SecretId=arn, ResourcePolicy=inputs["policy"])
        return arn, self._outputs(inputs, arn)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        sm = ctx.client("secretsmanager")
        try:
            secret = sm.describe_secret(SecretId=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        if secret.get("DeletedDate"):
            return None  # scheduled for deletion: gone, as the provider sees it
        live = dict(inputs)
        if "description" in inputs:
            live["description"] = secret.get("Description", "")
        if "kmsKeyId" in inputs or secret.get("KmsKeyId"):
            same = _same_key(secret.get("KmsKeyId"), inputs.get("kmsKeyId"))
            live["kmsKeyId"] = inputs.get("kmsKeyId") if same else secret.get("KmsKeyId")
        status = secret.get("ReplicationStatus") or []
        if "replicas" in inputs or status:
            wanted = {r["region"]: r for r in inputs.get("replicas") or []}
            replicas = []
            for item in status:
                replica = {"region": item["Region"]}
                asked = wanted.get(item["Region"], {})
                if asked.get("kmsKeyId") or item.get("KmsKeyId") != "alias/aws/secretsmanager":
                    same = _same_key(item.get("KmsKeyId"), asked.get("kmsKeyId"))
                    replica["kmsKeyId"] = asked.get("kmsKeyId") if same else item.get("KmsKeyId")
                replicas.append(replica)
            order = [r["region"] for r in inputs.get("replicas") or []]
            replicas.sort(key=lambda r: order.index(r["region"]) if r["region"] in order else 99)
            live["replicas"] = keep_shape(replicas, inputs.get("replicas"))
        tags = tags_dict(secret.get("Tags"))
        if tags or "tags" in inputs:
            live["tags"] = tags
        if inputs.get("policy"):
            policy = sm.get_resource_policy(SecretId=id_).get("ResourcePolicy")
            live["policy"] = same_document(policy, inputs["policy"])
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        sm = ctx.client("secretsmanager")
        if old.get("description") != new.get("description") or old.get("kmsKeyId") != new.get(
            "kmsKeyId"
        ):
            kwargs: dict[str, Any] = {"SecretId": id_, "Description": new.get("description") or ""}
            if new.get("kmsKeyId"):
                kwargs["KmsKeyId"] = new["kmsKeyId"]
            sm.update_secret(**kwargs)
        old_replicas = {r["Region"]: r for r in _replicas(old)}
        new_replicas = {r["Region"]: r for r in _replicas(new)}
        doomed = [r for r in old_replicas if old_replicas[r] != new_replicas.get(r)]
        if doomed:
            sm.remove_regions_from_replication(SecretId=id_, RemoveReplicaRegions=doomed)
        added = [r for region, r in new_replicas.items() if old_replicas.get(region) != r]
        if added:
            sm.replicate_secret_to_regions(
                SecretId=id_,
                AddReplicaRegions=added,
                ForceOverwriteReplicaSecret=bool(new.get("forceOverwriteReplicaSecret")),
            )
        old_tags, new_tags = old.get("tags") or {}, new.get("tags") or {}
        if old_tags != new_tags:
            removed = [k for k in old_tags if k not in new_tags]
            if removed:
                sm.untag_resource(SecretId=id_, TagKeys=removed)
            if new_tags:
                sm.tag_resource(SecretId=id_, Tags=tags_list(new_tags))
        if canonical_json(old.get("policy")) != canonical_json(new.get("policy")):
            if new.get("policy"):
                sm.put_resource_policy(SecretId=id_, ResourcePolicy=new["policy"])
            else:
                sm.delete_resource_policy(SecretId=id_)
        return self._outputs(new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        sm = ctx.client("secretsmanager")
        try:
            status = sm.describe_secret(SecretId=id_).get("ReplicationStatus") or []
            if status:
                sm.remove_regions_from_replication(
                    SecretId=id_, RemoveReplicaRegions=[r["Region"] for r in status]
                )
            window = inputs.get("recoveryWindowInDays")
            window = 30 if window is None else int(window)
            if window == 0:
                sm.delete_secret(SecretId=id_, ForceDeleteWithoutRecovery=True)
            else:
                sm.delete_secret(SecretId=id_, RecoveryWindowInDays=window)
        except ClientError as exc:
            # Already scheduled for deletion is what we want.
            if not (not_found(exc) or error_code(exc) == "InvalidRequestException"):
                raise


class SecretVersion(Adapter):
    """A value of a secret; id = ``<secret arn>|<version id>`` as the provider's."""

    type_token = "aws:secretsmanager/secretVersion:SecretVersion"
    replace_on = frozenset({"secretId", "secretString", "secretBinary"})
    handles = frozenset({"secretId", "secretString", "secretBinary", "versionStages"})

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return dict(inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"SecretId": inputs["secretId"]}
        if inputs.get("secretString") is not None:
            kwargs["SecretString"] = inputs["secretString"]
        elif inputs.get("secretBinary"):
            kwargs["SecretBinary"] = base64.b64decode(inputs["secretBinary"])
        if inputs.get("versionStages"):
            kwargs["VersionStages"] = list(inputs["versionStages"])
        put = ctx.client("secretsmanager").put_secret_value(**kwargs)
        stages = list(inputs.get("versionStages") or put.get("VersionStages") or ["AWSCURRENT"])
        return f"{put['ARN']}|{put['VersionId']}", {
            **inputs,
            "arn": put["ARN"],
            "versionId": put["VersionId"],
            "versionStages": stages,
        }

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        arn, version = id_.split("|", 1)
        sm = ctx.client("secretsmanager")
        try:
            secret = sm.describe_secret(SecretId=arn)
            if secret.get("DeletedDate"):
                return None
            value = sm.get_secret_value(SecretId=arn, VersionId=version)
        except ClientError as exc:
            if not_found(exc) or error_code(exc) == "InvalidRequestException":
                return None
            raise
        live = dict(inputs)
        if "secretString" in inputs:
            live["secretString"] = value.get("SecretString")
        if "versionStages" in inputs:
            stages = secret.get("VersionIdsToStages", {}).get(version, [])
            wanted = list(inputs.get("versionStages") or [])
            live["versionStages"] = wanted if sorted(stages) == sorted(wanted) else stages
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        arn, version = id_.split("|", 1)
        sm = ctx.client("secretsmanager")
        old_stages, new_stages = (
            set(old.get("versionStages") or []),
            set(new.get("versionStages") or []),
        )
        for stage in sorted(new_stages - old_stages):
            sm.update_secret_version_stage(
                SecretId=arn, VersionStage=stage, MoveToVersionId=version
            )
        for stage in sorted(old_stages - new_stages - {"AWSCURRENT"}):
            sm.update_secret_version_stage(
                SecretId=arn, VersionStage=stage, RemoveFromVersionId=version
            )
        return {**new, "arn": arn, "versionId": version}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        # A version cannot be deleted; the provider takes its stages away (all but
        # AWSCURRENT, which only a newer version can take over).
        arn, version = id_.split("|", 1)
        sm = ctx.client("secretsmanager")
        try:
            stages = sm.describe_secret(SecretId=arn).get("VersionIdsToStages", {}).get(version, [])
            for stage in stages:
                if stage != "AWSCURRENT":
                    sm.update_secret_version_stage(
                        SecretId=arn, VersionStage=stage, RemoveFromVersionId=version
                    )
        except ClientError as exc:
            if not (not_found(exc) or error_code(exc) == "InvalidRequestException"):
                raise


ADAPTERS: list[type[Adapter]] = [Secret, SecretVersion]
