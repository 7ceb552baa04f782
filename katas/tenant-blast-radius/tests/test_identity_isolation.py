"""R2: a tenant's worker role reaches only its own bucket, queue and key.

S3 and SQS calls are real, made as each tenant's role with the emulator's IAM
enforcement on. The emulator authorizes KMS calls against no particular key and ignores
key policies, so KMS use is decided by the IAM model on the deployed role policies and
key policy: either layer letting a cross-tenant call through fails.
"""

from __future__ import annotations

import pytest

from harness.iam import Allowed, Request, evaluate, violations

KMS_USE = ("kms:Decrypt", "kms:GenerateDataKey")


def _kms_decision(tenant, key_owner, deployed, action):
    grants = deployed.grants.get(tenant.name)
    identity = list(grants.documents) if grants else []
    key_policy = deployed.key_policies.get(key_owner.name)
    resource = [("key policy", key_policy)] if key_policy is not None else []
    ctx = {"aws:PrincipalArn": tenant.role_arn}
    return evaluate(Request(action, key_owner.key_arn, ctx), identity, resource_docs=resource)


@pytest.mark.requirement("R2")
def test_each_worker_reaches_its_own_bucket_queue_and_key(
    platform, workers, principals, aws, deployed, expect
):
    clause = 'R2 "own-access"'
    sqs_admin = aws("sqs")
    wrong = []
    # The harness takes delivery first, so the receipt does not depend on the worker's rights.
    receipts = {}
    for t in platform.tenants.values():
        sqs_admin.send_message(QueueUrl=t.queue_url, MessageBody='{"kata-check": "own-access"}')
        receipts[t.name] = sqs_admin.receive_message(QueueUrl=t.queue_url, MaxNumberOfMessages=1)[
            "Messages"
        ][0]["ReceiptHandle"]
    with principals.enforced():
        for t in platform.tenants.values():
            s3, sqs = workers[t.name].client("s3"), workers[t.name].client("sqs")
            own_key = f"kata-check/{t.name}/own.json"
            wrong += expect.allowed(
                f"{clause}: {t.name}'s worker",
                {
                    f"s3:PutObject {t.bucket}/{own_key}": lambda s3=s3, t=t, k=own_key: (
                        s3.put_object(Bucket=t.bucket, Key=k, Body=b"{}")
                    ),
                    f"s3:GetObject {t.bucket}/{own_key}": lambda s3=s3, t=t, k=own_key: (
                        s3.get_object(Bucket=t.bucket, Key=k)
                    ),
                    "sqs:ReceiveMessage on its queue": lambda sqs=sqs, t=t: sqs.receive_message(
                        QueueUrl=t.queue_url
                    ),
                    "sqs:DeleteMessage on its queue": lambda sqs=sqs, t=t: sqs.delete_message(
                        QueueUrl=t.queue_url, ReceiptHandle=receipts[t.name]
                    ),
                    "sqs:GetQueueAttributes on its queue": lambda sqs=sqs, t=t: (
                        sqs.get_queue_attributes(QueueUrl=t.queue_url, AttributeNames=["All"])
                    ),
                },
            )
    for t in platform.tenants.values():
        for action in KMS_USE:
            decision = _kms_decision(t, t, deployed, action)
            if not decision.allowed:
                wrong.append(
                    f"{clause}: {t.name}'s worker cannot {action} with its key "
                    f"{t.key_arn} ({decision.reason}); the SPEC permits it"
                )
    expect.no_findings(wrong)


@pytest.mark.requirement("R2")
def test_no_worker_reaches_another_tenants_bucket_queue_or_key(
    platform, workers, principals, deployed, expect
):
    clause = 'R2 "cross-tenant-denied"'
    wrong = []
    with principals.enforced():
        for a, b in platform.pairs():
            s3, sqs = workers[a.name].client("s3"), workers[a.name].client("sqs")
            wrong += expect.denied(
                f"{clause}: {a.name}'s worker on {b.name}'s resources",
                {
                    f"s3:GetObject {b.bucket}/{b.name}'s document": lambda s3=s3, b=b: (
                        s3.get_object(Bucket=b.bucket, Key=f"kata-check/{b.name}/seed.json")
                    ),
                    f"s3:PutObject into {b.bucket}": lambda s3=s3, a=a, b=b: s3.put_object(
                        Bucket=b.bucket, Key=f"kata-check/{b.name}/from-{a.name}.json", Body=b"{}"
                    ),
                    f"s3:ListBucket {b.bucket}": lambda s3=s3, b=b: s3.list_objects_v2(
                        Bucket=b.bucket, Prefix=f"kata-check/{b.name}/"
                    ),
                    f"sqs:SendMessage to {b.queue_name}": lambda sqs=sqs, b=b: sqs.send_message(
                        QueueUrl=b.queue_url, MessageBody="kata-check"
                    ),
                    f"sqs:ReceiveMessage from {b.queue_name}": lambda sqs=sqs, b=b: (
                        sqs.receive_message(QueueUrl=b.queue_url, VisibilityTimeout=0)
                    ),
                },
            )
    for a, b in platform.pairs():
        for action in KMS_USE:
            decision = _kms_decision(a, b, deployed, action)
            if decision.allowed:
                wrong.append(
                    f"{clause}: {a.name}'s worker may {action} with {b.name}'s key "
                    f"{b.key_arn} — {decision.reason}"
                )
    expect.no_findings(wrong)


def _allow_list(t) -> list[Allowed]:
    # R2: the SPEC's list, written once.
    return [
        Allowed(["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], f"{t.bucket_arn}/*"),
        Allowed("s3:ListBucket", t.bucket_arn),
        Allowed(
            [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            t.queue_arn,
        ),
        Allowed(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], t.key_arn),
        Allowed(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "*"),
    ]


@pytest.mark.requirement("R2")
def test_worker_grants_are_the_specs_list(platform, deployed, expect):
    clause = 'R2 "allow-list"'
    wrong = []
    for t in platform.tenants.values():
        grants = deployed.grants.get(t.name)
        if grants is None:
            wrong.append(f"{clause}: {t.name}'s worker role {t.role_arn} cannot be read")
            continue
        found = violations(grants.principal_arn, grants.documents, _allow_list(t))
        # One line per grant as written: s3:* on a bucket is one finding, not a hundred.
        seen = set()
        for v in found:
            key = (v.document_name, v.sid, v.action_as_written, v.resource)
            if key not in seen:
                seen.add(key)
                wrong.append(v.message(f"{clause} ({t.name})"))
    expect.no_findings(wrong)
