"""R5: the jobs table bills for what it serves, and its items expire."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R5")
def test_the_table_bills_on_demand_or_autoscales(stack, aws, kata):
    """R5 follows-load: PAY_PER_REQUEST, or PROVISIONED with target tracking on read and
    write capacity (Application Auto Scaling)."""
    names = kata.ids_of(stack, kata.TABLE)
    assert names, "R5 follows-load: the stack creates no DynamoDB table"
    wrong = []
    for name in names:
        billing = kata.billing_of(aws, name)
        if billing.on_demand:
            continue
        fixed = [
            kind
            for kind, capacity in (("read", billing.reads), ("write", billing.writes))
            if capacity is None or capacity.scaling is None
        ]
        if fixed:
            wrong.append(
                f"{name} is PROVISIONED without target tracking on its {' and '.join(fixed)} "
                f"capacity"
            )
    assert not wrong, f"R5 follows-load: {'; '.join(wrong)}"


@pytest.mark.requirement("R5")
def test_items_expire_on_expires_at(stack, aws, kata):
    """R5 ttl: TTL is enabled on the attribute expiresAt."""
    names = kata.ids_of(stack, kata.TABLE)
    assert names, "R5 ttl: the stack creates no DynamoDB table"
    wrong = []
    for name in names:
        ttl = aws("dynamodb").describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") != "ENABLED" or ttl.get("AttributeName") != "expiresAt":
            wrong.append(
                f"{name}: TTL {ttl.get('TimeToLiveStatus', 'DISABLED')} on "
                f"{ttl.get('AttributeName') or 'no attribute'}"
            )
    assert not wrong, f"R5 ttl: {'; '.join(wrong)} (expected ENABLED on expiresAt)"
