"""R3: the nightly reporting job reads curated/ and publishes to the reports bucket, only."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R3")
def test_reporting_reads_curated_and_writes_reports(pipeline, act_as, expect):
    data, key = pipeline.data_bucket, f"{pipeline.MARK}/check.csv"
    with act_as("reporting", pipeline.AS_DEPLOYED) as reporting:
        s3 = reporting.client("s3")
        expect.allowed(
            'R3 "it may read and list curated/ and publish reports": reporting',
            {
                "s3:GetObject curated/…": lambda: s3.get_object(
                    Bucket=data, Key=pipeline.CURATED_SEED
                ),
                "s3:ListBucket with Prefix=curated/": lambda: s3.list_objects_v2(
                    Bucket=data, Prefix="curated/"
                ),
                f"s3:PutObject {key} in the reports bucket": lambda: s3.put_object(
                    Bucket=pipeline.reports_bucket, Key=key, Body=b"day,total\n"
                ),
            },
        )


@pytest.mark.requirement("R3")
def test_reporting_can_do_nothing_else(pipeline, act_as, expect):
    data, reports, mark = pipeline.data_bucket, pipeline.reports_bucket, pipeline.MARK
    with act_as("reporting", pipeline.POLICIES_ALONE) as reporting:
        s3, sqs = reporting.client("s3"), reporting.client("sqs")

        def put(bucket: str, key: str):
            return lambda: s3.put_object(Bucket=bucket, Key=key, Body=b"{}")

        def get(bucket: str, key: str):
            # Authorization comes before the lookup: a missing key still answers the question.
            return lambda: s3.get_object(Bucket=bucket, Key=key)

        expect.denied(
            'R3 "it reads only curated/ and writes only the reports bucket": reporting '
            "(policies alone)",
            {
                "s3:GetObject raw/…": get(data, pipeline.RAW_SEED),
                "s3:GetObject curated-staging/… (curated* is not curated/)": get(
                    data, f"curated-staging/{mark}.json"
                ),
                f"s3:GetObject curated/… in {pipeline.neighbour_bucket}": get(
                    pipeline.neighbour_bucket, pipeline.CURATED_SEED
                ),
                "s3:GetObject in the reports bucket": get(reports, pipeline.REPORT_SEED),
                "s3:PutObject curated/…": put(data, f"curated/{mark}/reporting.json"),
                "s3:PutObject raw/…": put(data, f"raw/{mark}/reporting.json"),
                f"s3:PutObject into {pipeline.neighbour_bucket}": put(
                    pipeline.neighbour_bucket, f"{mark}/reporting.csv"
                ),
                "s3:DeleteObject in the reports bucket": lambda: s3.delete_object(
                    Bucket=reports, Key=f"{mark}/never-written.csv"
                ),
                "s3:DeleteObject curated/…": lambda: s3.delete_object(
                    Bucket=data, Key=f"curated/{mark}/never-written.json"
                ),
                "s3:DeleteBucket on the reports bucket": lambda: s3.delete_bucket(Bucket=reports),
                "sqs:ReceiveMessage from the ingest queue": lambda: sqs.receive_message(
                    QueueUrl=pipeline.queue_url
                ),
            },
        )


@pytest.mark.requirement("R3")
def test_reporting_grants_stay_within_its_allow_list(least_privilege, expect):
    # Reads every grant of the role's own policies. s3:ListBucket is authorized against
    # the bucket, not a key, and the emulator does not evaluate conditions: only the
    # s3:prefix condition (each value within curated/) keeps it off raw/, read here.
    expect.no_findings(least_privilege("reporting"))
