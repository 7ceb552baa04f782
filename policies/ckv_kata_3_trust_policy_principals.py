"""CKV_KATA_3: a role's trust policy must not let anyone, or a whole account, assume it.

``"*"`` lets any AWS principal anywhere assume the role; an account root
(``arn:aws:iam::<acct>:root`` or a bare account id) delegates the decision to every
identity policy in that account. Either is acceptable only with a Condition that
narrows *who* (a principal ARN, user id, external id, source ARN/account; for ``"*"``
also an account or organization). A condition on *how* (MFA, source IP, time) does
not: with it, every MFA-carrying identity in the account still gets in. Name the
role or user instead.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ACCOUNT_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")
# Condition keys (lower case) that narrow which principal may assume the role.
WHO = frozenset(
    {
        "aws:principalarn",
        "aws:userid",
        "aws:username",
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceidentity",
        "sts:externalid",
    }
)
# For Principal "*" these narrow it to an account or organization too.
WHICH_ACCOUNT = frozenset({"aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths"})


class TrustPolicyPrincipals(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure IAM role trust policies do not let any principal or a whole account "
            "assume the role unless a condition names who",
            id="CKV_KATA_3",
            categories=(CheckCategories.IAM,),
            supported_resources=("aws_iam_role",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["assume_role_policy"]
        document = _document(conf.get("assume_role_policy"))
        if document is None:
            return CheckResult.UNKNOWN  # not known before apply: nothing to judge
        offending = []
        for statement in _as_list(document.get("Statement", [])):
            if (
                isinstance(statement, dict)
                and statement.get("Effect") == "Allow"
                and _allows_assume_role(statement)
            ):
                keys = _condition_keys(statement)
                for principal, narrowing in _too_broad(statement):
                    if not any(k in narrowing or k.startswith("aws:principaltag/") for k in keys):
                        offending.append(f"trusts {principal} without a condition naming who")
        self.details.extend(offending)
        return CheckResult.FAILED if offending else CheckResult.PASSED


def _document(value: Any) -> dict[str, Any] | None:
    # A plan hands the trust policy over parsed; fall back to parsing a string.
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


def _allows_assume_role(statement: dict[str, Any]) -> bool:
    actions = _as_list(statement.get("Action", []))
    return any(
        isinstance(a, str) and fnmatch.fnmatchcase("sts:assumerole", a.lower()) for a in actions
    )


def _condition_keys(statement: dict[str, Any]) -> set[str]:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return set()
    return {
        key.lower()
        for tests in condition.values()
        if isinstance(tests, dict)
        for key in tests
        if isinstance(key, str)
    }


def _too_broad(statement: dict[str, Any]) -> list[tuple[str, frozenset[str]]]:
    """(how the principal is too broad, the condition keys that would narrow it)."""
    if "NotPrincipal" in statement:
        return [("every principal but those in NotPrincipal", WHO | WHICH_ACCOUNT)]
    principal = statement.get("Principal")
    if principal == "*":
        return [('Principal "*"', WHO | WHICH_ACCOUNT)]
    if not isinstance(principal, dict):
        return []
    found = []
    for p in _as_list(principal.get("AWS", [])):
        if p == "*":
            found.append(('Principal {"AWS": "*"}', WHO | WHICH_ACCOUNT))
        elif isinstance(p, str) and ACCOUNT_ROOT.match(p):
            found.append((f"the whole account {p}", WHO))
    return found


check = TrustPolicyPrincipals()
