"""S3: buckets and the per-bucket configuration resources of pulumi-aws v7.

In v7 a bucket's public-access block, encryption, versioning and policy are their
own resources (as in the Terraform provider since v4); each is keyed by bucket name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    canonical_json,
    covers,
    json_equal,
    keep_shape,
    normalize,
    not_found,
    tags_dict,
    tags_list,
)


def _int(value: Any) -> int:
    return int(value)  # the SDK sends every number as a float; S3 wants 30, not 30.0


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def cors_to_api(rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The provider's cors rule blocks (Bucket.corsRules and BucketCorsConfiguration)."""
    out = []
    for rule in rules:
        api: dict[str, Any] = {
            "AllowedMethods": list(rule.get("allowedMethods") or []),
            "AllowedOrigins": list(rule.get("allowedOrigins") or []),
        }
        for key, aws in (("allowedHeaders", "AllowedHeaders"), ("exposeHeaders", "ExposeHeaders")):
            if rule.get(key):
                api[aws] = list(rule[key])
        if rule.get("id"):
            api["ID"] = rule["id"]
        if rule.get("maxAgeSeconds") is not None:
            api["MaxAgeSeconds"] = _int(rule["maxAgeSeconds"])
        out.append(api)
    return {"CORSRules": out}


def cors_from_api(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for rule in rules:
        block: dict[str, Any] = {
            "allowedMethods": rule.get("AllowedMethods", []),
            "allowedOrigins": rule.get("AllowedOrigins", []),
        }
        for key, aws in (("allowedHeaders", "AllowedHeaders"), ("exposeHeaders", "ExposeHeaders")):
            if rule.get(aws):
                block[key] = rule[aws]
        if "MaxAgeSeconds" in rule:
            block["maxAgeSeconds"] = rule["MaxAgeSeconds"]
        out.append(block)
    return out


def legacy_lifecycle_to_api(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bucket.lifecycleRules (the v3 block: enabled, prefix, tags, days) as S3 rules."""
    out = []
    for i, rule in enumerate(rules):
        prefix, tags = rule.get("prefix") or "", rule.get("tags") or {}
        if tags:
            filter_: dict[str, Any] = {"And": {"Prefix": prefix, "Tags": tags_list(tags)}}
        else:
            filter_ = {"Prefix": prefix}
        api: dict[str, Any] = {
            "ID": rule.get("id") or f"rule-{i}",
            "Status": "Enabled" if rule.get("enabled") else "Disabled",
            "Filter": filter_,
        }
        exp = rule.get("expiration") or {}
        if exp:
            api["Expiration"] = {
                k: v
                for k, v in (
                    ("Date", exp.get("date")),
                    ("Days", _int(exp["days"]) if exp.get("days") else None),
                    ("ExpiredObjectDeleteMarker", exp.get("expiredObjectDeleteMarker")),
                )
                if v
            }
        if rule.get("transitions"):
            api["Transitions"] = [_transition(t) for t in rule["transitions"]]
        if (rule.get("noncurrentVersionExpiration") or {}).get("days"):
            days = _int(rule["noncurrentVersionExpiration"]["days"])
            api["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
        if rule.get("noncurrentVersionTransitions"):
            api["NoncurrentVersionTransitions"] = [
                {"NoncurrentDays": _int(t["days"]), "StorageClass": t["storageClass"]}
                for t in rule["noncurrentVersionTransitions"]
            ]
        if rule.get("abortIncompleteMultipartUploadDays"):
            days = _int(rule["abortIncompleteMultipartUploadDays"])
            api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
        out.append(api)
    return out


def _transition(t: dict[str, Any]) -> dict[str, Any]:
    api: dict[str, Any] = {"StorageClass": t["storageClass"]}
    if t.get("date"):
        api["Date"] = t["date"]
    if t.get("days") is not None:
        api["Days"] = _int(t["days"])
    return api


def legacy_lifecycle_from_api(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for rule in rules:
        filter_ = rule.get("Filter") or {}
        both = filter_.get("And") or {}
        block: dict[str, Any] = {
            "id": rule.get("ID"),
            "enabled": rule.get("Status") == "Enabled",
            "prefix": filter_.get("Prefix", both.get("Prefix", rule.get("Prefix", ""))),
        }
        if both.get("Tags"):
            block["tags"] = tags_dict(both["Tags"])
        exp = rule.get("Expiration") or {}
        if exp:
            block["expiration"] = {
                k: v
                for k, v in (
                    ("date", exp.get("Date")),
                    ("days", exp.get("Days")),
                    ("expiredObjectDeleteMarker", exp.get("ExpiredObjectDeleteMarker")),
                )
                if v is not None
            }
        if rule.get("Transitions"):
            block["transitions"] = [_camel(t, {}) for t in rule["Transitions"]]
        if rule.get("NoncurrentVersionExpiration"):
            days = rule["NoncurrentVersionExpiration"].get("NoncurrentDays")
            block["noncurrentVersionExpiration"] = {"days": days}
        if rule.get("NoncurrentVersionTransitions"):
            block["noncurrentVersionTransitions"] = [
                {"days": t.get("NoncurrentDays"), "storageClass": t.get("StorageClass")}
                for t in rule["NoncurrentVersionTransitions"]
            ]
        if rule.get("AbortIncompleteMultipartUpload"):
            days = rule["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation")
            block["abortIncompleteMultipartUploadDays"] = days
        out.append(block)
    return out


def legacy_website_to_api(website: dict[str, Any]) -> dict[str, Any]:
    """Bucket.website (indexDocument, errorDocument, redirectAllRequestsTo, routingRules)."""
    api: dict[str, Any] = {}
    if website.get("redirectAllRequestsTo"):
        target = str(website["redirectAllRequestsTo"])
        protocol, _, host = target.rpartition("://")
        api["RedirectAllRequestsTo"] = {
            "HostName": host,
            **({"Protocol": protocol} if protocol else {}),
        }
    if website.get("indexDocument"):
        api["IndexDocument"] = {"Suffix": website["indexDocument"]}
    if website.get("errorDocument"):
        api["ErrorDocument"] = {"Key": website["errorDocument"]}
    if website.get("routingRules"):
        api["RoutingRules"] = _json(website["routingRules"])  # S3's own JSON spelling
    return api


def legacy_website_from_api(conf: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    live: dict[str, Any] = {}
    if conf.get("IndexDocument"):
        live["indexDocument"] = conf["IndexDocument"].get("Suffix")
    if conf.get("ErrorDocument"):
        live["errorDocument"] = conf["ErrorDocument"].get("Key")
    redirect = conf.get("RedirectAllRequestsTo")
    if redirect:
        host = redirect.get("HostName", "")
        live["redirectAllRequestsTo"] = (
            f"{redirect['Protocol']}://{host}" if redirect.get("Protocol") else host
        )
    if conf.get("RoutingRules"):
        rules = conf["RoutingRules"]
        same = json_equal(rules, wanted.get("routingRules"))
        live["routingRules"] = wanted.get("routingRules") if same else json.dumps(rules)
    return live


class _Inline:
    """One inline configuration block of a Bucket: put it, read it back, take it away."""

    def put(self, s3: Any, bucket: str, value: Any) -> None:
        raise NotImplementedError

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        raise NotImplementedError

    def remove(self, s3: Any, bucket: str) -> None:
        raise NotImplementedError

    def same(self, live: Any, wanted: Any) -> bool:
        return covers(live, wanted)

    def _absent(self, call: Callable[[], Any], *codes: str) -> Any:
        try:
            return call()
        except ClientError as exc:
            if any(code in str(exc) for code in codes) or not_found(exc):
                return None
            raise


class _Versioning(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        status = "Enabled" if value.get("enabled") else "Suspended"
        if status == "Suspended" and not s3.get_bucket_versioning(Bucket=bucket).get("Status"):
            return  # never versioned: S3 has nothing to suspend, as the provider does
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        live = s3.get_bucket_versioning(Bucket=bucket)
        return {
            "enabled": live.get("Status") == "Enabled",
            "mfaDelete": live.get("MFADelete") == "Enabled",
        }

    def remove(self, s3: Any, bucket: str) -> None:
        self.put(s3, bucket, {"enabled": False})


class _Encryption(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        rule = value.get("rule") or {}
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        api: dict[str, Any] = {"SSEAlgorithm": default["sseAlgorithm"]}
        if default.get("kmsMasterKeyId"):
            api["KMSMasterKeyID"] = default["kmsMasterKeyId"]
        aws_rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": api}
        if rule.get("bucketKeyEnabled") is not None:
            aws_rule["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
        s3.put_bucket_encryption(
            Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [aws_rule]}
        )

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        conf = self._absent(
            lambda: s3.get_bucket_encryption(Bucket=bucket),
            "ServerSideEncryptionConfigurationNotFound",
        )
        if not conf:
            return None
        rule = conf["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        block: dict[str, Any] = {"sseAlgorithm": default.get("SSEAlgorithm")}
        if default.get("KMSMasterKeyID"):
            block["kmsMasterKeyId"] = default["KMSMasterKeyID"]
        out: dict[str, Any] = {"applyServerSideEncryptionByDefault": block}
        if "BucketKeyEnabled" in rule:
            out["bucketKeyEnabled"] = rule["BucketKeyEnabled"]
        return {"rule": out}

    def remove(self, s3: Any, bucket: str) -> None:
        s3.delete_bucket_encryption(Bucket=bucket)


class _Website(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=legacy_website_to_api(value))

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        conf = self._absent(
            lambda: s3.get_bucket_website(Bucket=bucket), "NoSuchWebsiteConfiguration"
        )
        return legacy_website_from_api(conf, wanted or {}) if conf else None

    def remove(self, s3: Any, bucket: str) -> None:
        s3.delete_bucket_website(Bucket=bucket)


class _Lifecycle(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        if not value:
            self.remove(s3, bucket)
            return
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": legacy_lifecycle_to_api(value)}
        )

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        conf = self._absent(
            lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket),
            "NoSuchLifecycleConfiguration",
        )
        return legacy_lifecycle_from_api(conf.get("Rules", [])) if conf else []

    def remove(self, s3: Any, bucket: str) -> None:
        s3.delete_bucket_lifecycle(Bucket=bucket)


class _Acl(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        s3.put_bucket_acl(Bucket=bucket, ACL=value)

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        return None  # unreadable: see Bucket.unreadable

    def remove(self, s3: Any, bucket: str) -> None:
        s3.put_bucket_acl(Bucket=bucket, ACL="private")


class _Policy(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        s3.put_bucket_policy(
            Bucket=bucket, Policy=value if isinstance(value, str) else json.dumps(value)
        )

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        got = self._absent(lambda: s3.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy")
        return got["Policy"] if got else None

    def same(self, live: Any, wanted: Any) -> bool:
        return json_equal(live, wanted)

    def remove(self, s3: Any, bucket: str) -> None:
        s3.delete_bucket_policy(Bucket=bucket)


class _Cors(_Inline):
    def put(self, s3: Any, bucket: str, value: Any) -> None:
        if not value:
            self.remove(s3, bucket)
            return
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_to_api(value))

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        conf = self._absent(lambda: s3.get_bucket_cors(Bucket=bucket), "NoSuchCORSConfiguration")
        return cors_from_api(conf.get("CORSRules", [])) if conf else []

    def remove(self, s3: Any, bucket: str) -> None:
        s3.delete_bucket_cors(Bucket=bucket)


class _Scalar(_Inline):
    """A bucket setting S3 keeps as one value (transfer acceleration, request payment)."""

    def __init__(self, put: str, get: str, field: str, wrap: str, default: str) -> None:
        self.op_put, self.op_get, self.field, self.wrap, self.default = (
            put,
            get,
            field,
            wrap,
            default,
        )

    def put(self, s3: Any, bucket: str, value: Any) -> None:
        getattr(s3, self.op_put)(Bucket=bucket, **{self.wrap: {self.field: value}})

    def get(self, s3: Any, bucket: str, wanted: Any) -> Any:
        return getattr(s3, self.op_get)(Bucket=bucket).get(self.field) or self.default

    def current(self, s3: Any, bucket: str) -> Any:
        return self.get(s3, bucket, None)

    def remove(self, s3: Any, bucket: str) -> None:
        if self.default != "Suspended":  # acceleration is never switched "off", only suspended
            self.put(s3, bucket, self.default)
        elif self.current(s3, bucket) == "Enabled":
            self.put(s3, bucket, "Suspended")


# Bucket inputs (pulumi-aws 7 keeps these inline blocks beside the separate resources)
# -> how they are applied. Versioning first: S3 refuses some rules on unversioned buckets.
INLINE: dict[str, _Inline] = {
    "versioning": _Versioning(),
    "serverSideEncryptionConfiguration": _Encryption(),
    "acl": _Acl(),
    "policy": _Policy(),
    "corsRules": _Cors(),
    "website": _Website(),
    "lifecycleRules": _Lifecycle(),
    "accelerationStatus": _Scalar(
        "put_bucket_accelerate_configuration",
        "get_bucket_accelerate_configuration",
        "Status",
        "AccelerateConfiguration",
        "Suspended",
    ),
    "requestPayer": _Scalar(
        "put_bucket_request_payment",
        "get_bucket_request_payment",
        "Payer",
        "RequestPaymentConfiguration",
        "BucketOwner",
    ),
}


def _apply_inline(s3: Any, bucket: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Put every inline block that is new or changed; take away the ones removed."""
    for key, block in INLINE.items():
        before, after = old.get(key), new.get(key)
        if after is not None and (
            before is None or canonical_json(before) != canonical_json(after)
        ):
            block.put(s3, bucket, normalize(after))
        elif after is None and before is not None:
            block.remove(s3, bucket)


class Bucket(Adapter):
    type_token = "aws:s3/bucket:Bucket"
    aliases = ("aws:s3/bucketV2:BucketV2",)
    replace_on = frozenset({"bucket", "bucketPrefix", "objectLockEnabled"})
    autoname = ("bucket", 63)
    handles = frozenset(
        {"bucket", "bucketPrefix", "objectLockEnabled", "tags", "forceDestroy", *INLINE}
    )
    instead = {
        "objectLockConfiguration": "aws.s3.BucketObjectLockConfiguration",
        "replicationConfiguration": "aws.s3.BucketReplicationConfig",
    }
    # A canned ACL cannot be read back as the name it was set by (S3 answers grants).
    unreadable = frozenset({"acl"})

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
        _apply_inline(s3, inputs["bucket"], {}, inputs)
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
        for key, block in INLINE.items():
            if inputs.get(key) is not None and key not in self.unreadable:
                got = block.get(s3, id_, inputs[key])
                live[key] = inputs[key] if block.same(got, inputs[key]) else got
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        s3 = ctx.client("s3")
        if new.get("tags"):
            s3.put_bucket_tagging(Bucket=id_, Tagging={"TagSet": tags_list(new["tags"])})
        elif old.get("tags"):
            s3.delete_bucket_tagging(Bucket=id_)
        _apply_inline(s3, id_, old, new)
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
    """Delete every object version and delete marker (what force_destroy does).

    Like the provider's force_destroy, it bypasses Object Lock retention in GOVERNANCE
    mode (a release-artifact bucket keeps its objects locked); COMPLIANCE-mode objects
    cannot be deleted by anyone before their retention ends, in AWS as in moto.

    moto 5.2 crashes (HTTP 500) deleting a key that has a delete marker once the
    bucket's versioning is suspended (it drops every version of the key at once
    and cannot dispose of a marker). Teardown suspends versioning before it deletes
    the bucket, so versioning is switched back on for the purge; the bucket is about
    to go, and on AWS this changes nothing.
    """
    try:
        pages = list(s3.get_paginator("list_object_versions").paginate(Bucket=bucket))
        has_markers = any(page.get("DeleteMarkers") for page in pages)
        if has_markers and s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Suspended":
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        for kind in ("DeleteMarkers", "Versions"):
            doomed = [
                {"Key": o["Key"], "VersionId": o["VersionId"]}
                for page in pages
                for o in page.get(kind, [])
            ]
            for i in range(0, len(doomed), 1000):  # DeleteObjects takes 1000 at a time
                s3.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": doomed[i : i + 1000], "Quiet": True},
                    BypassGovernanceRetention=True,
                )
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
    handles = frozenset(
        {
            "bucket",
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        }
    )
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
    handles = frozenset({"bucket", "rules"})

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
        # LocalStack answers a deleted configuration with an empty one, not a 404.
        live = (conf.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        if not live:
            return None
        rules = []
        for rule in live:
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
        return {**inputs, "rules": keep_shape(rules, inputs.get("rules"))}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_encryption(Bucket=bucket)


class BucketVersioning(_BucketConfig):
    type_token = "aws:s3/bucketVersioning:BucketVersioning"
    aliases = ("aws:s3/bucketVersioningV2:BucketVersioningV2",)
    handles = frozenset({"bucket", "versioningConfiguration"})

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
    handles = frozenset({"bucket", "policy"})

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


def _pascal(value: Any, overrides: dict[str, str]) -> Any:
    """camelCase provider keys -> the S3 API's PascalCase, recursively."""
    if isinstance(value, list):
        return [_pascal(v, overrides) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        overrides.get(k, k[:1].upper() + k[1:]): _pascal(v, overrides) for k, v in value.items()
    }


def _camel(value: Any, overrides: dict[str, str]) -> Any:
    reverse = {v: k for k, v in overrides.items()}
    if isinstance(value, list):
        return [_camel(v, overrides) for v in value]
    if not isinstance(value, dict):
        return value
    return {reverse.get(k, k[:1].lower() + k[1:]): _camel(v, overrides) for k, v in value.items()}


class BucketReplicationConfig(_BucketConfig):
    """Replication rules. S3 (and moto) refuse them on an unversioned bucket, as AWS does;
    moto stores them without copying objects — harness.drills models the copying.
    """

    type_token = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
    handles = frozenset({"bucket", "role", "rules"})
    KEYS = {
        "id": "ID",
        "replicaKmsKeyId": "ReplicaKmsKeyID",
        "sseKmsEncryptedObjects": "SseKmsEncryptedObjects",
        "rules": "Rules",
    }

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        rules = []
        for rule in inputs.get("rules") or []:
            # normalize: the SDK sends every number as a float; S3 wants Minutes: 15.
            aws_rule = _pascal(normalize(rule), self.KEYS)
            # The provider's v2 schema always sends a filter; an empty one means "all".
            aws_rule.setdefault("Filter", {"Prefix": rule.get("prefix", "")})
            aws_rule.pop("Prefix", None)
            if "Priority" in aws_rule:
                aws_rule["Priority"] = int(aws_rule["Priority"])
            aws_rule.setdefault("DeleteMarkerReplication", {"Status": "Disabled"})
            rules.append(aws_rule)
        ctx.client("s3").put_bucket_replication(
            Bucket=inputs["bucket"],
            ReplicationConfiguration={"Role": inputs["role"], "Rules": rules},
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_bucket_replication(Bucket=bucket)
        except ClientError as exc:
            if "ReplicationConfigurationNotFound" in str(exc):
                return None
            raise
        conf = conf["ReplicationConfiguration"]
        live_rules = _camel(conf.get("Rules", []), self.KEYS)
        return {
            **inputs,
            "role": conf.get("Role"),
            "rules": keep_shape(live_rules, inputs.get("rules")),
        }

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_replication(Bucket=bucket)


class BucketObjectLockConfiguration(_BucketConfig):
    """Default retention for a bucket created with object lock enabled."""

    type_token = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
    handles = frozenset({"bucket", "objectLockEnabled", "rule"})

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        conf: dict[str, Any] = {"ObjectLockEnabled": inputs.get("objectLockEnabled") or "Enabled"}
        if inputs.get("rule"):
            retention = _pascal(inputs["rule"].get("defaultRetention") or {}, {})
            for key in ("Days", "Years"):
                if key in retention:
                    retention[key] = int(retention[key])
            conf["Rule"] = {"DefaultRetention": retention}
        ctx.client("s3").put_object_lock_configuration(
            Bucket=inputs["bucket"], ObjectLockConfiguration=conf
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_object_lock_configuration(Bucket=bucket)
        except ClientError as exc:
            if "ObjectLockConfigurationNotFound" in str(exc):
                return None
            raise
        conf = conf["ObjectLockConfiguration"]
        live = dict(inputs)
        if "objectLockEnabled" in inputs:
            live["objectLockEnabled"] = conf.get("ObjectLockEnabled")
        if "rule" in inputs:
            retention = _camel(conf.get("Rule", {}).get("DefaultRetention", {}), {})
            live["rule"] = keep_shape([{"defaultRetention": retention}], [inputs["rule"]])[0]
        return live

    def remove(self, ctx: Context, bucket: str) -> None:
        # Object lock cannot be switched off once a bucket has it; the provider only
        # forgets the resource. So do we.
        return None


class BucketWebsiteConfiguration(_BucketConfig):
    """Static website hosting: index and error documents, redirects, routing rules."""

    type_token = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"
    aliases = ("aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",)
    handles = frozenset(
        {
            "bucket",
            "indexDocument",
            "errorDocument",
            "redirectAllRequestsTo",
            "routingRules",
            "routingRuleDetails",
        }
    )
    BLOCKS = {
        "indexDocument": "IndexDocument",
        "errorDocument": "ErrorDocument",
        "redirectAllRequestsTo": "RedirectAllRequestsTo",
    }

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        conf: dict[str, Any] = {
            aws: _pascal(inputs[key], {}) for key, aws in self.BLOCKS.items() if inputs.get(key)
        }
        if inputs.get("routingRules"):
            rules = _pascal(normalize(inputs["routingRules"]), {})
            for rule in rules:  # S3 takes the status code as a string
                if "HttpRedirectCode" in rule.get("Redirect", {}):
                    rule["Redirect"]["HttpRedirectCode"] = str(rule["Redirect"]["HttpRedirectCode"])
            conf["RoutingRules"] = rules
        elif inputs.get("routingRuleDetails"):
            conf["RoutingRules"] = _json(inputs["routingRuleDetails"])
        ctx.client("s3").put_bucket_website(Bucket=inputs["bucket"], WebsiteConfiguration=conf)

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_bucket_website(Bucket=bucket)
        except ClientError as exc:
            if "NoSuchWebsiteConfiguration" in str(exc):
                return None
            raise
        live = dict(inputs)
        for key, aws in self.BLOCKS.items():
            if key in inputs or conf.get(aws):
                live[key] = keep_shape(_camel(conf.get(aws), {}), inputs.get(key))
        rules = conf.get("RoutingRules")
        if inputs.get("routingRuleDetails"):
            same = json_equal(rules, inputs["routingRuleDetails"])
            live["routingRuleDetails"] = inputs["routingRuleDetails"] if same else json.dumps(rules)
        elif "routingRules" in inputs or rules:
            live["routingRules"] = keep_shape(_camel(rules or [], {}), inputs.get("routingRules"))
        return live

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        id_, out = super().create(ctx, inputs)
        return id_, self._outputs(ctx, out)

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return self._outputs(ctx, super().update(ctx, id_, old, new))

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, dict(inputs))

    def _outputs(self, ctx: Context, out: dict[str, Any]) -> dict[str, Any]:
        endpoint = f"{out['bucket']}.s3-website-{ctx.region}.amazonaws.com"
        return {
            **out,
            "websiteEndpoint": endpoint,
            "websiteDomain": f"s3-website-{ctx.region}.amazonaws.com",
        }

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_website(Bucket=bucket)


class BucketLifecycleConfiguration(_BucketConfig):
    """Lifecycle rules (the v2 schema: status, filter, noncurrentDays…)."""

    type_token = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    aliases = ("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",)
    handles = frozenset({"bucket", "rules", "transitionDefaultMinimumObjectSize"})
    KEYS = {"id": "ID", "and": "And"}

    def _rules(self, inputs: dict[str, Any]) -> list[dict[str, Any]]:
        rules = []
        for rule in normalize(inputs.get("rules") or []):
            api = _pascal(rule, self.KEYS)
            if "Filter" not in api and "Prefix" not in api:
                api["Filter"] = {}  # the provider sends an empty filter: every object
            tag = (api.get("Filter") or {}).get("Tag")
            if tag:
                api["Filter"]["Tag"] = {"Key": tag["Key"], "Value": tag["Value"]}
            both = (api.get("Filter") or {}).get("And")
            if both and "Tags" in both:
                both["Tags"] = tags_list(rule["filter"]["and"]["tags"])
            rules.append(api)
        return rules

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {
            "Bucket": inputs["bucket"],
            "LifecycleConfiguration": {"Rules": self._rules(inputs)},
        }
        if inputs.get("transitionDefaultMinimumObjectSize"):
            kwargs["TransitionDefaultMinimumObjectSize"] = inputs[
                "transitionDefaultMinimumObjectSize"
            ]
        ctx.client("s3").put_bucket_lifecycle_configuration(**kwargs)

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)
        except ClientError as exc:
            if "NoSuchLifecycleConfiguration" in str(exc):
                return None
            raise
        live_rules = []
        for rule in conf.get("Rules", []):
            block = _camel(rule, self.KEYS)
            both = (block.get("filter") or {}).get("and")
            if both and "tags" in both:
                both["tags"] = tags_dict(rule["Filter"]["And"]["Tags"])
            live_rules.append(block)
        return {**inputs, "rules": keep_shape(live_rules, inputs.get("rules"))}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_lifecycle(Bucket=bucket)


class BucketOwnershipControls(_BucketConfig):
    """Who owns uploaded objects (``BucketOwnerEnforced`` switches ACLs off)."""

    type_token = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
    handles = frozenset({"bucket", "rule"})

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        ownership = (inputs.get("rule") or {}).get("objectOwnership") or "BucketOwnerEnforced"
        ctx.client("s3").put_bucket_ownership_controls(
            Bucket=inputs["bucket"],
            OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]},
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_bucket_ownership_controls(Bucket=bucket)
        except ClientError as exc:
            if "OwnershipControlsNotFoundError" in str(exc):
                return None
            raise
        rules = conf["OwnershipControls"]["Rules"]
        ownership = rules[0].get("ObjectOwnership") if rules else None
        return {**inputs, "rule": {**(inputs.get("rule") or {}), "objectOwnership": ownership}}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_ownership_controls(Bucket=bucket)


class BucketCorsConfiguration(_BucketConfig):
    type_token = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"
    aliases = ("aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",)
    handles = frozenset({"bucket", "corsRules"})

    def put(self, ctx: Context, inputs: dict[str, Any]) -> None:
        ctx.client("s3").put_bucket_cors(
            Bucket=inputs["bucket"], CORSConfiguration=cors_to_api(inputs.get("corsRules") or [])
        )

    def get(self, ctx: Context, bucket: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            conf = ctx.client("s3").get_bucket_cors(Bucket=bucket)
        except ClientError as exc:
            if "NoSuchCORSConfiguration" in str(exc):
                return None
            raise
        rules = cors_from_api(conf.get("CORSRules", []))
        return {**inputs, "corsRules": keep_shape(rules, inputs.get("corsRules"))}

    def remove(self, ctx: Context, bucket: str) -> None:
        ctx.client("s3").delete_bucket_cors(Bucket=bucket)


class BucketObject(Adapter):
    """An object (e.g. a release artifact). ``source`` is a file or a directory (zipped)."""

    type_token = "aws:s3/bucketObjectv2:BucketObjectv2"
    aliases = ("aws:s3/bucketObject:BucketObject",)
    replace_on = frozenset({"bucket", "key"})
    # etag and sourceHash only trigger an update when they change (as in the provider).
    handles = frozenset(
        {
            "bucket",
            "key",
            "content",
            "contentBase64",
            "source",
            "contentType",
            "serverSideEncryption",
            "kmsKeyId",
            "tags",
            "etag",
            "sourceHash",
        }
    )

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        if not out.get("key"):
            out["key"] = name  # pulumi-aws's default: the resource's name, without a suffix
        return out

    def _body(self, inputs: dict[str, Any]) -> bytes:
        if inputs.get("content") is not None:
            return str(inputs["content"]).encode()
        if inputs.get("contentBase64"):
            import base64

            return base64.b64decode(inputs["contentBase64"])
        source = inputs.get("source") or {}
        if "__asset_text" in source:
            return source["__asset_text"].encode()
        if "__asset_path" in source:
            return _read_asset(source["__asset_path"])
        return b""

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "Bucket": inputs["bucket"],
            "Key": inputs["key"],
            "Body": self._body(inputs),
        }
        if inputs.get("contentType"):
            kwargs["ContentType"] = inputs["contentType"]
        if inputs.get("serverSideEncryption"):
            kwargs["ServerSideEncryption"] = inputs["serverSideEncryption"]
        if inputs.get("kmsKeyId"):
            kwargs["SSEKMSKeyId"] = inputs["kmsKeyId"]
        if inputs.get("tags"):
            kwargs["Tagging"] = "&".join(f"{k}={v}" for k, v in inputs["tags"].items())
        put = ctx.client("s3").put_object(**kwargs)
        return inputs["key"], {
            **inputs,
            "etag": put.get("ETag", "").strip('"'),
            "versionId": put.get("VersionId", ""),
            "arn": f"arn:{ctx.partition}:s3:::{inputs['bucket']}/{inputs['key']}",
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "arn": f"arn:{ctx.partition}:s3:::{inputs['bucket']}/{inputs['key']}"}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            ctx.client("s3").head_object(Bucket=inputs["bucket"], Key=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        return dict(inputs)

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return self.create(ctx, new)[1]  # S3 has no partial update: put it again

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("s3").delete_object(Bucket=inputs["bucket"], Key=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


def _read_asset(path: str) -> bytes:
    """A FileAsset's bytes, or a FileArchive directory zipped (paths relative to the program)."""
    import io
    import zipfile
    from pathlib import Path

    p = Path(path)
    if p.is_dir():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(p.rglob("*")):
                if f.is_file():
                    zf.write(f, f.relative_to(p))
        return buf.getvalue()
    return p.read_bytes()


ADAPTERS: list[type[Adapter]] = [
    Bucket,
    BucketPublicAccessBlock,
    BucketServerSideEncryptionConfiguration,
    BucketVersioning,
    BucketPolicy,
    BucketReplicationConfig,
    BucketObjectLockConfiguration,
    BucketWebsiteConfiguration,
    BucketLifecycleConfiguration,
    BucketCorsConfiguration,
    BucketOwnershipControls,
    BucketObject,
]
