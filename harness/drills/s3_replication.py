"""Apply a bucket's replication rules the way S3 replication would.

moto stores a replication configuration and copies nothing. This drill reads the
source bucket's configuration from the emulator and brings every destination up to
date with the source, each step authorized as S3 authorizes the configuration's IAM
role — so a role that may not write the destination replicates nothing, as in AWS.

What it models (S3 user guide, "Replicating objects"; "Setting up permissions"):

- **Refusals, as S3 refuses the configuration**: no replication configuration; the
  source or a destination bucket not versioning-enabled; an SSE-KMS rule
  (``SseKmsEncryptedObjects`` Enabled) without ``ReplicaKmsKeyID``. Raised as
  ``ReplicationRefused`` before anything is copied.
- **The role**: S3 assumes it, so its trust policy must let ``s3.amazonaws.com``
  assume it, read by meaning (``harness.iam.trust``: ``"x"`` or ``["x"]``, any action
  spelling; otherwise every object FAILs). S3 then authorizes each step as the
  replication action it is, against the role's deployed policies (inline, attached,
  its permissions boundary) evaluated by ``harness.iam.evaluate`` — IAM's logic, with
  action names case-insensitive and wildcards expanded, which moto's enforcement is
  not: ``s3:GetReplicationConfiguration`` on the source bucket,
  ``s3:GetObjectVersionForReplication`` (and ``…Tagging``) on source objects,
  ``s3:ReplicateObject`` / ``s3:ReplicateDelete`` / ``s3:ReplicateTags`` on destination
  objects, and for SSE-KMS objects ``kms:Decrypt`` with the source object's key and
  ``kms:Encrypt`` with the replica key (each key named by id, ARN or alias, resolved
  in its region to the key's ARN). A denied step marks the object FAILED. Not
  evaluated: key policies (a key policy that does not delegate to IAM would also
  stop replication in AWS) and bucket policies of the destination.
- **Which objects**: the rule whose filter matches the key (``Prefix``, ``Tag``,
  ``And``), the highest ``Priority`` winning among rules for the same destination; a
  winning rule that is Disabled replicates nothing. Objects encrypted with SSE-KMS
  replicate only if the rule opts in (``SourceSelectionCriteria``), their replicas
  encrypted with ``ReplicaKmsKeyID``; SSE-S3 replicas stay SSE-S3.
- **Deletes**: a delete marker is replicated only when the rule's
  ``DeleteMarkerReplication`` is Enabled (and never for tag-filtered rules); deleting
  a specific version is never replicated.

Simplifications, said out loud: the drill replicates each eligible key's *current*
state (latest version or delete marker), as replication looks once it has caught up,
not every intermediate version; replicas get new version ids (S3 keeps the source's);
``ReplicationStatus`` (COMPLETED/REPLICA) is reported here, not stored on objects;
objects that existed before the configuration are replicated too (S3 needs Batch
Replication for those) — checks write their objects after deploy.

    report = replicate(principals, "orders-primary")
    report.completed("orders/1.json")     # True once the replica is in every destination
    report.failed                         # [(key, destination, why)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from harness.drills.iam import Principal, Principals
from harness.iam import Grants, KeyResolver, Request, documents_of_role, evaluate, who_can_assume

REPLICATION_HEADER = "x-kata-s3-replication"  # see harness/emulator/patches.py, patch 9
S3_SERVICE = "s3.amazonaws.com"


class ReplicationRefused(RuntimeError):
    """S3 would not replicate with this configuration at all (it refuses to store it)."""


@dataclass
class Outcome:
    key: str
    destination: str  # bucket name
    status: str  # COMPLETED, FAILED or SKIPPED
    why: str = ""
    version_id: str = ""  # of the source
    delete_marker: bool = False


@dataclass
class ReplicationReport:
    source: str
    role_arn: str
    outcomes: list[Outcome] = field(default_factory=list)

    def _of(self, key: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.key == key]

    def completed(self, key: str) -> bool:
        """Replicated (or already up to date) in every destination of its rules."""
        found = self._of(key)
        return bool(found) and all(o.status == "COMPLETED" for o in found)

    @property
    def failed(self) -> list[tuple[str, str, str]]:
        return [(o.key, o.destination, o.why) for o in self.outcomes if o.status == "FAILED"]

    def explain(self, key: str) -> str:
        found = self._of(key)
        if not found:
            return f"{key}: no replication rule of {self.source} covers it"
        return "; ".join(f"{o.key} -> {o.destination}: {o.status} {o.why}".strip() for o in found)


def as_replication_role(principals: Principals, role_arn: str) -> Principal:
    """A session of the role whose S3 calls are authorized as S3 replication's actions.

    Create it before ``principals.enforced()``; use it inside. Its GetObject is checked
    as s3:GetObjectVersionForReplication, PutObject as s3:ReplicateObject, DeleteObject
    as s3:ReplicateDelete, Put/GetObjectTagging as s3:ReplicateTags /
    s3:GetObjectVersionTagging, GetBucketReplication as s3:GetReplicationConfiguration.
    """
    session = principals.role(role_arn, session_name="s3-replication")
    plain = session.client

    def client(service: str, region: str | None = None) -> Any:
        c = plain(service, region)
        if service == "s3" and not getattr(c, "_kata_replication", False):
            c.meta.events.register("before-sign.s3", _add_replication_header)
            c._kata_replication = True
        return c

    return Principal(arn=session.arn, client=client)


def _add_replication_header(request: Any, **_: Any) -> None:
    request.headers[REPLICATION_HEADER] = "1"


def replicate(principals: Principals, source_bucket: str) -> ReplicationReport:
    """Run replication for ``source_bucket`` once; see the module docstring."""
    admin = principals.admin
    s3 = admin("s3")
    config = _configuration(s3, source_bucket)
    if _versioning(s3, source_bucket) != "Enabled":
        raise ReplicationRefused(
            f"{source_bucket} is not versioning-enabled: S3 replicates only from versioned "
            "buckets (it refuses the replication configuration)"
        )
    rules = [_Rule.parse(r) for r in config.get("Rules", [])]
    regions = {source_bucket: _region(s3, source_bucket)}
    for rule in rules:
        dest = rule.destination
        try:
            regions[dest] = _region(s3, dest)
        except ClientError as exc:
            raise ReplicationRefused(
                f"destination bucket {dest} of rule {rule.id!r} does not exist"
            ) from exc
        if _versioning(s3, dest) != "Enabled":
            raise ReplicationRefused(
                f"destination bucket {dest} of rule {rule.id!r} is not versioning-enabled: "
                "S3 requires versioning on both sides"
            )
        if rule.sse_kms and not rule.replica_key:
            raise ReplicationRefused(
                f"rule {rule.id!r} replicates SSE-KMS objects but names no ReplicaKmsKeyID"
            )
    role_arn = config.get("Role", "")
    report = ReplicationReport(source=source_bucket, role_arn=role_arn)
    work = _plan(s3, source_bucket, rules, regions, report)
    if not work:
        return report
    grants = _role_grants(admin("iam"), role_arn, source_bucket)
    if isinstance(grants, str):
        for item in work:
            report.outcomes.append(item.outcome("FAILED", grants))
        return report
    keys = _Keys(admin)
    _copy(_Authorizer(grants, keys), admin, source_bucket, regions, work, report)
    return report


# -- the configuration -----------------------------------------------------------------


@dataclass
class _Rule:
    id: str
    priority: int
    enabled: bool
    prefix: str
    tags: dict[str, str]
    destination: str  # bucket name
    delete_markers: bool
    sse_kms: bool
    replica_key: str
    storage_class: str

    @classmethod
    def parse(cls, rule: dict[str, Any]) -> _Rule:
        filt = rule.get("Filter")
        prefix, tags = "", {}
        if filt is None:
            prefix = rule.get("Prefix", "")  # the V1 schema
        elif "And" in filt:
            prefix = filt["And"].get("Prefix", "")
            tags = {t["Key"]: t["Value"] for t in filt["And"].get("Tags", [])}
        else:
            prefix = filt.get("Prefix", "")
            if "Tag" in filt:
                tags = {filt["Tag"]["Key"]: filt["Tag"]["Value"]}
        dest = rule.get("Destination", {})
        sse = rule.get("SourceSelectionCriteria", {}).get("SseKmsEncryptedObjects", {})
        return cls(
            id=str(rule.get("ID", "")),
            priority=int(rule.get("Priority") or 0),
            enabled=rule.get("Status") == "Enabled",
            prefix=prefix,
            tags=tags,
            destination=str(dest.get("Bucket", "")).rsplit(":", 1)[-1],
            delete_markers=(rule.get("DeleteMarkerReplication") or {}).get("Status") == "Enabled"
            and not tags,
            sse_kms=sse.get("Status") == "Enabled",
            replica_key=(dest.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID", ""),
            storage_class=dest.get("StorageClass", ""),
        )

    def matches(self, key: str, tags: dict[str, str]) -> bool:
        return key.startswith(self.prefix) and all(tags.get(k) == v for k, v in self.tags.items())


def _configuration(s3: Any, bucket: str) -> dict[str, Any]:
    try:
        return s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("ReplicationConfigurationNotFoundError", "NoSuchBucket"):
            raise ReplicationRefused(
                f"{bucket} has no replication configuration ({code})"
            ) from None
        raise


def _versioning(s3: Any, bucket: str) -> str:
    return s3.get_bucket_versioning(Bucket=bucket).get("Status", "Disabled")


def _region(s3: Any, bucket: str) -> str:
    return s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"


def _role_grants(iam: Any, role_arn: str, source: str) -> Grants | str:
    """The role's deployed policies, or why S3 cannot act as it.

    S3 assumes the role on behalf of the source bucket: the request carries
    ``aws:SourceAccount`` (the bucket owner) and ``aws:SourceArn`` (the bucket), which
    trust policies commonly test against the confused-deputy problem.
    """
    try:
        grants = documents_of_role(iam, role_arn)
        trust = iam.get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
    except ClientError:
        return f"replication role {role_arn} does not exist"
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    context = {"aws:SourceAccount": account, "aws:SourceArn": f"arn:aws:s3:::{source}"}
    if not who_can_assume(trust.get("AssumeRolePolicyDocument"), S3_SERVICE, context):
        return f"the trust policy of {role_arn} does not let {S3_SERVICE} assume it"
    return grants


class _Keys:
    """KMS key names (id, ARN, alias) -> key ARN, per region, read once from the emulator."""

    def __init__(self, admin: Any) -> None:
        self.admin = admin
        self._by_region: dict[str, KeyResolver] = {}

    def arn(self, name: str, region: str) -> str | None:
        if region not in self._by_region:
            self._by_region[region] = KeyResolver.from_client(self.admin("kms", region))
        return self._by_region[region].resolve(name)


@dataclass
class _Authorizer:
    """S3 replication's IAM check of one step, on the role's deployed policies."""

    grants: Grants
    keys: _Keys

    def denied(
        self, action: str, resource: str, context: dict[str, Any] | None = None
    ) -> str | None:
        """None if the role may, else why not (one sentence fragment)."""
        request_context = {"aws:PrincipalArn": self.grants.principal_arn, **(context or {})}
        decision = evaluate(
            Request(action, resource, request_context),
            self.grants.documents,
            boundary_docs=[self.grants.boundary] if self.grants.boundary else None,
        )
        return None if decision.allowed else f"the replication role may not {action} on {resource}"

    def key_denied(self, action: str, key_name: str, region: str, s3_arns: list[str]) -> str | None:
        """S3 calls KMS for the role: the request carries kms:ViaService and the S3
        encryption context (the object, or the bucket with S3 Bucket Keys)."""
        arn = self.keys.arn(key_name, region)
        if arn is None:
            return f"KMS key {key_name} does not exist in {region}"
        context = {
            "kms:ViaService": f"s3.{region}.amazonaws.com",
            "kms:CallerAccount": arn.split(":")[4],
            "kms:EncryptionContext:aws:s3:arn": s3_arns,
        }
        return self.denied(action, arn, context)


# -- what to copy ----------------------------------------------------------------------


@dataclass
class _Item:
    source: str  # bucket name
    key: str
    version_id: str
    delete_marker: bool
    rule: _Rule
    sse: str = ""  # the source object's ServerSideEncryption
    tagged: bool = False

    def outcome(self, status: str, why: str = "") -> Outcome:
        return Outcome(
            self.key, self.rule.destination, status, why, self.version_id, self.delete_marker
        )


def _plan(
    s3: Any,
    source: str,
    rules: list[_Rule],
    regions: dict[str, str],
    report: ReplicationReport,
) -> list[_Item]:
    """Admin-side: the current state of each key, the rule that wins, what is to do."""
    latest: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=source):
        for kind in ("Versions", "DeleteMarkers"):
            for entry in page.get(kind, []):
                if entry.get("IsLatest"):
                    latest[entry["Key"]] = {**entry, "marker": kind == "DeleteMarkers"}
    work: list[_Item] = []
    for key, entry in sorted(latest.items()):
        tags: dict[str, str] = {}
        head: dict[str, Any] = {}
        if not entry["marker"]:
            head = s3.head_object(Bucket=source, Key=key, VersionId=entry["VersionId"])
            if any(r.tags for r in rules):
                tags = {
                    t["Key"]: t["Value"]
                    for t in s3.get_object_tagging(
                        Bucket=source, Key=key, VersionId=entry["VersionId"]
                    ).get("TagSet", [])
                }
        winners: dict[str, _Rule] = {}
        for rule in rules:
            if not rule.matches(key, tags):
                continue
            best = winners.get(rule.destination)
            if best is None or rule.priority > best.priority:
                winners[rule.destination] = rule
        for rule in winners.values():
            item = _Item(
                source=source,
                key=key,
                version_id=entry["VersionId"],
                delete_marker=entry["marker"],
                rule=rule,
                sse=head.get("ServerSideEncryption", ""),
                tagged=bool(tags) or _has_tags(s3, source, key, entry),
            )
            skip = _skip_reason(s3, item, regions)
            if skip is None:
                work.append(item)
            else:
                status, why = skip
                report.outcomes.append(item.outcome(status, why))
    return work


def _has_tags(s3: Any, bucket: str, key: str, entry: dict[str, Any]) -> bool:
    if entry["marker"]:
        return False
    tagging = s3.get_object_tagging(Bucket=bucket, Key=key, VersionId=entry["VersionId"])
    return bool(tagging.get("TagSet"))


def _skip_reason(s3: Any, item: _Item, regions: dict[str, str]) -> tuple[str, str] | None:
    rule = item.rule
    if not rule.enabled:
        return "SKIPPED", f"rule {rule.id!r} is disabled"
    if item.sse == "aws:kms" and not rule.sse_kms:
        return "SKIPPED", (
            "the object is SSE-KMS encrypted and the rule does not opt in "
            "(SourceSelectionCriteria.SseKmsEncryptedObjects)"
        )
    if item.delete_marker and not rule.delete_markers:
        return "SKIPPED", f"rule {rule.id!r} does not replicate delete markers"
    current = _current(s3, rule.destination, item.key)
    if item.delete_marker:
        if current is None or current.get("marker"):
            return "COMPLETED", "already deleted in the destination"
        return None
    if current and not current.get("marker"):
        source = s3.head_object(Bucket=item.source, Key=item.key, VersionId=item.version_id)
        if current.get("ETag") == source.get("ETag"):
            return "COMPLETED", "already up to date in the destination"
    return None


def _current(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    for kind in ("Versions", "DeleteMarkers"):
        for entry in listing.get(kind, []):
            if entry["Key"] == key and entry.get("IsLatest"):
                return {**entry, "marker": kind == "DeleteMarkers"}
    return None


# -- copying, as the role --------------------------------------------------------------


def _copy(
    auth: _Authorizer,
    admin: Any,
    source: str,
    regions: dict[str, str],
    work: list[_Item],
    report: ReplicationReport,
) -> None:
    why = auth.denied("s3:GetReplicationConfiguration", f"arn:aws:s3:::{source}")
    if why:
        report.outcomes += [item.outcome("FAILED", why) for item in work]
        return
    src = admin("s3", regions[source])
    for item in work:
        dest_region = regions[item.rule.destination]
        why = _step_denied(auth, src, source, regions[source], dest_region, item)
        if why:
            report.outcomes.append(item.outcome("FAILED", why))
        else:
            report.outcomes.append(_copy_one(src, admin("s3", dest_region), source, item))


def _step_denied(
    auth: _Authorizer, src: Any, source: str, src_region: str, dest_region: str, item: _Item
) -> str | None:
    """Why S3 replication may not copy this item as the role, or None."""
    rule = item.rule
    target = f"arn:aws:s3:::{rule.destination}/{item.key}"
    if item.delete_marker:
        return auth.denied("s3:ReplicateDelete", target)
    checks = [("s3:GetObjectVersionForReplication", f"arn:aws:s3:::{source}/{item.key}")]
    if item.tagged:
        checks.append(("s3:GetObjectVersionTagging", f"arn:aws:s3:::{source}/{item.key}"))
    checks.append(("s3:ReplicateObject", target))
    if item.tagged:
        checks.append(("s3:ReplicateTags", target))
    for action, resource in checks:
        why = auth.denied(action, resource)
        if why:
            return why
    if item.sse == "aws:kms":
        head = src.head_object(Bucket=source, Key=item.key, VersionId=item.version_id)
        source_key = head.get("SSEKMSKeyId", "")
        source_arns = [f"arn:aws:s3:::{source}/{item.key}", f"arn:aws:s3:::{source}"]
        dest_arns = [target, f"arn:aws:s3:::{rule.destination}"]
        return auth.key_denied("kms:Decrypt", source_key, src_region, source_arns) or (
            auth.key_denied("kms:Encrypt", rule.replica_key, dest_region, dest_arns)
        )
    return None


def _copy_one(src: Any, dest: Any, source: str, item: _Item) -> Outcome:
    rule = item.rule
    if item.delete_marker:
        dest.delete_object(Bucket=rule.destination, Key=item.key)
        return item.outcome("COMPLETED", "delete marker replicated")
    got = src.get_object(Bucket=source, Key=item.key, VersionId=item.version_id)
    body = got["Body"].read()
    put: dict[str, Any] = {"Bucket": rule.destination, "Key": item.key, "Body": body}
    for field_, arg in (("ContentType", "ContentType"), ("Metadata", "Metadata")):
        if got.get(field_):
            put[arg] = got[field_]
    if rule.storage_class:
        put["StorageClass"] = rule.storage_class
    if item.sse == "aws:kms":
        put["ServerSideEncryption"] = "aws:kms"
        put["SSEKMSKeyId"] = rule.replica_key
    elif item.sse == "AES256":
        put["ServerSideEncryption"] = "AES256"
    tags = None
    if item.tagged:
        tags = src.get_object_tagging(Bucket=source, Key=item.key, VersionId=item.version_id)
    dest.put_object(**put)
    if tags is not None:
        dest.put_object_tagging(
            Bucket=rule.destination, Key=item.key, Tagging={"TagSet": tags["TagSet"]}
        )
    return item.outcome("COMPLETED", "replicated")


__all__ = [
    "Outcome",
    "ReplicationRefused",
    "ReplicationReport",
    "as_replication_role",
    "replicate",
]
