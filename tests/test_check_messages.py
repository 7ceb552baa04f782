"""A failing check reaches the candidate as its own sentence, without pytest's diff."""

from __future__ import annotations

import pytest

from harness.stages.behavior import candidate_message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "AssertionError: R1 (consume only): role ingest may sqs:DeleteQueue\nassert 3 == 2",
            "R1 (consume only): role ingest may sqs:DeleteQueue",
        ),
        (
            "Failed: R2: bucket b has no public access block",
            "R2: bucket b has no public access block",
        ),
        ("AssertionError: line one\n  line two\nassert False", "line one line two"),
        (
            "AssertionError: R3: denied\nassert False\n +  where False = can()",
            "R3: denied",
        ),
        ("KeyError: \"no resource named 'x'\"", "KeyError: \"no resource named 'x'\""),
    ],
)
def test_the_checks_sentence_is_kept_and_the_introspection_dropped(raw, expected):
    assert candidate_message(raw) == expected


def test_a_bare_assertion_says_the_check_gave_no_reason_instead_of_a_diff():
    raw = (
        "AssertionError: assert {'a': 1} == {'a': 2}\n  \n  Differing items:\n"
        "  {'a': 1} != {'a': 2}\n  Use -v to get more diff"
    )
    message = candidate_message(raw)
    assert message.startswith("the check gave no reason (a bare assertion: assert {'a': 1}")
    assert "Use -v" not in message and "Differing" not in message


def test_a_long_sentence_is_kept_whole_up_to_the_limit():
    sentence = "R8: " + "x" * 700
    assert candidate_message(f"AssertionError: {sentence}\nassert False") == sentence
