"""R5: during an incident, break-glass can look at everything in the pipeline and change nothing."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R5")
def test_break_glass_can_read_the_pipeline(pipeline, act_as, expect):
    data, reports = pipeline.data_bucket, pipeline.reports_bucket
    with act_as("break-glass", pipeline.AS_DEPLOYED) as break_glass:
        s3, sqs = break_glass.client("s3"), break_glass.client("sqs")
        expect.allowed(
            'R5 "it may read the pipeline": break-glass',
            {
                "s3:GetObject raw/…": lambda: s3.get_object(Bucket=data, Key=pipeline.RAW_SEED),
                "s3:GetObject curated/…": lambda: s3.get_object(
                    Bucket=data, Key=pipeline.CURATED_SEED
                ),
                "s3:GetObject in the reports bucket": lambda: s3.get_object(
                    Bucket=reports, Key=pipeline.REPORT_SEED
                ),
                "s3:ListBucket on the data bucket": lambda: s3.list_objects_v2(Bucket=data),
                "s3:ListBucket on the reports bucket": lambda: s3.list_objects_v2(Bucket=reports),
                "sqs:GetQueueAttributes of the ingest queue": lambda: sqs.get_queue_attributes(
                    QueueUrl=pipeline.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
                ),
            },
        )


@pytest.mark.requirement("R5")
def test_break_glass_changes_nothing(
    pipeline, act_as, expect, bucket_policy_probe, data_bucket_policy_restored
):
    data, reports, mark = pipeline.data_bucket, pipeline.reports_bucket, pipeline.MARK
    with act_as("break-glass", pipeline.POLICIES_ALONE) as break_glass:
        s3, sqs = break_glass.client("s3"), break_glass.client("sqs")
        q = pipeline.queue_url
        expect.denied(
            'R5 "it is read-only over the pipeline": break-glass (policies alone)',
            {
                "s3:PutObject raw/…": lambda: s3.put_object(
                    Bucket=data, Key=f"raw/{mark}/break-glass.json", Body=b"{}"
                ),
                "s3:PutObject curated/…": lambda: s3.put_object(
                    Bucket=data, Key=f"curated/{mark}/break-glass.json", Body=b"{}"
                ),
                "s3:PutObject in the reports bucket": lambda: s3.put_object(
                    Bucket=reports, Key=f"{mark}/break-glass.csv", Body=b""
                ),
                "s3:DeleteObject curated/…": lambda: s3.delete_object(
                    Bucket=data, Key=f"curated/{mark}/never-written.json"
                ),
                "s3:DeleteObject in the reports bucket": lambda: s3.delete_object(
                    Bucket=reports, Key=f"{mark}/never-written.csv"
                ),
                "s3:PutBucketPolicy on the data bucket": lambda: s3.put_bucket_policy(
                    Bucket=data, Policy=bucket_policy_probe(data)
                ),
                "s3:DeleteBucket on the reports bucket": lambda: s3.delete_bucket(Bucket=reports),
                f"s3:GetObject in {pipeline.neighbour_bucket}": lambda: s3.get_object(
                    Bucket=pipeline.neighbour_bucket, Key=pipeline.CURATED_SEED
                ),
                # Receiving is not reading: it hides the message from ingest for the
                # visibility timeout and counts towards the dead-letter redrive.
                "sqs:ReceiveMessage from the ingest queue": lambda: sqs.receive_message(
                    QueueUrl=q, VisibilityTimeout=0
                ),
                "sqs:SendMessage to the ingest queue": lambda: sqs.send_message(
                    QueueUrl=q, MessageBody=mark
                ),
                "sqs:PurgeQueue on the ingest queue": lambda: sqs.purge_queue(QueueUrl=q),
            },
        )


@pytest.mark.requirement("R5")
def test_break_glass_grants_are_reads_of_the_pipeline(least_privilege, expect):
    # Every grant of its own policies, however spelled: s3:PutObjectTagging or
    # sqs:ReceiveMessage hidden in a wildcard is a change, not a read.
    expect.no_findings(least_privilege("break-glass"))
