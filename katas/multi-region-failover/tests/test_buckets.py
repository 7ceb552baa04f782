"""R2: both buckets versioned, private, and encrypted with a rotating key of their own region."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@pytest.mark.requirement("R2")
@pytest.mark.parametrize("role", ["primary", "secondary"])
def test_bucket_is_versioned_private_and_encrypted_in_region(
    role, aws, export, expected, region_of
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
    key = default.get("KMSMasterKeyID", "")
    if default.get("SSEAlgorithm") != "aws:kms" or not key:
        problems.append(f"default encryption is {default or 'off'}, not SSE-KMS with a key")
    elif key.startswith("arn:") and region_of(key) != region:
        problems.append(
            f"encrypted with {key}, a key in {region_of(key)}: KMS keys are regional, so a "
            f"bucket in {region} needs a key of {region}"
        )
    else:
        try:
            meta = kms.describe_key(KeyId=key)["KeyMetadata"]
        except ClientError:
            problems.append(f"key {key} does not exist in {region}")
        else:
            if meta.get("KeyManager") != "CUSTOMER":
                problems.append(f"key {key} is AWS managed, not customer managed")
            if not kms.get_key_rotation_status(KeyId=meta["KeyId"]).get("KeyRotationEnabled"):
                problems.append(f"key {key} does not rotate")
    assert not problems, f"{role} bucket {bucket}: " + "; ".join(problems)
