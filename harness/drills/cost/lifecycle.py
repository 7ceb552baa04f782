"""Age objects against a bucket's lifecycle rules, as deployed, on a virtual clock.

What it models (S3 user guide, "Managing your storage lifecycle", "Lifecycle
configuration elements", "How Amazon S3 handles conflicts in lifecycle configurations"):

- **Which rules apply.** Enabled rules whose filter matches the object: the legacy
  top-level ``Prefix``; ``Filter`` with ``Prefix``, ``Tag``, ``ObjectSizeGreaterThan``,
  ``ObjectSizeLessThan`` or ``And`` of them (an empty filter matches every object).
- **Current versions.** On day *d* of its life an object is in the coldest storage class
  whose transition (``Days``) is due among the matching rules (S3 chooses e.g. Glacier
  over Standard-IA when both are due); an ``Expiration`` by ``Days`` that is due wins over
  any transition (the object is gone). Objects smaller than 128 KB never transition
  unless the configuration's ``TransitionDefaultMinimumObjectSize`` is
  ``varies_by_storage_class`` (S3's default since September 2024).
- **Noncurrent versions** expire ``NoncurrentDays`` after they become noncurrent (the
  smallest among matching rules). A rule with ``NewerNoncurrentVersions`` *n* > 0 expires
  a version only once *n* newer noncurrent versions of its object exist as well, so it
  never expires the versions of an object rewritten fewer times: the drill judges that
  worst case, and only rules without it count (another matching rule may still expire
  the version). moto drops ``NewerNoncurrentVersions`` from what it stores, so
  ``read_lifecycle`` takes it from the deployed rules (the program's inputs) when the
  emulator has none.
- **Incomplete multipart uploads** are aborted ``DaysAfterInitiation`` after they began;
  S3 accepts this action only in rules filtered by prefix, so the key's prefix decides.

Not modeled: rules by ``Date`` (reported as ``NotModeled``), S3's rounding of an
action's time to the next midnight UTC, noncurrent-version transitions, delete markers,
minimum storage durations and their early-deletion charges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

# Warmest to coldest: when several transitions are due, the later in this order wins.
CLASSES = (
    "STANDARD",
    "INTELLIGENT_TIERING",
    "STANDARD_IA",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
ARCHIVE = frozenset({"GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"})
SMALL_OBJECT_BYTES = 128 * 1024


class NotModeled(Exception):
    """The deployed configuration uses something this drill does not model."""


@dataclass(frozen=True)
class _Filter:
    prefix: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    larger_than: int | None = None
    smaller_than: int | None = None

    def matches(self, key: str, size: int, tags: Mapping[str, str]) -> bool:
        if not key.startswith(self.prefix):
            return False
        if any(tags.get(k) != v for k, v in self.tags):
            return False
        if self.larger_than is not None and not size > self.larger_than:
            return False
        return self.smaller_than is None or size < self.smaller_than


def _filter(rule: dict[str, Any]) -> _Filter:
    if "Filter" not in rule:
        return _Filter(prefix=rule.get("Prefix") or "")
    f = rule.get("Filter") or {}
    both = f.get("And") or {}
    tags = [f["Tag"]] if f.get("Tag") else list(both.get("Tags") or [])
    return _Filter(
        prefix=f.get("Prefix") or both.get("Prefix") or "",
        tags=tuple((t["Key"], t["Value"]) for t in tags),
        larger_than=f.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan")),
        smaller_than=f.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan")),
    )


def _days(block: dict[str, Any], what: str, rule_id: str) -> int | None:
    if "Date" in block:
        raise NotModeled(f"rule {rule_id!r}: {what} by Date is not modeled (only by Days)")
    return None if block.get("Days") is None else int(block["Days"])


@dataclass(frozen=True)
class Rule:
    id: str
    filter: _Filter
    transitions: tuple[tuple[int, str], ...]
    expiration_days: int | None
    noncurrent_days: int | None
    abort_multipart_days: int | None
    newer_noncurrent_versions: int = 0  # >0: keeps that many noncurrent versions anyway

    @classmethod
    def from_api(cls, rule: dict[str, Any], deployed_newer: int = 0) -> Rule:
        """One rule as S3 returns it; ``deployed_newer``: the rule's NewerNoncurrentVersions
        as deployed, used when the emulator returns none."""
        rule_id = rule.get("ID") or "(unnamed)"
        transitions = []
        for t in rule.get("Transitions") or []:
            days = _days(t, "a transition", rule_id)
            if days is not None:
                transitions.append((days, t["StorageClass"]))
        expiration = rule.get("Expiration") or {}
        noncurrent = rule.get("NoncurrentVersionExpiration") or {}
        abort = rule.get("AbortIncompleteMultipartUpload") or {}
        return cls(
            id=rule_id,
            filter=_filter(rule),
            transitions=tuple(transitions),
            expiration_days=_days(expiration, "expiration", rule_id) if expiration else None,
            noncurrent_days=noncurrent.get("NoncurrentDays"),
            abort_multipart_days=abort.get("DaysAfterInitiation"),
            newer_noncurrent_versions=int(
                noncurrent.get("NewerNoncurrentVersions") or deployed_newer or 0
            ),
        )


@dataclass(frozen=True)
class Lifecycle:
    rules: tuple[Rule, ...]
    small_objects_transition: bool = False

    def _matching(self, key: str, size: int, tags: Mapping[str, str]) -> list[Rule]:
        return [r for r in self.rules if r.filter.matches(key, size, tags)]

    def storage_class(
        self, key: str, size: int, age_days: int, tags: Mapping[str, str] | None = None
    ) -> str | None:
        """The object's class on day ``age_days`` of its life; None once it expired."""
        rules = self._matching(key, size, tags or {})
        if any(r.expiration_days is not None and r.expiration_days <= age_days for r in rules):
            return None
        if size < SMALL_OBJECT_BYTES and not self.small_objects_transition:
            return "STANDARD"
        due = [c for r in rules for days, c in r.transitions if days <= age_days]
        return max(due, key=CLASSES.index, default="STANDARD")

    def noncurrent_days(
        self, key: str, size: int, tags: Mapping[str, str] | None = None
    ) -> int | None:
        """Days a noncurrent version is kept; None: forever. The worst case: its object has
        fewer newer noncurrent versions than any rule keeps, so a rule with
        NewerNoncurrentVersions never expires it."""
        days = [
            r.noncurrent_days
            for r in self._matching(key, size, tags or {})
            if not r.newer_noncurrent_versions
        ]
        return min((d for d in days if d is not None), default=None)

    def multipart_days(self, key: str) -> int | None:
        """Days an incomplete multipart upload of ``key`` is kept; None: forever."""
        days = [
            r.abort_multipart_days
            for r in self.rules
            if not r.filter.tags and key.startswith(r.filter.prefix)
        ]
        return min((d for d in days if d is not None), default=None)


def deployed_newer_noncurrent(rules: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Rule id -> NewerNoncurrentVersions, from a BucketLifecycleConfiguration's deployed
    ``rules`` (the provider's camelCase inputs); rules without it are left out."""
    found: dict[str, int] = {}
    for rule in rules:
        expiration = rule.get("noncurrentVersionExpiration") or {}
        newer = expiration.get("newerNoncurrentVersions")
        if rule.get("id") and newer not in (None, ""):
            found[str(rule["id"])] = int(newer)
    return found


def read_lifecycle(
    s3: Any, bucket: str, deployed_newer: Mapping[str, int] | None = None
) -> Lifecycle:
    """The bucket's enabled rules, read from the emulator (none: an empty lifecycle).
    ``deployed_newer`` (see ``deployed_newer_noncurrent``) fills in the rules'
    NewerNoncurrentVersions, which moto does not store."""
    try:
        conf = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    except ClientError as exc:
        if "NoSuchLifecycleConfiguration" in str(exc):
            return Lifecycle(rules=())
        raise
    newer = deployed_newer or {}
    rules = tuple(
        Rule.from_api(r, newer.get(r.get("ID") or "", 0))
        for r in conf.get("Rules", [])
        if r.get("Status") == "Enabled"
    )
    small = conf.get("TransitionDefaultMinimumObjectSize") == "varies_by_storage_class"
    return Lifecycle(rules=rules, small_objects_transition=small)
