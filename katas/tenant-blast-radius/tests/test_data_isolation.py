"""R1: each tenant's data is in its own bucket, under its own key only its workload uses."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from harness.iam import PrincipalGrant, Request, evaluate, grants_of

# R1: "allows no other principal any data-key or cryptographic action (kms:Decrypt,
# kms:Encrypt, kms:GenerateDataKey*, kms:ReEncrypt*)"
CRYPTO = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
# R1: "nor kms:CreateGrant to any principal but the account root": a grant lets its
# grantee use the key; for the root it is administration, like kms:PutKeyPolicy.
GRANTS = ("kms:CreateGrant",)
# R1: "allows that tenant's worker role (named by its ARN) to use the key for kms:Decrypt
# and kms:GenerateDataKey"
WORKLOAD_USE = ("kms:Decrypt", "kms:GenerateDataKey")


def _sse_kms_key(s3, bucket: str) -> tuple[str | None, str]:
    """The key named by the bucket's default encryption rule, or (None, why not)."""
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
    except ClientError as exc:
        return None, f"has no default encryption ({exc.response['Error']['Code']})"
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
            key = default.get("KMSMasterKeyID")
            if not key:
                return None, "encrypts with the AWS managed key aws/s3, not the tenant's key"
            return key, ""
        return None, f"encrypts with {default.get('SSEAlgorithm')}, not SSE-KMS"
    return None, "has no default encryption rule"


@pytest.mark.requirement("R1")
def test_each_tenant_has_its_own_bucket_and_key(platform, aws, expect):
    s3, kms = aws("s3"), aws("kms")
    clause = 'R1 "own-bucket-and-key"'
    wrong = []
    owners_of_bucket: dict[str, list[str]] = {}
    owners_of_key: dict[str, list[str]] = {}
    for t in platform.tenants.values():
        owners_of_bucket.setdefault(t.bucket, []).append(t.name)
        key, why = _sse_kms_key(s3, t.bucket)
        if key is None:
            wrong.append(f"{clause}: {t.name}'s bucket {t.bucket} {why}")
            continue
        key_arn = platform.keys.resolve(key)
        if key_arn is None or not platform.keys.same_key(key_arn, t.key_arn):
            wrong.append(
                f"{clause}: {t.name}'s bucket {t.bucket} encrypts with {key}, not the tenant's "
                f"key {t.key_arn or '(not exported)'}"
            )
            continue
        owners_of_key.setdefault(key_arn, []).append(t.name)
        meta = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
        if meta.get("KeyManager") != "CUSTOMER":
            wrong.append(f"{clause}: {t.name}'s key {key_arn} is not customer-managed")
    for bucket, owners in owners_of_bucket.items():
        if len(owners) > 1:
            wrong.append(f"{clause}: tenants {', '.join(owners)} share the bucket {bucket}")
    for key, owners in owners_of_key.items():
        if len(owners) > 1:
            wrong.append(f"{clause}: tenants {', '.join(owners)} share the key {key}")
    expect.no_findings(wrong)


@pytest.mark.requirement("R1")
def test_only_the_tenants_workload_can_use_its_key(platform, deployed, expect):
    """The emulator does not evaluate key policies: the IAM model reads the deployed one."""
    clause = 'R1 "key-policy"'
    root = f"arn:aws:iam::{platform.account}:root"
    owners = {t.role_arn: t.name for t in platform.tenants.values() if t.role_arn}
    wrong = []
    for t in platform.tenants.values():
        policy = deployed.key_policies.get(t.name)
        if policy is None:
            wrong.append(f"{clause}: {t.name}'s key cannot be read from the tenants export")
            continue
        for action in WORKLOAD_USE:
            ctx = {"aws:PrincipalArn": t.role_arn}
            decision = evaluate(Request(action, t.key_arn, ctx), [], resource_docs=[policy])
            if not decision.allowed:
                wrong.append(
                    f"{clause}: {t.name}'s key policy does not let its worker role "
                    f"{t.role_arn} call {action} ({decision.reason})"
                )
        # Every Allow statement, whatever its conditions: kms:ViaService or
        # kms:CallerAccount narrow the path of a request, not who may make it.
        for grant in grants_of(policy, CRYPTO, t.key_arn):
            if not _names_only(grant, t.role_arn):
                wrong.append(
                    f"{clause}: {t.name}'s key policy, {_where(grant)}, lets "
                    f"{_who(grant, root, owners, t.name)} use the key "
                    f"({', '.join(sorted(grant.actions))}); only its worker role "
                    f"{t.role_arn} may"
                )
        for grant in grants_of(policy, GRANTS, t.key_arn):
            if not _names_only(grant, root):
                wrong.append(
                    f"{clause}: {t.name}'s key policy, {_where(grant)}, lets "
                    f"{_who(grant, root, owners, t.name)} call kms:CreateGrant (a grant lets "
                    f"its grantee use the key); only the account root may"
                )
    expect.no_findings(wrong)


def _names_only(grant: PrincipalGrant, arn: str) -> bool:
    """Whether the grant is to exactly this IAM principal (not to everyone but it)."""
    return grant.principal_type == "AWS" and grant.principal == arn and not grant.not_principal


def _where(grant: PrincipalGrant) -> str:
    return f"statement {grant.sid!r}" if grant.sid else "an unnamed statement"


def _who(grant: PrincipalGrant, root: str, owners: dict[str, str], tenant: str) -> str:
    """Who a key policy grant reaches, in the SPEC's words."""
    principal = grant.principal
    if grant.not_principal:
        return f"every principal but {principal} (NotPrincipal)"
    if principal == "*":
        return '"*" (every principal: conditions narrow the path, not the principal)'
    if principal == root:
        return f"the account root {root} (delegating use to every IAM policy of the account)"
    if owners.get(principal, tenant) != tenant:
        return f"{owners[principal]}'s worker role {principal}"
    return f"{principal} (not {tenant}'s worker role)"
