"""Which resource types checkov checks apply to (runs inside the tool venv, not the harness).

``python check_types.py <external checks dir> <check id>…`` prints a JSON object
mapping each known check id to the resource types it checks; unknown ids are absent.
The scan only asks when an enforced check matched nothing, to say what is missing.
"""

from __future__ import annotations

import json
import logging
import sys


def main(argv: list[str]) -> int:
    logging.disable(logging.CRITICAL)  # checkov logs while loading; stdout must stay JSON
    from checkov.cloudformation.runner import Runner as CfnRunner
    from checkov.terraform.checks.resource.registry import resource_registry
    from checkov.terraform.plan_runner import Runner as PlanRunner

    policies, wanted = argv[0], set(argv[1:])
    found: dict[str, set[str]] = {}
    plan = PlanRunner()
    plan.load_external_checks([policies])
    plan.graph_registry.load_checks()
    cfn = CfnRunner()
    cfn.graph_registry.load_checks()
    for resource_type, checks in resource_registry.checks.items():
        for check in checks:
            if check.id in wanted:
                found.setdefault(check.id, set()).add(resource_type)
    from checkov.cloudformation.checks.resource.registry import cfn_registry

    for resource_type, checks in cfn_registry.checks.items():
        for check in checks:
            if check.id in wanted:
                found.setdefault(check.id, set()).add(resource_type)
    for check in [*plan.graph_registry.checks, *cfn.graph_registry.checks]:
        if check.id in wanted:
            found.setdefault(check.id, set()).update(check.resource_types)
    print(json.dumps({k: sorted(v) for k, v in found.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
