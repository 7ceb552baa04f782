"""R3: every log group the stack creates keeps its events at most 30 days."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R3")
def test_every_log_group_expires_events_within_30_days(stack, aws, kata):
    """R3 retention: a retention of at most 30 days on every log group (never "never")."""
    names = kata.ids_of(stack, kata.LOG_GROUP)
    assert names, "R3 retention: the stack creates no log group for the workers"
    logs = aws("logs")
    wrong = []
    for name in names:
        found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        days = next((g.get("retentionInDays") for g in found if g["logGroupName"] == name), None)
        if days is None or days > 30:
            wrong.append(f"{name} keeps events {'forever' if days is None else f'{days} days'}")
    assert not wrong, f"R3 retention: {'; '.join(wrong)} (at most 30 days)"
