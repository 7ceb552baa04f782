"""R9, R10: the buckets are private and encrypted; the stack says where everything is."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)
EXPORTS = (
    "dataBucketName",
    "reportsBucketName",
    "ingestQueueUrl",
    "ingestQueueArn",
    "ingestRoleArn",
    "reportingRoleArn",
    "breakGlassRoleArn",
    "boundaryPolicyArn",
    "onCallUserArn",
)


@pytest.mark.requirement("R9")
def test_buckets_block_all_public_access(pipeline, aws, expect):
    problems = []
    for bucket in (pipeline.data_bucket, pipeline.reports_bucket):
        try:
            config = aws("s3").get_public_access_block(Bucket=bucket)[
                "PublicAccessBlockConfiguration"
            ]
        except ClientError as exc:
            problems.append(f"{bucket}: no public access block ({exc.response['Error']['Code']})")
            continue
        off = [s for s in BLOCK_SETTINGS if not config.get(s)]
        if off:
            problems.append(f"{bucket}: public access block leaves {', '.join(off)} off")
    expect.no_findings(problems)


@pytest.mark.requirement("R9")
def test_buckets_encrypt_by_default(pipeline, aws, expect):
    problems = []
    for bucket in (pipeline.data_bucket, pipeline.reports_bucket):
        try:
            rules = aws("s3").get_bucket_encryption(Bucket=bucket)[
                "ServerSideEncryptionConfiguration"
            ]["Rules"]
        except ClientError as exc:
            problems.append(f"{bucket}: no default encryption ({exc.response['Error']['Code']})")
            continue
        algorithms = {
            r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules
        }
        if not algorithms & {"AES256", "aws:kms", "aws:kms:dsse"}:
            problems.append(f"{bucket}: default encryption rules {rules} set no algorithm")
    expect.no_findings(problems)


@pytest.mark.requirement("R10")
def test_exports_name_the_live_resources(stack, aws, expect):
    out = stack.outputs
    missing = [name for name in EXPORTS if not out.get(name)]
    expect.no_findings(missing, "stack exports missing: ")
    iam, s3, sqs = aws("iam"), aws("s3"), aws("sqs")
    wrong = []

    def expect_equal(export: str, live: str) -> None:
        if out[export] != live:
            wrong.append(f"{export} is {out[export]!r}; the deployed resource is {live!r}")

    for export in ("ingestRoleArn", "reportingRoleArn", "breakGlassRoleArn"):
        name = str(out[export]).rsplit("/", 1)[-1]
        try:
            expect_equal(export, iam.get_role(RoleName=name)["Role"]["Arn"])
        except ClientError:
            wrong.append(f"{export} {out[export]!r} names no role")
    user = str(out["onCallUserArn"]).rsplit("/", 1)[-1]
    expect_equal("onCallUserArn", iam.get_user(UserName=user)["User"]["Arn"])
    policy = iam.get_policy(PolicyArn=out["boundaryPolicyArn"])["Policy"]
    expect_equal("boundaryPolicyArn", policy["Arn"])
    for export in ("dataBucketName", "reportsBucketName"):
        s3.head_bucket(Bucket=out[export])
    queue_arn = sqs.get_queue_attributes(
        QueueUrl=out["ingestQueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    expect_equal("ingestQueueArn", queue_arn)
    expect.no_findings(wrong)
