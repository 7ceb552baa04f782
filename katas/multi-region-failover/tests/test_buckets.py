"""R2: both buckets versioned, private, and encrypted with a rotating key of their own region."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from harness.iam import parse_document

BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@pytest.mark.requirement("R2")
@pytest.mark.parametrize("role", ["primary", "secondary"])
def test_bucket_is_versioned_private_and_encrypted_in_region(
    role, aws, export, expected, region_of, keys
):
    region = expected.primary if role == "primary" else expected.secondary
    bucket = export(f"{role}BucketName")
    s3, kms = aws("s3", region), aws("kms", region)
    problems = []
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status", "never enabled")
    if status != "Enabled":
        problems.append(f"versioning is {status}")
    try:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        off = [s for s in BLOCKS if not block.get(s)]
        if off:
            problems.append(f"public access block leaves {', '.join(off)} off")
    except ClientError:
        problems.append("no public access block")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
    except ClientError:
        rules = []
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
    named = default.get("KMSMasterKeyID", "")
    key = keys(region).resolve(named) if named else None
    if default.get("SSEAlgorithm") != "aws:kms" or not named:
        problems.append(f"default encryption is {default or 'off'}, not SSE-KMS with a key")
    elif key is None or region_of(key) != region:
        # A key id, ARN or alias is resolved among the keys of the bucket's region.
        where = f"a key in {region_of(key)}" if key else f"no key of {region}"
        problems.append(
            f"default encryption names {named}, {where}: KMS keys are regional, so a "
            f"bucket in {region} needs a key of {region}"
        )
    else:
        meta = kms.describe_key(KeyId=key)["KeyMetadata"]
        if meta.get("KeyManager") != "CUSTOMER":
            problems.append(f"key {key} is AWS managed, not customer managed")
        if not kms.get_key_rotation_status(KeyId=meta["KeyId"]).get("KeyRotationEnabled"):
            problems.append(f"key {key} does not rotate")
        wildcard = _wildcard_principals(kms.get_key_policy(KeyId=key, PolicyName="default"))
        if wildcard:
            problems.append(f"the key policy of {key} allows {', '.join(wildcard)}")
    assert not problems, f"R2: the {role} bucket {bucket}: " + "; ".join(problems)


def _wildcard_principals(policy: dict) -> list[str]:
    """Allow statements whose principal is anyone ("*", {"AWS": "*"} or ["*"])."""
    document = parse_document(policy.get("Policy"))
    return [
        f"statement {s.sid or '(no Sid)'} to principal *"
        for s in document.allow_statements
        if s.not_principals is not None or "*" in (s.principals or {}).get("AWS", ())
    ]
