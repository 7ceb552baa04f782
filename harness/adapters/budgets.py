"""AWS Budgets: a cost or usage budget and its notifications; id = ``<account>:<name>``
as the provider's. Budgets are global (one endpoint); moto stores them and never bills.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found


def _notifications(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in inputs.get("notifications") or []:
        subscribers = [
            {"SubscriptionType": "EMAIL", "Address": a}
            for a in n.get("subscriberEmailAddresses") or []
        ] + [
            {"SubscriptionType": "SNS", "Address": a} for a in n.get("subscriberSnsTopicArns") or []
        ]
        out.append(
            {
                "Notification": {
                    "NotificationType": n["notificationType"],
                    "ComparisonOperator": n["comparisonOperator"],
                    "Threshold": float(n["threshold"]),
                    "ThresholdType": n.get("thresholdType") or "PERCENTAGE",
                },
                "Subscribers": subscribers,
            }
        )
    return out


class Budget(Adapter):
    type_token = "aws:budgets/budget:Budget"
    autoname = ("name", 100)
    handles = frozenset(
        {"name", "namePrefix", "accountId", "budgetType", "limitAmount", "limitUnit", "timeUnit",
         "timePeriodStart", "timePeriodEnd", "costFilters", "notifications"}
    )  # fmt: skip
    # moto 5.2.5 has no UpdateBudget: any change replaces the budget (AWS updates in place).
    replace_on = handles

    def _account(self, ctx: Context, inputs: dict[str, Any]) -> str:
        return inputs.get("accountId") or ctx.account_id

    def _budget(self, inputs: dict[str, Any]) -> dict[str, Any]:
        budget: dict[str, Any] = {
            "BudgetName": inputs["name"],
            "BudgetType": inputs["budgetType"],
            "TimeUnit": inputs["timeUnit"],
        }
        if inputs.get("limitAmount"):
            budget["BudgetLimit"] = {
                "Amount": str(inputs["limitAmount"]),
                "Unit": inputs.get("limitUnit") or "USD",
            }
        if inputs.get("costFilters"):
            budget["CostFilters"] = {f["name"]: list(f["values"]) for f in inputs["costFilters"]}
        period = {
            api: inputs[key]
            for key, api in (("timePeriodStart", "Start"), ("timePeriodEnd", "End"))
            if inputs.get(key)
        }
        if period:
            budget["TimePeriod"] = period
        return budget

    def _outputs(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        account = self._account(ctx, inputs)
        return {
            **inputs,
            "accountId": account,
            "arn": f"arn:{ctx.partition}:budgets::{account}:budget/{inputs['name']}",
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        account = self._account(ctx, inputs)
        kwargs: dict[str, Any] = {"AccountId": account, "Budget": self._budget(inputs)}
        if inputs.get("notifications"):
            kwargs["NotificationsWithSubscribers"] = _notifications(inputs)
        ctx.client("budgets").create_budget(**kwargs)
        return f"{account}:{inputs['name']}", self._outputs(ctx, inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        account, name = id_.split(":", 1)
        try:
            budget = ctx.client("budgets").describe_budget(AccountId=account, BudgetName=name)
        except ClientError as exc:
            if not_found(exc, "NotFoundException"):
                return None
            raise
        budget = budget["Budget"]
        live = dict(inputs)
        limit = budget.get("BudgetLimit") or {}
        if inputs.get("limitAmount") is not None and limit:
            same = float(limit["Amount"]) == float(inputs["limitAmount"])
            live["limitAmount"] = inputs["limitAmount"] if same else limit["Amount"]
        live["timeUnit"] = budget.get("TimeUnit")
        return live

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        account, name = id_.split(":", 1)
        try:
            ctx.client("budgets").delete_budget(AccountId=account, BudgetName=name)
        except ClientError as exc:
            if not not_found(exc, "NotFoundException"):
                raise


ADAPTERS: list[type[Adapter]] = [Budget]
