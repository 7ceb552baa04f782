"""R9: nothing that serves from the standby depends on a primary-region resource.

Read from the deployed state's dependency graph (the program's own declarations): a
resource in the secondary region, or the SECONDARY failover record, must not reach a
resource in the primary region through its dependencies. Global services (IAM,
Route 53) have no region of their own and are passed through. The replication
configuration lives in the primary and points at the secondary: that direction is
the point of it.
"""

from __future__ import annotations

import pytest

GLOBAL = ("aws:iam/", "aws:route53/")


@pytest.mark.requirement("R9")
def test_the_standby_serves_without_the_primary_region(stack, expected):
    by_urn = stack.by_urn()

    def serves_standby(res) -> bool:
        if res.region == expected.secondary and not res.type.startswith(GLOBAL):
            return True
        policies = res.inputs.get("failoverRoutingPolicies") or []
        return any(p.get("type") == "SECONDARY" for p in policies)

    def deps(res):
        urns = set(res.dependencies)
        for listed in res.property_dependencies.values():
            urns |= set(listed)
        return [by_urn[u] for u in sorted(urns) if u in by_urn]

    standby = [r for r in stack.managed() if serves_standby(r)]
    assert standby, f"nothing is deployed in {expected.secondary}: there is no standby to fail to"
    problems = []
    for start in standby:
        seen, path = set(), {start.urn: [start.name]}
        todo = [start]
        while todo:
            res = todo.pop()
            for dep in deps(res):
                if dep.urn in seen or dep.type.startswith("pulumi:providers:") or not dep.custom:
                    continue
                seen.add(dep.urn)
                path[dep.urn] = [*path[res.urn], dep.name]
                if dep.region == expected.primary and not dep.type.startswith(GLOBAL):
                    problems.append(" -> ".join(path[dep.urn]) + f" (in {expected.primary})")
                else:
                    todo.append(dep)
    assert not problems, "R9: the standby needs the primary region to serve: " + "; ".join(
        sorted(problems)
    )
