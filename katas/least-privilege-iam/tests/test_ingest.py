"""R1, R2: the ingest service consumes its queue and lands files under raw/, nothing more."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R1")
def test_ingest_consumes_the_ingest_queue(pipeline, act_as, aws, expect):
    q = pipeline.queue_url
    admin = aws("sqs")
    admin.send_message(QueueUrl=q, MessageBody=f'{{"{pipeline.MARK}": "ingest"}}')
    # The harness takes delivery, so the receipt handle does not depend on ingest's rights.
    receipt = admin.receive_message(QueueUrl=q, MaxNumberOfMessages=1)["Messages"][0][
        "ReceiptHandle"
    ]
    with act_as("ingest", pipeline.AS_DEPLOYED) as ingest:
        sqs = ingest.client("sqs")
        expect.allowed(
            'R1 "it may consume the ingest queue": ingest',
            {
                "sqs:ReceiveMessage": lambda: sqs.receive_message(QueueUrl=q),
                "sqs:ChangeMessageVisibility": lambda: sqs.change_message_visibility(
                    QueueUrl=q, ReceiptHandle=receipt, VisibilityTimeout=0
                ),
                "sqs:DeleteMessage": lambda: sqs.delete_message(QueueUrl=q, ReceiptHandle=receipt),
                "sqs:GetQueueAttributes": lambda: sqs.get_queue_attributes(
                    QueueUrl=q, AttributeNames=["ApproximateNumberOfMessages"]
                ),
            },
        )


@pytest.mark.requirement("R1")
def test_ingest_can_do_nothing_else_in_sqs(pipeline, act_as, aws, expect):
    q, other = pipeline.queue_url, pipeline.neighbour_queue_url
    timeout = aws("sqs").get_queue_attributes(QueueUrl=q, AttributeNames=["VisibilityTimeout"])[
        "Attributes"
    ]["VisibilityTimeout"]
    with act_as("ingest", pipeline.POLICIES_ALONE) as ingest:
        sqs = ingest.client("sqs")
        expect.denied(
            'R1 "every other SQS action, and any other queue, is denied": ingest (policies alone)',
            {
                "sqs:SendMessage to the ingest queue": lambda: sqs.send_message(
                    QueueUrl=q, MessageBody=pipeline.MARK
                ),
                "sqs:PurgeQueue on the ingest queue": lambda: sqs.purge_queue(QueueUrl=q),
                # Re-sets the current value: harmless should it get through.
                "sqs:SetQueueAttributes on the ingest queue": lambda: sqs.set_queue_attributes(
                    QueueUrl=q, Attributes={"VisibilityTimeout": timeout}
                ),
                "sqs:ReceiveMessage from another queue": lambda: sqs.receive_message(
                    QueueUrl=other
                ),
                "sqs:GetQueueAttributes of another queue": lambda: sqs.get_queue_attributes(
                    QueueUrl=other, AttributeNames=["QueueArn"]
                ),
            },
        )


@pytest.mark.requirement("R2")
def test_ingest_writes_under_raw(pipeline, act_as, expect):
    key = f"raw/{pipeline.MARK}/check.json"
    with act_as("ingest", pipeline.AS_DEPLOYED) as ingest:
        s3 = ingest.client("s3")
        expect.allowed(
            'R2 "it may put objects under raw/": ingest',
            {
                f"s3:PutObject {key}": lambda: s3.put_object(
                    Bucket=pipeline.data_bucket, Key=key, Body=b"{}"
                ),
            },
        )


@pytest.mark.requirement("R2")
def test_ingest_can_do_nothing_else_in_s3(pipeline, act_as, expect):
    data, reports, mark = pipeline.data_bucket, pipeline.reports_bucket, pipeline.MARK
    with act_as("ingest", pipeline.POLICIES_ALONE) as ingest:
        s3 = ingest.client("s3")

        def put(bucket: str, key: str):
            return lambda: s3.put_object(Bucket=bucket, Key=key, Body=b"{}")

        expect.denied(
            'R2 "it can only write objects under raw/ in the data bucket": ingest (policies alone)',
            {
                "s3:PutObject curated/…": put(data, f"curated/{mark}/ingest.json"),
                "s3:PutObject at the bucket root": put(data, f"{mark}-ingest.json"),
                "s3:PutObject raw-archive/… (raw* is not raw/)": put(
                    data, f"raw-archive/{mark}.json"
                ),
                "s3:PutObject rawdata… (raw* is not raw/)": put(data, f"rawdata-{mark}.json"),
                "s3:PutObject into the reports bucket": put(reports, f"{mark}/ingest.json"),
                f"s3:PutObject into {pipeline.neighbour_bucket}": put(
                    pipeline.neighbour_bucket, f"raw/{mark}/ingest.json"
                ),
                "s3:GetObject raw/…": lambda: s3.get_object(Bucket=data, Key=pipeline.RAW_SEED),
                "s3:GetObject curated/…": lambda: s3.get_object(
                    Bucket=data, Key=pipeline.CURATED_SEED
                ),
                "s3:DeleteObject raw/…": lambda: s3.delete_object(
                    Bucket=data, Key=f"raw/{mark}/never-written.json"
                ),
                "s3:ListBucket on the data bucket": lambda: s3.list_objects_v2(
                    Bucket=data, Prefix="raw/"
                ),
                "s3:DeleteBucket on the data bucket": lambda: s3.delete_bucket(Bucket=data),
            },
        )


@pytest.mark.requirement("R1")
def test_ingest_sqs_grants_are_the_four_consumer_actions(least_privilege, expect):
    # Probes show the calls someone thought of; this reads every SQS grant, however spelled.
    expect.no_findings(least_privilege("ingest", only="sqs:*"))


@pytest.mark.requirement("R2")
def test_ingest_other_grants_are_uploads_under_raw(least_privilege, expect):
    expect.no_findings(least_privilege("ingest", only=lambda action: not action.startswith("sqs:")))
