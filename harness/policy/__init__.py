"""Policy stage: the synthesized graph as a Terraform plan, scanned by checkov.

Entry points are ``harness.policy.scan.scan`` and ``start_scan``; tfplan.py builds
the plan document, cfn.py handles embedded CloudFormation templates, toolenv.py
keeps the pinned tools in a venv of their own. Custom checks live in ``policies/``.
(Nothing is re-exported here: ``harness.policy.scan`` must stay the module, not
be shadowed by the function of the same name.)
"""
