"""Documents read by meaning: every string-or-list form is the same statement."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from harness.iam import PolicyDocumentError, parse_document


def test_string_and_list_forms_are_the_same() -> None:
    as_strings = parse_document(
        {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}
    )
    as_lists = parse_document(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject"],
                        "Resource": ["arn:aws:s3:::b/*"],
                    }
                ],
            }
        )
    )
    for doc in (as_strings, as_lists):
        (s,) = doc.statements
        assert s.actions == {"s3:GetObject"} and s.resources == {"arn:aws:s3:::b/*"}
        assert s.action_set() == {"s3:GetObject"}


def test_principals_conditions_and_url_encoding() -> None:
    raw = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"AWS:MultiFactorAuthPresent": True}},
            },
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com"], "AWS": "123456789012"},
                "Action": "sts:AssumeRole",
            },
        ]
    }
    doc = parse_document(urllib.parse.quote(json.dumps(raw)))  # as the IAM API returns it
    anyone, named = doc.statements
    assert anyone.principals == {"AWS": {"*"}}
    # Keys are case-insensitive in IAM: stored lower-case; values as IAM compares them.
    assert anyone.conditions == {"Bool": {"aws:multifactorauthpresent": ("true",)}}
    assert named.principals == {"Service": {"lambda.amazonaws.com"}, "AWS": {"123456789012"}}
    assert parse_document(None).statements == []


def test_not_action_applies_to_the_rest_of_the_catalog() -> None:
    (s,) = parse_document(
        {"Statement": {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "NotResource": "x"}}
    ).statements
    assert s.matches_action("s3:GetObject") and not s.matches_action("IAM:CreateUser")
    granted = s.action_set()
    assert "sqs:DeleteQueue" in granted and not any(a.startswith("iam:") for a in granted)
    assert not s.matches_resource("x") and s.matches_resource("y")
    assert s.written_as("s3:GetObject") == 'NotAction ["iam:*", "sts:*"]'


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[1]",
        {"Statement": {"Effect": "allow", "Action": "s3:*"}},  # IAM rejects the lower case
        {"Statement": {"Effect": "Allow", "Principal": ["a"]}},
        {"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": "x"}}]},
    ],
)
def test_what_iam_rejects_is_an_error_not_a_guess(bad: object) -> None:
    with pytest.raises(PolicyDocumentError):
        parse_document(bad)  # type: ignore[arg-type]
