"""Resource-policy grants by principal: every Allow statement, whatever its conditions."""

from __future__ import annotations

from harness.iam import grants_of

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WORKER = f"arn:aws:iam::{ACCOUNT}:role/acme-worker"
CRYPTO = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_a_conditioned_star_statement_is_a_grant_to_everyone() -> None:
    via_s3 = {
        "Sid": "ViaS3",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:CallerAccount": ACCOUNT,
                "kms:ViaService": "s3.us-east-1.amazonaws.com",
            }
        },
    }
    [grant] = grants_of(policy(via_s3), CRYPTO, KEY)
    assert (grant.sid, grant.principal) == ("ViaS3", "*")
    assert "kms:GenerateDataKeyWithoutPlaintext" in grant.actions
    assert "kms:Decrypt" in grant.actions and "kms:Encrypt" not in grant.actions
    assert grant.conditions["StringEquals"]["kms:viaservice"] == ("s3.us-east-1.amazonaws.com",)
    assert "ViaS3" in grant.describe() and "*" in grant.describe()


def test_principal_forms_and_wildcard_actions() -> None:
    doc = policy(
        {"Effect": "Allow", "Principal": "*", "Action": "KMS:re*", "Resource": KEY},
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": [WORKER]}, "Action": "kms:Decrypt"},
    )
    got = {(g.principal, a) for g in grants_of(doc, CRYPTO, KEY) for a in g.actions}
    assert ("*", "kms:ReEncryptFrom") in got and ("*", "kms:Decrypt") not in got
    assert (f"arn:aws:iam::{ACCOUNT}:root", "kms:Encrypt") in got
    assert (WORKER, "kms:Decrypt") in got


def test_administration_deny_other_resources_and_not_principal() -> None:
    doc = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"],
            "Resource": "*",
        },
        {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/other",
        },
    )
    assert grants_of(doc, CRYPTO, KEY) == []
    negated = policy(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": WORKER},
            "NotAction": "kms:Put*",
            "Resource": "*",
        }
    )
    [grant] = grants_of(negated, CRYPTO, KEY)
    assert grant.not_principal and grant.principal == WORKER
    assert "everyone except" in grant.describe()
