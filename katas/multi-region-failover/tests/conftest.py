"""Fixtures shared by the multi-region-failover checks.

The checks read what was deployed (through the stack's exports and the emulator) and
run the harness's drills against it:

- ``harness.drills.cloudwatch`` (AlarmDrill) plays the region's API: it publishes the
  availability metric the SPEC describes (namespace, metric, ``Region`` dimension, in
  the primary region) or stops publishing it, and evaluates every alarm from its own
  definition as CloudWatch would, running its SNS actions on each transition. An alarm
  on another metric, dimension or region sees no data from the drill;
- ``harness.drills.route53_failover`` answers the service name the way Route 53
  failover routing would, from the zone's records and the health checks' state;
- ``harness.drills.s3_replication`` runs the primary bucket's replication rules as S3
  would, authorizing each step against the replication role's deployed policies.

IAM is read by meaning through ``harness.iam``: the replication role's grants are
judged against the SPEC's allow-list below, KMS keys named by id, ARN or alias are
resolved to the key they name.

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
from harness.drills.cloudwatch import AlarmDrill, NotEvaluable
from harness.drills.iam import Principals
from harness.drills.route53_failover import FailoverResolver
from harness.iam import Allowed, KeyResolver

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
    payment_api_key: str

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
        payment_api_key=cfg["paymentApiKey"],
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


# --- the SPEC's allow-list for the replication role (R4) -------------------------------

# R4: "Its policies allow what replication needs and no more: reading the replication
# configuration of the primary bucket and the source versions in it
# (s3:GetReplicationConfiguration, s3:ListBucket, s3:GetObjectVersionForReplication,
# …Acl, …Tagging), writing replicas into the standby bucket (s3:ReplicateObject,
# s3:ReplicateDelete, s3:ReplicateTags), kms:Decrypt with the primary key and
# kms:Encrypt (and kms:GenerateDataKey) with the standby key."
# Each row: (actions, what they may name). A bucket's actions may name the bucket or its
# objects: a bucket action on an object ARN (or the reverse) grants nothing in IAM.
REPLICATION_ALLOW_LIST: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "s3:GetReplicationConfiguration",
            "s3:ListBucket",
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionTagging",
        ),
        "primary bucket",
    ),
    (("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"), "secondary bucket"),
    (("kms:Decrypt",), "primary key"),
    (("kms:Encrypt", "kms:GenerateDataKey"), "secondary key"),
)
# What replication cannot do without (the drill exercises the S3 part; the KMS part is
# read from the policies because moto does not scope KMS calls by key).
REPLICATION_NEEDS: tuple[tuple[str, str], ...] = (
    ("s3:GetReplicationConfiguration", "primary bucket"),
    ("s3:GetObjectVersionForReplication", "primary objects"),
    ("s3:ReplicateObject", "secondary objects"),
    ("s3:ReplicateDelete", "secondary objects"),
    ("kms:Decrypt", "primary key"),
    ("kms:Encrypt", "secondary key"),
)
R4_CLAUSE = "R4 (the replication role is scoped to exactly the two buckets and their keys)"


@dataclass(frozen=True)
class ReplicationScope:
    """The ARNs the SPEC's R4 names, from the deployed stack."""

    primary_bucket: str
    secondary_bucket: str
    primary_key: str
    secondary_key: str

    def arns(self, what: str) -> list[str]:
        bucket = {"primary": self.primary_bucket, "secondary": self.secondary_bucket}
        side, kind = what.split()
        if kind == "key":
            return [self.primary_key if side == "primary" else self.secondary_key]
        arn = f"arn:aws:s3:::{bucket[side]}"
        return {"bucket": [arn, f"{arn}/*"], "objects": [f"{arn}/*"]}[kind]

    def allowed(self) -> list[Allowed]:
        return [Allowed(actions, self.arns(what)) for actions, what in REPLICATION_ALLOW_LIST]

    def needs(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(action, a concrete ARN, the request's context) for each thing replication
        cannot do without. S3 calls KMS on the role's behalf: kms:ViaService and the S3
        encryption context (the object, or the bucket with S3 Bucket Keys) are set, so
        a grant conditioned on them (good practice) is judged as AWS would."""
        probe = "/orders/kata-check.json"
        out = []
        for action, what in REPLICATION_NEEDS:
            resource = self.arns(what)[0].replace("/*", probe)
            context: dict[str, Any] = {}
            if action.startswith("kms:"):
                primary = what.startswith("primary")
                bucket = f"arn:aws:s3:::{self.primary_bucket if primary else self.secondary_bucket}"
                region = arn_region(resource)
                context = {
                    "kms:ViaService": f"s3.{region}.amazonaws.com",
                    "kms:CallerAccount": resource.split(":")[4],
                    "kms:EncryptionContext:aws:s3:arn": [bucket + probe, bucket],
                }
            out.append((action, resource, context))
        return out

    clause = R4_CLAUSE


@pytest.fixture(scope="session")
def replication_scope(export: Callable[[str], Any]) -> ReplicationScope:
    return ReplicationScope(
        primary_bucket=export("primaryBucketName"),
        secondary_bucket=export("secondaryBucketName"),
        primary_key=export("primaryKeyArn"),
        secondary_key=export("secondaryKeyArn"),
    )


@pytest.fixture(scope="session")
def keys(aws: Callable[..., Any]) -> Callable[[str], KeyResolver]:
    """``keys(region).resolve(name)``: the key ARN a key id, ARN or alias names there."""
    made: dict[str, KeyResolver] = {}

    def resolver(region: str) -> KeyResolver:
        if region not in made:
            made[region] = KeyResolver.from_client(aws("kms", region))
        return made[region]

    return resolver


# --- the region-failure drill ----------------------------------------------------------

NAMESPACE_METRIC = ("Acme/Checkout", "ApiAvailability")  # SPEC R7


class RegionDrill:
    """The primary region's API as CloudWatch sees it, and the answer DNS gives.

    ``serving``: the API publishes ApiAvailability = 1 every minute (SPEC R7) in the
    primary region with the dimension ``Region`` = the primary region; ``failing``: its
    health endpoint stops answering and it publishes 0; ``silent``: the region is gone
    and nothing arrives. Alarms are evaluated by CloudWatch's rules from their deployed
    definitions each virtual minute.
    """

    def __init__(self, aws: Callable[..., Any], expected: Expected, alarm: str, zone: str):
        self.aws, self.expected, self.alarm, self.zone = aws, expected, alarm, zone
        # The primary region's alarms: an alarm elsewhere is never evaluated (it sees none
        # of the primary's data in AWS either), so a health check following it never moves.
        self.cloudwatch = AlarmDrill(aws, regions=[expected.primary])
        self.resolver = FailoverResolver(aws)

    def _publish(self, value: float) -> Callable[[AlarmDrill], None]:
        def each_minute(drill: AlarmDrill) -> None:
            drill.put(
                *NAMESPACE_METRIC,
                value,
                dimensions={"Region": self.expected.primary},
                region=self.expected.primary,
            )

        return each_minute

    def serving(self, minutes: int = 6) -> None:
        self.cloudwatch.advance(minutes, each_minute=self._publish(1))

    def failing(self, minutes: int) -> None:
        self.cloudwatch.advance(minutes, each_minute=self._publish(0))

    def silent(self, minutes: int) -> None:
        self.cloudwatch.advance(minutes)

    def state(self) -> str:
        """The health alarm's state in the primary region; fails the check if it cannot
        be known (no such alarm there, or a definition the model cannot evaluate)."""
        try:
            return self.cloudwatch.state(self.alarm, self.expected.primary)
        except KeyError:
            pytest.fail(
                f"R7: there is no health alarm {self.alarm} in the primary region "
                f"{self.expected.primary}"
            )
        except NotEvaluable as why:
            pytest.fail(f"R7: the health alarm is not evaluable by the CloudWatch model: {why}")

    def minutes_until(self, state: str, outage: str, limit: int = 10) -> int | None:
        """Virtual minutes of ``outage`` ("failing" or "silent") until the alarm is in
        ``state``; None if it is not after ``limit`` minutes."""
        step = self.failing if outage == "failing" else self.silent
        for minute in range(limit + 1):
            if self.state() == state:
                return minute
            step(1)
        return None

    def resolve(self) -> Any:
        return self.resolver.resolve(self.zone, self.expected.service_name)

    def explain(self, answer: Any) -> str:
        return f"{answer.values} ({answer.failover}); " + " / ".join(answer.trace)


@pytest.fixture
def region_drill(
    aws: Callable[..., Any], export: Callable[[str], Any], expected: Expected
) -> Iterator[RegionDrill]:
    """The drill, with the health alarm put back to OK afterwards (as the program left
    it: a deployed alarm is not an input a second preview compares)."""
    drill = RegionDrill(aws, expected, export("healthAlarmName"), export("zoneId"))
    try:
        yield drill
    finally:
        with contextlib.suppress(ClientError, KeyError):
            cloudwatch_alarms.describe(aws, drill.alarm, expected.primary)
            aws("cloudwatch", expected.primary).set_alarm_state(
                AlarmName=drill.alarm, StateValue="OK", StateReason="kata-check: restored"
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
    made: list[tuple[Any, str, Any, str]] = []  # (sns, subscription arn, sqs, queue url)

    def subscribe(topic_arn: str) -> Callable[[], list[dict[str, Any]]]:
        # The queue lives in the topic's region (R1 judges where the topic is).
        region = arn_region(topic_arn) or expected.primary
        sqs, sns = aws("sqs", region), aws("sns", region)
        url = sqs.create_queue(QueueName=f"{MARK}-pager-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        try:
            sub = sns.subscribe(
                TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True
            )["SubscriptionArn"]
        except ClientError as exc:
            sqs.delete_queue(QueueUrl=url)
            pytest.fail(
                f"R8: the paging topic {topic_arn} cannot be subscribed to "
                f"({exc.response['Error']['Code']}): nobody can be paged through it"
            )
        made.append((sns, sub, sqs, url))

        def inbox() -> list[dict[str, Any]]:
            out = []
            # Long polling: an emulator may deliver SNS to SQS after Publish answers
            # (LocalStack does); returns at once when a page is already there.
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=3)
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
        for sns, sub, sqs, url in made:
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
