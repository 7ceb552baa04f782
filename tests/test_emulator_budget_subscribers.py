"""The emulator answers DescribeSubscribersForNotification (harness/emulator/patches.py):
moto stores a budget notification's subscribers but has no way to read them back."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:team-alerts"


def _notification(kind: str, threshold: float) -> dict:
    return {
        "NotificationType": kind,
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": threshold,
        "ThresholdType": "PERCENTAGE",
    }


def test_each_notification_answers_with_its_own_subscribers(aws_client) -> None:
    budgets = aws_client("budgets")
    name = f"b-{uuid.uuid4().hex[:8]}"
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": name,
            "BudgetType": "COST",
            "TimeUnit": "MONTHLY",
            "BudgetLimit": {"Amount": "100", "Unit": "USD"},
        },
        NotificationsWithSubscribers=[
            {
                "Notification": _notification("ACTUAL", 80.0),
                "Subscribers": [{"SubscriptionType": "SNS", "Address": TOPIC}],
            },
            {
                "Notification": _notification("FORECASTED", 100.0),
                "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "a@example.com"}],
            },
        ],
    )
    try:
        actual = budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName=name, Notification=_notification("ACTUAL", 80.0)
        )["Subscribers"]
        forecast = budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName=name, Notification=_notification("FORECASTED", 100.0)
        )["Subscribers"]
        assert actual == [{"SubscriptionType": "SNS", "Address": TOPIC}]
        assert forecast == [{"SubscriptionType": "EMAIL", "Address": "a@example.com"}]
        with pytest.raises(ClientError, match="NotFound"):
            budgets.describe_subscribers_for_notification(
                AccountId=ACCOUNT, BudgetName=name, Notification=_notification("ACTUAL", 90.0)
            )
    finally:
        budgets.delete_budget(AccountId=ACCOUNT, BudgetName=name)
