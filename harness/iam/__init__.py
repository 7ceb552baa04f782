"""IAM semantics shared by every kata's checks and the IAM checkov checks.

What a policy means, not how it is spelled: ``"x"`` and ``["x"]`` are the same,
action names are case-insensitive, ``sqs:Delete*`` grants ``sqs:DeleteQueue``, a KMS
key id, ARN and alias can name one key. The pure core (everything but
``principals``, which reads from a boto3 client it is given) imports only the
standard library and ``policy_sentry``, so checkov's own venv can import it.
"""

from harness.iam.arn import KeyResolver, arn_matches, pattern_covers
from harness.iam.catalog import access_level, canonical_action, expand_actions, known_action
from harness.iam.document import Document, PolicyDocumentError, Statement, parse_document

__all__ = [
    "Document",
    "KeyResolver",
    "PolicyDocumentError",
    "Statement",
    "access_level",
    "arn_matches",
    "canonical_action",
    "expand_actions",
    "known_action",
    "parse_document",
    "pattern_covers",
]
