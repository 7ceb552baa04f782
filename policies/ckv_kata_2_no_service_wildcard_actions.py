"""CKV_KATA_2: IAM policy documents must not Allow a service-wide wildcard action.

``"*"`` and ``"<service>:*"`` grant every present and future action of a service;
least privilege names the actions (``s3:GetObject``; a prefix like ``s3:Get*`` is
allowed). A pattern counts by what it grants, not how it is spelled: ``S3:*`` and
``s3:?*`` grant all of S3 too (read with the shared ``harness.iam`` catalog).
``NotAction`` with Allow is flagged too: it grants everything not listed. Role inline
policies (``inline_policy`` blocks) are checked like standalone ones.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# checkov puts only policies/ on sys.path; harness.iam needs just the standard library
# and policy_sentry, which checkov's venv carries (policies/requirements.txt).
if (_REPO := str(Path(__file__).resolve().parents[1])) not in sys.path:
    sys.path.append(_REPO)

from harness.iam import Document, PolicyDocumentError, parse_document
from harness.iam.catalog import service_wide


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
            values = [conf["policy"]]
        else:
            self.evaluated_keys = ["inline_policy"]
            # A role passes when it has no inline policy: it then carries no document.
            values = [b.get("policy") for b in conf.get("inline_policy") or []]
        offending: list[str] = []
        unknown = False
        for value in values:
            try:
                document = _document(value)
            except PolicyDocumentError as exc:
                offending.append(f"is not a policy document IAM accepts: {exc}")
                continue
            if document is None:
                unknown = True  # known only after apply: nothing to judge here
                continue
            offending += _wildcards(document)
        self.details.extend(offending)
        if offending:
            return CheckResult.FAILED
        return CheckResult.UNKNOWN if unknown else CheckResult.PASSED


def _document(value: Any) -> Document | None:
    """The document, None when its value is not known before apply."""
    # A plan hands documents over parsed for some resource types, as strings for others.
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        if not value.lstrip().startswith(("{", "%7B", "%7b")):
            return None  # a reference to another resource's output, or unknown
        return parse_document(value)
    return parse_document(value) if isinstance(value, dict) else None


def _wildcards(document: Document) -> list[str]:
    found: list[str] = []
    for statement in document.allow_statements:
        for action in sorted(statement.actions or ()):
            if service_wide(action):
                found.append(f'allows the service-wide wildcard action "{action}"')
        if statement.not_actions is not None:
            found.append("allows NotAction, which grants every action it does not list")
    return found


check = NoServiceWildcardActions()
