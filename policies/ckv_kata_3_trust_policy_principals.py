"""CKV_KATA_3: a role's trust policy must not let anyone, or a whole account, assume it.

``"*"`` lets any AWS principal anywhere assume the role; an account root
(``arn:aws:iam::<acct>:root`` or a bare account id, alone or in a list) delegates the
decision to every identity policy in that account. Either is acceptable only with a
Condition that narrows *who* (a principal ARN, user id, external id, source ARN/account;
for ``"*"`` also an account or organization). A condition on *how* (MFA, source IP,
time) does not: with it, every MFA-carrying identity in the account still gets in. Nor
does a negated or ``…IfExists`` test (``StringNotEquals`` on the principal ARN lets
everyone else in; ``StringEqualsIfExists`` lets in any request without the key), nor
``Null``. Principals and conditions are read with the shared ``harness.iam``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# checkov puts only policies/ on sys.path; harness.iam needs just the standard library
# and policy_sentry, which checkov's venv carries (policies/requirements.txt).
if (_REPO := str(Path(__file__).resolve().parents[1])) not in sys.path:
    sys.path.append(_REPO)

from harness.iam import Document, PolicyDocumentError, Statement, parse_document
from harness.iam.conditions import is_negated, split_operator
from harness.iam.trust import canonical_principal, trusted_principals

ACCOUNT_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:root$")
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
        try:
            document = _document(conf.get("assume_role_policy"))
        except PolicyDocumentError as exc:
            self.details.append(f"the trust policy is not a policy document IAM accepts: {exc}")
            return CheckResult.FAILED
        if document is None:
            return CheckResult.UNKNOWN  # not known before apply: nothing to judge
        offending = [
            f"trusts {principal} without a condition naming who"
            for principal, statement, narrowing in _too_broad(document)
            if not _narrows(statement, narrowing)
        ]
        self.details.extend(offending)
        return CheckResult.FAILED if offending else CheckResult.PASSED


def _document(value: Any) -> Document | None:
    # A plan hands the trust policy over parsed; fall back to parsing a string.
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        if not value.lstrip().startswith(("{", "%7B", "%7b")):
            return None  # a reference to another resource's output, or unknown
        return parse_document(value)
    return parse_document(value) if isinstance(value, dict) else None


def _narrows(statement: Statement, narrowing: frozenset[str]) -> bool:
    """Whether a positive, always-evaluated condition tests a key that names who."""
    for operator, tests in statement.conditions.items():
        _, base, if_exists = split_operator(operator)
        if if_exists or base == "Null" or is_negated(operator):
            continue
        if any(k in narrowing or k.startswith("aws:principaltag/") for k in tests):
            return True
    return False


def _too_broad(document: Document) -> list[tuple[str, Statement, frozenset[str]]]:
    """(how the principal is too broad, its statement, the keys that would narrow it)."""
    found: list[tuple[str, Statement, frozenset[str]]] = []
    assume = [s for s in document.allow_statements if s.matches_action("sts:AssumeRole")]
    for statement in assume:
        if statement.not_principals is not None:
            found.append(
                ("every principal but those in NotPrincipal", statement, WHO | WHICH_ACCOUNT)
            )
        # One statement at a time, so a principal keeps its own statement's conditions.
        single = Document(statements=[statement])
        for kind, value, _ in trusted_principals(single, action="sts:AssumeRole"):
            if kind != "AWS":
                continue
            if value == "*":
                found.append(('Principal "*"', statement, WHO | WHICH_ACCOUNT))
            elif ACCOUNT_ROOT.match(value):
                written = _as_written(statement, value)
                found.append((f"the whole account {written}", statement, WHO))
    return found


def _as_written(statement: Statement, root: str) -> str:
    # Name the principal as the author wrote it (a bare id or the root ARN).
    for value in sorted((statement.principals or {}).get("AWS", ())):
        if canonical_principal("AWS", value) == root:
            return value
    return root


check = TrustPolicyPrincipals()
