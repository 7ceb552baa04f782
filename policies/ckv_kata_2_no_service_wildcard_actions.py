"""CKV_KATA_2: IAM policy documents must not Allow a service-wide wildcard action.

``"*"`` and ``"<service>:*"`` grant every present and future action of a service;
least privilege names the actions (``s3:GetObject``; a prefix like ``s3:Get*`` is
allowed). ``NotAction`` with Allow is flagged too: it grants everything not listed.
Role inline policies (``inline_policy`` blocks) are checked like standalone ones.
"""

from __future__ import annotations

import json
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class NoServiceWildcardActions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure IAM policy documents do not allow service-wide wildcard actions",
            id="CKV_KATA_2",
            categories=(CheckCategories.IAM,),
            supported_resources=(
                "aws_iam_policy",
                "aws_iam_role_policy",
                "aws_iam_user_policy",
                "aws_iam_group_policy",
                "aws_iam_role",
            ),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if "policy" in conf:
            self.evaluated_keys = ["policy"]
            documents = [_document(conf["policy"])]
        else:
            self.evaluated_keys = ["inline_policy"]
            # A role passes when it has no inline policy: it then carries no document.
            documents = [_document(b.get("policy")) for b in conf.get("inline_policy") or []]
        offending = [finding for doc in documents for finding in _wildcards(doc)]
        self.details.extend(offending)
        return CheckResult.FAILED if offending else CheckResult.PASSED


def _document(value: Any) -> dict[str, Any] | None:
    # A plan hands documents over parsed for some resource types, as strings for others.
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcards(document: dict[str, Any] | None) -> list[str]:
    found: list[str] = []
    for statement in _as_list((document or {}).get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action", [])):
            if isinstance(action, str) and (action == "*" or action.endswith(":*")):
                found.append(f'allows the service-wide wildcard action "{action}"')
        if "NotAction" in statement:
            found.append("allows NotAction, which grants every action it does not list")
    return found


check = NoServiceWildcardActions()
