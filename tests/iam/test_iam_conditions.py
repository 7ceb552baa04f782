"""Condition operators under AWS's rules for missing keys, IfExists and set qualifiers."""

from __future__ import annotations

import pytest

from harness.iam import UnsupportedCondition, condition_holds


@pytest.mark.parametrize(
    ("condition", "context", "holds"),
    [
        (
            {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            {"aws:sourceaccount": "123456789012"},
            True,
        ),
        ({"StringEquals": {"aws:SourceAccount": ["1", "2"]}}, {"aws:SourceAccount": "2"}, True),
        ({"StringEquals": {"aws:SourceAccount": "1"}}, {}, False),  # missing key: false
        ({"StringNotEquals": {"aws:SourceAccount": "1"}}, {}, True),  # negated: true
        ({"StringNotEquals": {"aws:SourceAccount": ["1", "2"]}}, {"aws:SourceAccount": "2"}, False),
        ({"StringEqualsIgnoreCase": {"aws:username": "Bob"}}, {"aws:username": "bOB"}, True),
        ({"StringLike": {"s3:prefix": "curated/*"}}, {"s3:prefix": "curated/2024/"}, True),
        ({"StringLike": {"s3:prefix": "curated/*"}}, {"s3:prefix": "raw/x"}, False),
        ({"StringNotLike": {"s3:prefix": "raw/*"}}, {"s3:prefix": "curated/x"}, True),
        ({"StringLikeIfExists": {"s3:prefix": "curated/*"}}, {}, True),
        ({"StringLikeIfExists": {"s3:prefix": "curated/*"}}, {"s3:prefix": "raw/"}, False),
        (
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {"aws:MultiFactorAuthPresent": True},
            True,
        ),
        ({"Bool": {"aws:MultiFactorAuthPresent": True}}, {}, False),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}, True),
        ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
        ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
        ({"NumericGreaterThan": {"s3:max-keys": 10}}, {"s3:max-keys": "9"}, False),
        (
            {"DateLessThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-11-30T10:00:00Z"},
            True,
        ),
        (
            {"DateGreaterThan": {"aws:EpochTime": "1700000000"}},
            {"aws:EpochTime": "1600000000"},
            False,
        ),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True),
        ({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}, {"aws:SourceIp": "10.1.2.3"}, False),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::raw-*"}},
            {"aws:SourceArn": "arn:aws:s3:::raw-eu"},
            True,
        ),
        # ArnLike compares part by part: a * in the region does not reach the account.
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:t"}},
            {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:t"}},
            {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"},
            False,
        ),
        (
            {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}},
            {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"},
            True,
        ),
        ({"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}}, {}, True),
        # Multivalued keys.
        (
            {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "team"]}},
            {"aws:TagKeys": ["x", "team"]},
            True,
        ),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": "owner"}}, {}, False),
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["owner", "team"]}},
            {"aws:TagKeys": ["owner", "x"]},
            False,
        ),
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["owner", "team"]}},
            {"aws:TagKeys": ["team"]},
            True,
        ),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["owner"]}}, {}, True),  # vacuous
        # Every block and every key must hold.
        ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, False),
        ({"StringEquals": {"a": "1"}, "Bool": {"b": "true"}}, {"a": "1", "b": True}, True),
        # Policy variables in values.
        (
            {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
            {"s3:prefix": "home/bob/x", "aws:username": "bob"},
            True,
        ),
        (
            {"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}},
            {"aws:principaltag/team": "ann", "aws:username": "bob"},
            False,
        ),
    ],
)
def test_operators(condition: dict, context: dict, holds: bool) -> None:
    assert condition_holds(condition, context) is holds


def test_an_operator_not_evaluated_is_said() -> None:
    with pytest.raises(UnsupportedCondition, match="StringSounds"):
        condition_holds({"StringSounds": {"a": "b"}}, {"a": "b"})
