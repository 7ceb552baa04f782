"""Fixtures shared by the multi-region-failover checks.

The checks read what was deployed (through the stack's exports and the emulator) and
run the harness's drills against it:

- ``harness.drills.route53_failover`` answers the service name the way Route 53
  failover routing would, from the zone's records and the health checks' state;
- ``harness.drills.cloudwatch_alarms`` takes the primary down (its health alarm goes
  to ALARM, or to INSUFFICIENT_DATA) and publishes what CloudWatch would to the
  alarm's topics;
- ``harness.drills.s3_replication`` runs the primary bucket's replication rules as S3
  would, acting as the configured role with IAM enforcement on.

What the checks expect (regions, domain, endpoints, tag values) comes from the kata's
own stack config in kata.yaml, not from the program. Every probe cleans up: test
objects carry ``kata-check`` in their key and are removed (all versions) from both
buckets; the health alarm is put back to OK; queues and neighbour buckets the checks
create are deleted, so converge and teardown judge the program alone.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from harness.drills import cloudwatch_alarms
from harness.drills.iam import Principals
from harness.drills.route53_failover import FailoverResolver

MARK = "kata-check"
NAMESPACE = "multi-region-failover"
GLOBAL_TYPES = ("aws:iam/", "aws:route53/")  # global services: no region of their own


@dataclass(frozen=True)
class Expected:
    """The stack config the program was given (kata.yaml), i.e. what the SPEC demands."""

    primary: str
    secondary: str
    domain: str
    primary_endpoint: str
    secondary_endpoint: str
    owner: str
    service: str

    @property
    def service_name(self) -> str:
        return f"api.{self.domain}"

    def region_role(self, region: str) -> str:
        return {self.primary: "primary", self.secondary: "secondary"}.get(region, region)


@pytest.fixture(scope="session")
def expected() -> Expected:
    raw = yaml.safe_load((Path(__file__).resolve().parent.parent / "kata.yaml").read_text())
    cfg = {k.split(":", 1)[1]: str(v) for k, v in raw["config"].items() if k.startswith(NAMESPACE)}
    return Expected(
        primary=cfg["primaryRegion"],
        secondary=cfg["secondaryRegion"],
        domain=cfg["domain"],
        primary_endpoint=cfg["primaryEndpoint"],
        secondary_endpoint=cfg["secondaryEndpoint"],
        owner=cfg["owner"],
        service=cfg["service"],
    )


@pytest.fixture(scope="session")
def export(stack: Any) -> Callable[[str], Any]:
    """``export("zoneId")``: a stack export the SPEC requires; fails the check if missing."""

    def get(name: str) -> Any:
        value = stack.outputs.get(name)
        assert value, f"the stack does not export {name!r} (SPEC, Exports)"
        return value

    return get


@pytest.fixture(scope="session")
def principals(emulator: Any, region: str) -> Iterator[Principals]:
    p = Principals(emulator, region)
    try:
        yield p
    finally:
        p.close()


# --- the region-failure drill ----------------------------------------------------------


@pytest.fixture
def failover(aws: Callable[..., Any], export: Callable[[str], Any], expected: Expected) -> Any:
    """The resolver plus the primary's health alarm, put back to OK after the check."""
    resolver = FailoverResolver(aws)
    alarm = export("healthAlarmName")

    class Drill:
        def resolve(self) -> Any:
            return resolver.resolve(export("zoneId"), expected.service_name)

        def alarm_state(self, state: str, reason: str) -> Any:
            return cloudwatch_alarms.set_state(aws, alarm, expected.primary, state, reason)

        def healthy(self) -> Any:
            return self.alarm_state("OK", "kata-check: primary serving")

        def take_down(self) -> Any:
            return self.alarm_state("ALARM", "kata-check: region failure drill")

        def explain(self, answer: Any) -> str:
            return f"{answer.values} ({answer.failover}); " + " / ".join(answer.trace)

    drill = Drill()
    try:
        yield drill
    finally:
        with contextlib.suppress(ClientError, KeyError):
            cloudwatch_alarms.describe(aws, alarm, expected.primary)
            aws("cloudwatch", expected.primary).set_alarm_state(
                AlarmName=alarm, StateValue="OK", StateReason="kata-check: restored"
            )


# --- test data in the buckets ----------------------------------------------------------


@dataclass
class Buckets:
    primary: str
    secondary: str
    s3_primary: Any
    s3_secondary: Any

    def key(self, prefix: str, suffix: str = ".json") -> str:
        return f"{prefix}{MARK}/{uuid.uuid4().hex[:8]}{suffix}"

    def read_standby(self, key: str) -> dict[str, Any] | None:
        """The object as the standby region serves it, or None if it has none."""
        try:
            got = self.s3_secondary.get_object(Bucket=self.secondary, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404", "NoSuchBucket"):
                return None
            raise
        return {**got, "Body": got["Body"].read()}


def _remove_marked(s3: Any, bucket: str) -> None:
    with contextlib.suppress(ClientError):
        listing = s3.list_object_versions(Bucket=bucket)
        for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            if MARK in item["Key"]:
                s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])


@pytest.fixture
def buckets(
    aws: Callable[..., Any], export: Callable[[str], Any], expected: Expected
) -> Iterator[Buckets]:
    b = Buckets(
        primary=export("primaryBucketName"),
        secondary=export("secondaryBucketName"),
        s3_primary=aws("s3", expected.primary),
        s3_secondary=aws("s3", expected.secondary),
    )
    try:
        yield b
    finally:
        _remove_marked(b.s3_primary, b.primary)
        _remove_marked(b.s3_secondary, b.secondary)


# --- a pager subscribed to a topic -----------------------------------------------------


@pytest.fixture
def pager(aws: Callable[..., Any], expected: Expected) -> Iterator[Callable[[str], Any]]:
    """``inbox = pager(topic_arn)``; ``inbox()`` returns the notifications received since."""
    made: list[tuple[str, str]] = []  # (subscription arn, queue url)
    sqs, sns = aws("sqs", expected.primary), aws("sns", expected.primary)

    def subscribe(topic_arn: str) -> Callable[[], list[dict[str, Any]]]:
        url = sqs.create_queue(QueueName=f"{MARK}-pager-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sub = sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True
        )["SubscriptionArn"]
        made.append((sub, url))

        def inbox() -> list[dict[str, Any]]:
            out = []
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            for msg in batch.get("Messages", []):
                envelope = json.loads(msg["Body"])
                with contextlib.suppress(ValueError):
                    out.append(json.loads(envelope["Message"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
            return out

        return inbox

    try:
        yield subscribe
    finally:
        for sub, url in made:
            with contextlib.suppress(ClientError):
                sns.unsubscribe(SubscriptionArn=sub)
            with contextlib.suppress(ClientError):
                sqs.delete_queue(QueueUrl=url)


def arn_region(arn: str) -> str:
    parts = str(arn).split(":")
    return parts[3] if len(parts) > 3 else ""


@pytest.fixture(scope="session")
def region_of() -> Callable[[str], str]:
    return arn_region
