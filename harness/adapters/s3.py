"""S3: buckets and the per-bucket configuration resources of pulumi-aws v7.

In v7 a bucket's public-access block, encryption, versioning and policy are their
own resources (as in the Terraform provider since v4); each is keyed by bucket name.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, canonical_json, not_found, tags_dict, tags_list


class Bucket(Adapter):
    type_token = "aws:s3/bucket:Bucket"
    aliases = ("aws:s3/bucketV2:BucketV2",)
    replace_on = frozenset({"bucket", "bucketPrefix", "objectLockEnabled"})
    autoname = ("bucket", 63)

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().check(ctx, name, inputs)
        out["bucket"] = out["bucket"].lower()  # S3 names are lowercase; so are the provider's
        return out

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        name = inputs["bucket"]
        return {
            **inputs,
            "arn": f"arn:{ctx.partition}:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
            "region": ctx.region,
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        s3 = ctx.client("s3")
        kwargs: dict[str, Any] = {"Bucket": inputs["bucket"]}
        if ctx.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        if inputs.get("objectLockEnabled"):
            kwargs["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**kwargs)
        if inputs.get("tags"):
            s3.put_bucket_tagging(
                Bucket=inputs["bucket"], Tagging={"TagSet": tags_list(inputs["tags"])}
            )
        return inputs["bucket"], self._outputs(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        s3 = ctx.client("s3")
        try:
            s3.head_bucket(Bucket=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        live = dict(inputs)
        try:
            tags = tags_dict(s3.get_bucket_tagging(Bucket=id_)["TagSet"])
        except ClientError as exc:
            if not not_found(exc, "NoSuchTagSet"):
                raise
            tags = {}
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        s3 = ctx.client("s3")
        if new.get("tags"):
            s3.put_bucket_tagging(Bucket=id_, Tagging={"TagSet": tags_list(new["tags"])})
        elif old.get("tags"):
            s3.delete_bucket_tagging(Bucket=id_)
        return self._outputs(ctx, new)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        s3 = ctx.client("s3")
        if inputs.get("forceDestroy") or ctx.purge:
            _empty(s3, id_)
        try:
            s3.delete_bucket(Bucket=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


def _empty(s3: Any, bucket: str) -> None:
    """Delete every object version and delete marker (what force_destroy does)."""
    try:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        for page in pages:
            doomed = [
                {"Key": o["Key"], "VersionId": o["VersionId"]}
                for o in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if doomed:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    except ClientError as exc:
        if not not_found(exc):
            raise


class _BucketConfig(Adapter):
    """A sub-resource of a bucket, id = bucket name; changing the bucket replaces it."""

    replace_on = frozenset({"bucket", "expectedBucketOwner"})

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        raise NotImplementedError

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        """The live inputs, or None when the configuration is absent."""
        raise NotImplementedError

    def remove(self, ctx: Context, bucket: str) -> None:
        raise NotImplementedError

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.put(ctx, inputs)
        return inputs["bucket"], {**inputs, "id": inputs["bucket"]}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self.put(ctx, new)
        return {**new, "id": id_}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self.get(ctx, id_, inputs)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            self.remove(ctx, id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


class BucketPublicAccessBlock(_BucketConfig):
    type_token = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    FIELDS = {
        "blockPublicAcls": "BlockPublicAcls",
        "blockPublicPolicy": "BlockPublicPolicy",
        "ignorePublicAcls": "IgnorePublicAcls",
        "restrictPublicBuckets": "RestrictPublicBuckets",
    }

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        ctx.client("s3").put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={
                aws: bool(inputs.get(key, False)) for key, aws in self.FIELDS.items()
            },
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        conf = ctx.client("s3").get_public_access_block(Bucket=bucket)
        conf = conf["PublicAccessBlockConfiguration"]
        return {**inputs, **{key: conf.get(aws, False) for key, aws in self.FIELDS.items()}}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_public_access_block(Bucket=bucket)


class BucketServerSideEncryptionConfiguration(_BucketConfig):
    type_token = (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    aliases = (
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    )

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        rules = []
        for rule in inputs.get("rules") or []:
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            aws_rule: dict[str, Any] = {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default["sseAlgorithm"]}
            }
            if default.get("kmsMasterKeyId"):
                aws_rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default[
                    "kmsMasterKeyId"
                ]
            if "bucketKeyEnabled" in rule:
                aws_rule["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
            rules.append(aws_rule)
        ctx.client("s3").put_bucket_encryption(
            Bucket=inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_bucket_encryption(Bucket=bucket)
        except ClientError as exc:
            if "ServerSideEncryptionConfigurationNotFound" in str(exc):
                return None
            raise
        rules = []
        for rule in conf["ServerSideEncryptionConfiguration"]["Rules"]:
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            r: dict[str, Any] = {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": default.get("SSEAlgorithm")}
            }
            if default.get("KMSMasterKeyID"):
                r["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = default[
                    "KMSMasterKeyID"
                ]
            if "BucketKeyEnabled" in rule:
                r["bucketKeyEnabled"] = rule["BucketKeyEnabled"]
            rules.append(r)
        return {**inputs, "rules": _keep_shape(rules, inputs.get("rules"))}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_encryption(Bucket=bucket)


class BucketVersioning(_BucketConfig):
    type_token = "aws:s3/bucketVersioning:BucketVersioning"
    aliases = ("aws:s3/bucketVersioningV2:BucketVersioningV2",)

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        conf = inputs.get("versioningConfiguration") or {}
        aws: dict[str, Any] = {"Status": conf.get("status", "Enabled")}
        if conf.get("mfaDelete"):
            aws["MFADelete"] = conf["mfaDelete"]
        ctx.client("s3").put_bucket_versioning(Bucket=inputs["bucket"], VersioningConfiguration=aws)

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        ctx.client("s3").head_bucket(Bucket=bucket)
        live = ctx.client("s3").get_bucket_versioning(Bucket=bucket)
        conf = dict(inputs.get("versioningConfiguration") or {})
        conf["status"] = live.get("Status", "Disabled")
        return {**inputs, "versioningConfiguration": conf}

    def remove(self, ctx: Context, bucket: str) -> None:
        # S3 cannot un-version a bucket; the provider suspends it on delete.
        s3 = ctx.client("s3")
        if s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})


class BucketPolicy(_BucketConfig):
    type_token = "aws:s3/bucketPolicy:BucketPolicy"

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        policy = inputs["policy"]
        ctx.client("s3").put_bucket_policy(
            Bucket=inputs["bucket"],
            Policy=policy if isinstance(policy, str) else json.dumps(policy),
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            live = ctx.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
        except ClientError as exc:
            if "NoSuchBucketPolicy" in str(exc):
                return None
            raise
        same = canonical_json(live) == canonical_json(inputs.get("policy"))
        return {**inputs, "policy": inputs.get("policy") if same else live}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_policy(Bucket=bucket)


def _keep_shape(live: list[dict], wanted: Any) -> Any:
    """AWS fills defaults (BucketKeyEnabled=false); keep the program's spelling when equal."""
    if not isinstance(wanted, list) or len(wanted) != len(live):
        return live
    merged = []
    for lw, w in zip(live, wanted, strict=True):
        candidate = {k: v for k, v in lw.items() if k in w or v}
        merged.append(w if canonical_json(candidate) == canonical_json(w) else lw)
    return merged


ADAPTERS: list[type[Adapter]] = [
    Bucket,
    BucketPublicAccessBlock,
    BucketServerSideEncryptionConfiguration,
    BucketVersioning,
    BucketPolicy,
]
