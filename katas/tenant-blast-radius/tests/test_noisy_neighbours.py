"""R3: a queue and a capped consumer per tenant, within the platform's budget.

The consumers are found from the queues (the event source mappings the emulator holds),
not from the export alone, and their caps are read from the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.drills.queue_flood import Worker, flood_drill

MAX_AGE_S = 60  # R3 "flood": B's oldest message stays at most 60 seconds old
# The SPEC's flood model: AWS's default account limit, which moto keeps too (it refuses a
# reservation that leaves fewer than 100 of 1,000 unreserved) without serving
# GetAccountSettings.
ACCOUNT_LIMIT = 1000


def _consumers(lam: Any, queue_arn: str) -> list[dict[str, Any]]:
    if not queue_arn:
        return []
    pages = lam.get_paginator("list_event_source_mappings").paginate(EventSourceArn=queue_arn)
    # A disabled mapping consumes nothing.
    return [
        m
        for page in pages
        for m in page["EventSourceMappings"]
        if m.get("State") not in ("Disabled", "Disabling")
    ]


def _reserved(lam: Any, function_arn: str) -> int | None:
    try:
        value = lam.get_function_concurrency(FunctionName=function_arn).get(
            "ReservedConcurrentExecutions"
        )
    except ClientError:
        return None
    return None if value is None else int(value)


@pytest.fixture(scope="session")
def consumers(platform, aws) -> dict[str, list[dict[str, Any]]]:
    """tenant -> the event source mappings that consume its queue."""
    lam = aws("lambda")
    return {t.name: _consumers(lam, t.queue_arn) for t in platform.tenants.values()}


@pytest.fixture(scope="session")
def flood_workers(platform, aws, consumers) -> dict[str, Worker]:
    """tenant -> its worker's caps as deployed (its first consumer; R3 wants exactly one)."""
    lam = aws("lambda")
    out = {}
    for name, mappings in consumers.items():
        if not mappings:
            out[name] = Worker(name, reserved=0, maximum=0)  # nothing consumes: B waits forever
            continue
        m = mappings[0]
        maximum = (m.get("ScalingConfig") or {}).get("MaximumConcurrency")
        out[name] = Worker(
            name,
            reserved=_reserved(lam, m["FunctionArn"]),
            maximum=None if maximum is None else int(maximum),
        )
    return out


@pytest.mark.requirement("R3")
def test_each_tenant_has_its_own_queue_and_worker(platform, aws, consumers, expect):
    clause = 'R3 "queue-and-consumer"'
    lam, wrong = aws("lambda"), []
    queues: dict[str, list[str]] = {}
    functions: dict[str, list[str]] = {}
    for t in platform.tenants.values():
        queues.setdefault(t.queue_arn or t.queue_url, []).append(t.name)
        mappings = consumers[t.name]
        if not mappings:
            wrong.append(
                f"{clause}: nothing consumes {t.name}'s queue {t.queue_url} (no enabled "
                "event source mapping)"
            )
            continue
        for m in mappings:
            fn = lam.get_function(FunctionName=m["FunctionArn"])["Configuration"]
            functions.setdefault(fn["FunctionArn"], []).append(t.name)
            if fn["Role"] != t.role_arn:
                wrong.append(
                    f"{clause}: {t.name}'s queue is consumed by {fn['FunctionName']}, which runs "
                    f"as {fn['Role']}, not {t.name}'s role {t.role_arn}"
                )
    for queue, owners in queues.items():
        if len(owners) > 1:
            wrong.append(f"{clause}: tenants {', '.join(owners)} share the queue {queue}")
    for fn, owners in functions.items():
        if len(set(owners)) > 1:
            wrong.append(f"{clause}: the worker {fn} consumes the queues of {', '.join(owners)}")
    expect.no_findings(wrong)


@pytest.mark.requirement("R3")
def test_each_worker_is_capped_at_its_tiers_concurrency(platform, flood_workers, expect):
    clause = 'R3 "cap"'
    wrong = []
    for t in platform.tenants.values():
        w, want = flood_workers[t.name], int(platform.tiers[t.tier]["concurrency"])
        if w.cap is None:
            wrong.append(
                f"{clause}: {t.name}'s worker has no concurrency cap (no reserved concurrency, "
                f"no maximum concurrency on its mapping); its tier {t.tier} caps it at {want}"
            )
        elif w.cap != want:
            wrong.append(
                f"{clause}: {t.name}'s worker is capped at {w.cap} (reserved {w.reserved}, "
                f"mapping maximum {w.maximum}); its tier {t.tier} caps it at {want}"
            )
    expect.no_findings(wrong)


@pytest.mark.requirement("R3")
def test_all_caps_fit_the_platform_budget(platform, flood_workers, expect):
    caps = {name: w.cap for name, w in flood_workers.items()}
    uncapped = [name for name, cap in caps.items() if cap is None]
    if uncapped:
        expect.no_findings(
            [f'R3 "pool": {", ".join(uncapped)} uncapped, so the budget cannot hold']
        )
    total = sum(caps.values())
    if total > platform.budget:
        expect.no_findings(
            [
                f'R3 "pool": the tenants\' caps add up to {total} ({caps}), more than the '
                f"concurrencyBudget {platform.budget}"
            ]
        )


@pytest.mark.requirement("R3")
def test_one_tenants_flood_leaves_the_others_backlog_young(platform, flood_workers, expect):
    limit = ACCOUNT_LIMIT
    workers = list(flood_workers.values())
    wrong = []
    for a, b in platform.pairs():
        result = flood_drill(workers, a.name, b.name, int(limit))
        if result.max_age_s > MAX_AGE_S:
            wrong.append(
                f'R3 "flood": {result.describe()} (bound {MAX_AGE_S} s; account limit {limit})'
            )
    expect.no_findings(wrong)
