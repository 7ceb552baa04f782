"""Prove a notification was sent: subscribe an SQS queue to an SNS topic and read it.

Models: an on-call pager (or a chat integration) subscribed to the alert topic. moto
delivers SNS messages to SQS subscribers as AWS does (an SNS envelope whose
``Message`` is the published text), so reading the queue is reading the page.

    with Inbox.subscribe(aws, topic_arn) as inbox:
        ...                                   # something that should page
        pages = inbox.receive(wait_s=1)       # the published messages, parsed if JSON

The queue and its subscription are the harness's, not the program's: they are
removed on exit, so converge and the teardown leak check never see them.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass
class Inbox:
    sqs: Any
    queue_url: str
    subscription_arn: str

    @classmethod
    @contextlib.contextmanager
    def subscribe(cls, client: Callable[..., Any], topic_arn: str) -> Iterator[Inbox]:
        sqs, sns = client("sqs"), client("sns")
        url = sqs.create_queue(QueueName=f"kata-inbox-{uuid.uuid4().hex[:12]}")["QueueUrl"]
        try:
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            sub = sns.subscribe(
                TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True
            )["SubscriptionArn"]
            try:
                yield cls(sqs, url, sub)
            finally:
                with contextlib.suppress(ClientError):
                    sns.unsubscribe(SubscriptionArn=sub)
        finally:
            with contextlib.suppress(ClientError):
                sqs.delete_queue(QueueUrl=url)

    def receive(self, wait_s: int = 0) -> list[Any]:
        """Every message published since the last call (JSON messages parsed)."""
        out: list[Any] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=wait_s if not out else 0,
            ).get("Messages", [])
            if not batch:
                return out
            for msg in batch:
                out.append(_published(msg["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=msg["ReceiptHandle"])

    def drain(self) -> None:
        self.receive()


def _published(body: str) -> Any:
    """The text the publisher sent: unwrap the SNS envelope, parse JSON if it is JSON."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return body
    message = envelope.get("Message", body) if isinstance(envelope, dict) else body
    try:
        return json.loads(message)
    except (TypeError, ValueError):
        return message
