"""CKV_KATA_14 (replication re-encrypts SSE-KMS replicas in the destination), through
scan() and checkov."""

from __future__ import annotations

from harness.kata import PolicyCheck
from harness.policy.scan import scan
from harness.policy.tfplan import UNKNOWN
from harness.results import Outcome

REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
DEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def rule(key: str | None = DEST_KEY, opt_in: bool = True, status: str = "Enabled") -> dict:
    destination: dict = {"bucket": "arn:aws:s3:::standby"}
    if key is not None:
        destination["encryptionConfiguration"] = {"replicaKmsKeyId": key}
    out = {"id": "orders", "status": status, "filter": {"prefix": "orders/"},
           "deleteMarkerReplication": {"status": "Enabled"},
           "destination": destination}  # fmt: skip
    if opt_in:
        out["sourceSelectionCriteria"] = {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    return out


def test_replication_rules_must_reencrypt_kms_objects(make, by_resource, tmp_path) -> None:
    key = make("aws:kms/key:Key", "standby-key", {"description": "standby"})

    def config(name: str, *rules: dict, **extra: object):
        return make(REPLICATION, name, {"bucket": "primary", "role": "arn:aws:iam::1:role/r",
                                        "rules": list(rules)}, **extra)  # fmt: skip

    resources = [
        key,
        config("complete", rule()),
        config("key-by-ref", rule(key=UNKNOWN), property_dependencies={"rules": [key.urn]}),
        config("disabled-rule-ignored", rule(), rule(key=None, opt_in=False, status="Disabled")),
        config("no-replica-key", rule(key=None)),
        config("no-opt-in", rule(opt_in=False)),
    ]
    results = scan(resources, [PolicyCheck("CKV_KATA_14", "R3")], tmp_path)

    assert by_resource(results, "CKV_KATA_14") == {
        "complete": Outcome.PASSED,
        "key-by-ref": Outcome.PASSED,
        "disabled-rule-ignored": Outcome.PASSED,
        "no-replica-key": Outcome.FAILED,
        "no-opt-in": Outcome.FAILED,
    }
    messages = {r.resource: r.message for r in results if r.id == "CKV_KATA_14"}
    assert "replicas name no replica_kms_key_id" in messages["no-replica-key"]
    assert "SSE-KMS objects are not replicated" in messages["no-opt-in"]
