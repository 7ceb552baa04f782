"""IAM semantics shared by every kata's checks and the IAM checkov checks.

What a policy means, not how it is spelled: ``"x"`` and ``["x"]`` are the same,
action names are case-insensitive, ``sqs:Delete*`` grants ``sqs:DeleteQueue``, a KMS
key id, ARN and alias can name one key. Everything imports only the standard library
and ``policy_sentry`` (``principals`` reads through a boto3 client it is handed), so
checkov's own venv can import it too.
"""

from harness.iam.allowlist import Allowed, Violation, violations
from harness.iam.arn import KeyResolver, any_resource, arn_matches, pattern_covers
from harness.iam.catalog import (
    access_level,
    canonical_action,
    expand_actions,
    known_action,
    service_wide,
)
from harness.iam.conditions import UnsupportedCondition, condition_holds
from harness.iam.document import Document, PolicyDocumentError, Statement, parse_document
from harness.iam.evaluate import Decision, Request, evaluate
from harness.iam.grants import PrincipalGrant, grants_of
from harness.iam.principals import Grants, documents_of_role, documents_of_user, trust_of_role
from harness.iam.trust import TrustedPrincipal, trusted_principals, who_can_assume

__all__ = [
    "Allowed",
    "Decision",
    "Document",
    "Grants",
    "KeyResolver",
    "PolicyDocumentError",
    "PrincipalGrant",
    "Request",
    "Statement",
    "TrustedPrincipal",
    "UnsupportedCondition",
    "Violation",
    "access_level",
    "any_resource",
    "arn_matches",
    "canonical_action",
    "condition_holds",
    "documents_of_role",
    "documents_of_user",
    "evaluate",
    "expand_actions",
    "grants_of",
    "known_action",
    "parse_document",
    "pattern_covers",
    "service_wide",
    "trust_of_role",
    "trusted_principals",
    "violations",
    "who_can_assume",
]
