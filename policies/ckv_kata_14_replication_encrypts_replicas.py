"""CKV_KATA_14: S3 replication must replicate KMS-encrypted objects and encrypt the
replicas with a key of the destination.

By default S3 skips objects encrypted with SSE-KMS: a bucket whose default encryption
is a customer-managed key replicates nothing until the rule opts in
(``source_selection_criteria.sse_kms_encrypted_objects``), and then only with a
``destination.encryption_configuration.replica_kms_key_id`` — a KMS key is regional,
so the replicas need one in the destination's region. Every enabled rule must do both.
A key known only after apply (a reference to a key of the same program) counts as set.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [b for v in value for b in _blocks(v)]
    return []


class ReplicationEncryptsReplicas(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure S3 replication rules replicate SSE-KMS objects into a "
            "destination-region key",
            id="CKV_KATA_14",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=("aws_s3_bucket_replication_configuration",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["rule"]
        rules = _blocks(conf.get("rule"))
        if not rules:
            return CheckResult.UNKNOWN
        problems = []
        for rule in rules:
            if _first(rule.get("status")) != "Enabled":
                continue
            name = _first(rule.get("id")) or "a rule"
            criteria = _first(rule.get("source_selection_criteria"))
            sse = _first(criteria.get("sse_kms_encrypted_objects")) if criteria else None
            if not (isinstance(sse, dict) and _first(sse.get("status")) == "Enabled"):
                problems.append(f"{name}: SSE-KMS objects are not replicated")
            destination = _first(rule.get("destination"))
            encryption = (
                destination.get("encryption_configuration")
                if isinstance(destination, dict)
                else None
            )
            # [{}]: the block is there, its key known only after apply (a reference).
            key = _first(encryption)
            if encryption is None or (
                isinstance(key, dict) and key.get("replica_kms_key_id") in ([], [""], [None], "")
            ):
                problems.append(f"{name}: replicas name no replica_kms_key_id")
        if problems:
            self.details.extend(problems)
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ReplicationEncryptsReplicas()
