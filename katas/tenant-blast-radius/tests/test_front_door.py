"""R5: per-tier throttling and quotas at the front door, as API Gateway holds them."""

from __future__ import annotations

from typing import Any

import pytest


def _plans(apigw: Any) -> list[dict[str, Any]]:
    return [p for page in apigw.get_paginator("get_usage_plans").paginate() for p in page["items"]]


def _keys_of(apigw: Any, plan_id: str) -> set[str]:
    pages = apigw.get_paginator("get_usage_plan_keys").paginate(usagePlanId=plan_id)
    return {k["id"] for page in pages for k in page["items"]}


def _on_api(plan: dict[str, Any], api_id: str) -> bool:
    return any(s.get("apiId") == api_id and s.get("stage") for s in plan.get("apiStages", []))


def _limits(plan: dict[str, Any]) -> tuple:
    throttle, quota = plan.get("throttle") or {}, plan.get("quota") or {}
    return (
        throttle.get("rateLimit"),
        throttle.get("burstLimit"),
        quota.get("limit"),
        quota.get("period"),
    )


def _tier_limits(tier: dict[str, Any]) -> tuple:
    return (
        float(tier["rateLimit"]),
        int(tier["burstLimit"]),
        int(tier["quotaPerDay"]),
        "DAY",
    )


def _same(actual: tuple, wanted: tuple) -> bool:
    rate, burst, limit, period = actual
    return (
        rate is not None
        and float(rate) == wanted[0]
        and burst is not None
        and int(burst) == wanted[1]
        and limit is not None
        and int(limit) == wanted[2]
        and period == wanted[3]
    )


@pytest.mark.requirement("R5")
def test_each_tier_has_a_plan_with_its_limits(platform, aws, expect):
    plans = [p for p in _plans(aws("apigateway")) if _on_api(p, platform.api_id)]
    wrong = []
    for name, tier in platform.tiers.items():
        wanted = _tier_limits(tier)
        if not any(_same(_limits(p), wanted) for p in plans):
            seen = "; ".join(f"{p['name']}: {_limits(p)}" for p in plans) or "none"
            wrong.append(
                f'R5 "plan-limits": no usage plan on the API {platform.api_id} has tier '
                f"{name}'s limits (rate, burst, quota, period) {wanted}; plans on it: {seen}"
            )
    expect.no_findings(wrong)


@pytest.mark.requirement("R5")
def test_each_tenant_key_is_in_its_tiers_plan_only(platform, aws, expect):
    apigw = aws("apigateway")
    plans = _plans(apigw)
    members = {p["id"]: _keys_of(apigw, p["id"]) for p in plans}
    owners: dict[str, list[str]] = {}
    wrong = []
    for t in platform.tenants.values():
        key = t.get("apiKeyId")
        owners.setdefault(key, []).append(t.name)
        in_plans = [p for p in plans if key in members[p["id"]]]
        wanted = _tier_limits(platform.tiers[t.tier])
        if len(in_plans) != 1:
            names = [p["name"] for p in in_plans] or ["none"]
            wrong.append(
                f'R5 "tenant-key": {t.name}\'s API key {key} is in {len(in_plans)} usage plans '
                f"({', '.join(names)}); it must be in exactly its tier's"
            )
        elif not (_on_api(in_plans[0], platform.api_id) and _same(_limits(in_plans[0]), wanted)):
            p = in_plans[0]
            wrong.append(
                f'R5 "tenant-key": {t.name} ({t.tier}) has its key in the plan {p["name"]} with '
                f"limits {_limits(p)}, not its tier's {wanted} on the API"
            )
    for key, names in owners.items():
        if len(names) > 1:
            wrong.append(f'R5 "tenant-key": tenants {", ".join(names)} share the API key {key}')
    expect.no_findings(wrong)


@pytest.mark.requirement("R5")
def test_every_method_requires_an_api_key(platform, aws, expect):
    apigw = aws("apigateway")
    wrong, methods = [], 0
    pages = apigw.get_paginator("get_resources").paginate(restApiId=platform.api_id)
    for resource in (r for page in pages for r in page["items"]):
        for verb in resource.get("resourceMethods") or {}:
            methods += 1
            method = apigw.get_method(
                restApiId=platform.api_id, resourceId=resource["id"], httpMethod=verb
            )
            if not method.get("apiKeyRequired"):
                wrong.append(
                    f'R5 "keys-required": {verb} {resource["path"]} does not require an API '
                    "key, so its callers bypass every usage plan"
                )
    if methods == 0:
        wrong.append(f'R5 "keys-required": the API {platform.api_id} has no method')
    expect.no_findings(wrong)
