"""R1: a monthly COST budget of 4000 USD warns on actual and forecasted spend, to the
team's topic. Read from AWS Budgets in the emulator (who a notification alerts comes from
DescribeSubscribersForNotification)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _budgets(stack: Any, budgets: Any, kata: Any) -> list[dict[str, Any]]:
    client = budgets
    found = []
    for id_ in kata.ids_of(stack, kata.BUDGET):
        account, name = id_.split(":", 1)
        budget = client.describe_budget(AccountId=account, BudgetName=name)["Budget"]
        found.append({**budget, "AccountId": account})
    return found


def _is_the_budget(b: dict[str, Any], kata: Any) -> bool:
    limit = b.get("BudgetLimit") or {}
    return (
        b.get("BudgetType") == "COST"
        and b.get("TimeUnit") == "MONTHLY"
        and limit.get("Unit") == "USD"
        and float(limit.get("Amount") or 0) == kata.budget_usd
    )


@pytest.fixture(scope="module")
def budget(stack: Any, budgets: Any, kata: Any) -> dict[str, Any] | None:
    """The stack's budget that is the SPEC's (else its only one, to say what is wrong)."""
    found = _budgets(stack, budgets, kata)
    right = [b for b in found if _is_the_budget(b, kata)]
    return (right or found or [None])[0]


def _notifications(budgets: Any, budget: dict[str, Any]) -> list[dict[str, Any]]:
    return budgets.describe_notifications_for_budget(
        AccountId=budget["AccountId"], BudgetName=budget["BudgetName"]
    )["Notifications"]


def _has(notes: list[dict[str, Any]], kind: str, threshold: float) -> bool:
    return any(
        n["NotificationType"] == kind
        and n["ComparisonOperator"] == "GREATER_THAN"
        and float(n["Threshold"]) == threshold
        and (n.get("ThresholdType") or "PERCENTAGE") == "PERCENTAGE"
        for n in notes
    )


def _describe(notes: list[dict[str, Any]]) -> str:
    return (
        ", ".join(
            f"{n['NotificationType']} {n['ComparisonOperator']} {n['Threshold']:g} "
            f"{n.get('ThresholdType') or 'PERCENTAGE'}"
            for n in notes
        )
        or "none"
    )


@pytest.mark.requirement("R1")
def test_a_monthly_cost_budget_of_4000_usd(budget, kata):
    """R1 monthly-limit: a COST budget, MONTHLY, limited to 4000 USD."""
    assert budget is not None, "R1 monthly-limit: the stack creates no AWS Budgets budget"
    limit = budget.get("BudgetLimit") or {}
    assert _is_the_budget(budget, kata), (
        f"R1 monthly-limit: budget {budget['BudgetName']} is {budget.get('BudgetType')} "
        f"{budget.get('TimeUnit')} with a limit of {limit.get('Amount')} {limit.get('Unit')}, "
        f"not COST MONTHLY 4000 USD"
    )


@pytest.mark.requirement("R1")
def test_it_alerts_at_80_percent_of_actual_spend(budget, budgets):
    """R1 actual-80: a notification when ACTUAL spend is GREATER_THAN 80 %."""
    assert budget is not None, "R1 actual-80: the stack creates no AWS Budgets budget"
    notes = _notifications(budgets, budget)
    assert _has(notes, "ACTUAL", 80.0), (
        f"R1 actual-80: budget {budget['BudgetName']} has no ACTUAL GREATER_THAN 80 PERCENTAGE "
        f"notification (it has: {_describe(notes)})"
    )


@pytest.mark.requirement("R1")
def test_it_alerts_when_the_forecast_exceeds_the_limit(budget, budgets):
    """R1 forecast-100: a notification when FORECASTED spend is GREATER_THAN 100 %."""
    assert budget is not None, "R1 forecast-100: the stack creates no AWS Budgets budget"
    notes = _notifications(budgets, budget)
    assert _has(notes, "FORECASTED", 100.0), (
        f"R1 forecast-100: budget {budget['BudgetName']} has no FORECASTED GREATER_THAN 100 "
        f"PERCENTAGE notification (it has: {_describe(notes)})"
    )


@pytest.mark.requirement("R1")
def test_the_alerts_go_to_the_teams_topic(budget, budgets, aws, stack, kata):
    """R1 to-team-topic: every notification of the budget goes to an SNS topic of the stack."""
    assert budget is not None, "R1 to-team-topic: the stack creates no AWS Budgets budget"
    topics = set(kata.ids_of(stack, kata.TOPIC))
    sns = aws("sns")
    live = set()
    for arn in topics:
        try:
            sns.get_topic_attributes(TopicArn=arn)
            live.add(arn)
        except ClientError:
            pass  # not (or no longer) in the emulator: not a topic the stack has
    notes = _notifications(budgets, budget)
    assert notes, f"R1 to-team-topic: budget {budget['BudgetName']} notifies nobody"
    wrong = []
    for n in notes:
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId=budget["AccountId"], BudgetName=budget["BudgetName"], Notification=n
        )["Subscribers"]
        to_topic = [
            s for s in subscribers if s["SubscriptionType"] == "SNS" and s["Address"] in live
        ]
        if not to_topic:
            said = ", ".join(f"{s['SubscriptionType']} {s['Address']}" for s in subscribers)
            wrong.append(
                f"{n['NotificationType']} {n['Threshold']:g} % notifies {said or 'nobody'}"
            )
    assert not wrong, (
        f"R1 to-team-topic: budget {budget['BudgetName']}'s alerts do not reach an SNS topic the "
        f"stack creates ({', '.join(sorted(topics)) or 'none'}): {'; '.join(wrong)}"
    )
