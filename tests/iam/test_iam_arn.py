"""ARN globs, policy variables, glob containment and KMS key names."""

from __future__ import annotations

import pytest

from harness.iam import KeyResolver, arn_matches, pattern_covers
from harness.iam.arn import any_resource, patterns_overlap


def test_globs_match_across_separators_and_are_case_sensitive() -> None:
    assert arn_matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/raw/2024/x.csv")
    assert arn_matches(
        "arn:aws:sqs:*:123456789012:ingest", "arn:aws:sqs:eu-west-1:123456789012:ingest"
    )
    assert arn_matches("arn:aws:s3:::b/raw?", "arn:aws:s3:::b/raw1")
    assert not arn_matches("arn:aws:s3:::b/raw?", "arn:aws:s3:::b/raw12")
    assert not arn_matches("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/Raw/x")
    assert arn_matches("*", "arn:aws:iam::123456789012:role/x")


def test_policy_variables_come_from_the_request_context() -> None:
    pattern = "arn:aws:s3:::b/home/${aws:username}/*"
    assert arn_matches(pattern, "arn:aws:s3:::b/home/bob/notes", {"aws:username": "bob"})
    assert not arn_matches(pattern, "arn:aws:s3:::b/home/alice/notes", {"aws:username": "bob"})
    # The context key is case-insensitive; a missing variable matches nothing.
    assert arn_matches(pattern, "arn:aws:s3:::b/home/bob/x", {"AWS:UserName": "bob"})
    assert not arn_matches(pattern, "arn:aws:s3:::b/home/bob/x")
    # A value is literal text, never a glob; ${*} is a literal star; defaults apply.
    assert not arn_matches(pattern, "arn:aws:s3:::b/home/bobby/x", {"aws:username": "bob*"})
    assert arn_matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*")
    assert not arn_matches("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x")
    assert arn_matches("arn:aws:s3:::b/${aws:username, 'guest'}/x", "arn:aws:s3:::b/guest/x")


@pytest.mark.parametrize(
    ("outer", "inner", "covers"),
    [
        ("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw/2024/*", True),
        ("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw*", False),  # raw* also matches rawdata
        ("arn:aws:s3:::b/raw*", "arn:aws:s3:::b/raw/*", True),
        ("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw/", True),
        ("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw", False),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/x", True),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/*", False),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/?", True),
        ("a*b*c", "a*bc", True),
        ("a*bc", "a*b*c", False),
        ("*", "anything*", True),
        ("arn:aws:sqs:us-east-1:123456789012:ingest", "*", False),
    ],
)
def test_pattern_containment(outer: str, inner: str, covers: bool) -> None:
    assert pattern_covers(outer, inner) is covers


def test_overlap() -> None:
    assert patterns_overlap("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/*.csv")
    assert not patterns_overlap("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/curated/*")


def test_a_kms_key_by_id_arn_alias_or_alias_arn() -> None:
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    keys = KeyResolver(
        [
            {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Arn": arn},
            {
                "AliasName": "alias/data",
                "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/data",
                "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            },
        ]
    )
    for name in (
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        arn,
        "alias/data",
        "arn:aws:kms:us-east-1:123456789012:alias/data",
    ):
        assert keys.resolve(name) == arn
    assert keys.resolve("alias/other") is None
    assert keys.same_key("alias/data", arn)
    assert not keys.same_key("alias/other", "alias/missing")


def test_any_resource_whatever_the_spelling() -> None:
    for everything in ("*", "arn:*", "?*", "arn:*:*", "arn:aws:*", "arn:*:*:*:*:*", "**"):
        assert any_resource(everything), everything
    for narrower in ("arn:aws:s3:::*", "arn:aws:*:*:123456789012:*", "arn:?*:s3*"):
        assert not any_resource(narrower), narrower
