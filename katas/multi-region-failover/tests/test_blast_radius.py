"""R9: nothing that serves from the standby depends on a primary-region resource.

Read from the deployed state's dependency graph (the program's own declarations): a
resource in the secondary region, or the SECONDARY failover record, must not reach a
resource in the primary region through its dependencies. Edges, as Pulumi orders a
deployment: a resource's ``depends_on`` and the resources its inputs come from; its
parent (a child is created after its parent, so it waits for whatever the parent
waits for); and a dependency on a component resource stands for every resource under
that component (what ``depends_on=[component]`` waits for). Global services (IAM,
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
    children: dict[str, list] = {}
    for res in stack.resources:
        if res.parent:
            children.setdefault(res.parent, []).append(res)

    def serves_standby(res) -> bool:
        if res.region == expected.secondary and not res.type.startswith(GLOBAL):
            return True
        policies = res.inputs.get("failoverRoutingPolicies") or []
        return any(p.get("type") == "SECONDARY" for p in policies)

    def under(component) -> list:
        """Every resource below a component (what depending on the component waits for)."""
        out, todo = [], list(children.get(component.urn, []))
        while todo:
            res = todo.pop()
            out.append(res)
            todo += children.get(res.urn, [])
        return out

    def deps(res) -> list:
        urns = set(res.dependencies)
        for listed in res.property_dependencies.values():
            urns |= set(listed)
        found = []
        for urn in sorted(urns):
            dep = by_urn.get(urn)
            if dep is None:
                continue
            found.append(dep)
            if not dep.custom:
                found += under(dep)
        parent = by_urn.get(res.parent) if res.parent else None
        if parent is not None and not parent.type.startswith("pulumi:pulumi:Stack"):
            found.append(parent)  # the parent itself, not its other children
        return found

    standby = [r for r in stack.managed() if serves_standby(r)]
    assert standby, (
        f"R9: nothing is deployed in {expected.secondary}: there is no standby to fail to"
    )
    problems = []
    for start in standby:
        seen, path = {start.urn}, {start.urn: [start.name]}
        todo = [start]
        while todo:
            res = todo.pop()
            for dep in deps(res):
                if dep.urn in seen or dep.type.startswith("pulumi:providers:"):
                    continue
                seen.add(dep.urn)
                path[dep.urn] = [*path[res.urn], dep.name]
                if (
                    dep.custom
                    and dep.region == expected.primary
                    and not dep.type.startswith(GLOBAL)
                ):
                    problems.append(" -> ".join(path[dep.urn]) + f" (in {expected.primary})")
                else:
                    todo.append(dep)
    assert not problems, "R9: the standby needs the primary region to serve: " + "; ".join(
        sorted(problems)
    )
