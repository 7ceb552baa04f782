"""CKV_KATA_35: an S3 bucket that keeps release artifacts must have Object Lock.

Versioning keeps old versions, but anyone allowed ``s3:DeleteObjectVersion`` can still
remove a released artifact (and with it the rollback target and the audit trail).
Object Lock with a default retention makes every version undeletable for that long
(S3 enforces it; the emulator too). It can only be switched on when the bucket is
created (``object_lock_enabled``), which is why the check looks at the bucket.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class BucketObjectLock(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure S3 buckets of release artifacts have Object Lock enabled",
            id="CKV_KATA_35",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("aws_s3_bucket",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["object_lock_enabled"]
        if _first(conf.get("object_lock_enabled")) is True:
            return CheckResult.PASSED
        self.details.append("object_lock_enabled is not set")
        return CheckResult.FAILED


check = BucketObjectLock()
