"""A candidate's text in a report: shown, never acting (harness.sanitize).

Found by an attack after issue 10: invisible format characters (LRM/RLM, ALM,
zero-width space, word joiner, BOM, soft hyphen) and stacks of combining marks reached
summary.md, junit.xml and the console; bare URLs became clickable links in a PR
comment; a 20,000-character message reached the console whole.
"""

from __future__ import annotations

import pytest

from harness import sanitize


@pytest.mark.parametrize(
    "char", ["\u200e", "\u200f", "\u061c", "\u200b", "\u2060", "\ufeff", "\u00ad", "\u202e"]
)
def test_invisible_format_characters_are_shown_as_code_points(char):
    shown = sanitize.visible(f"R1{char}ok")
    point = ord(char)
    code = f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"
    assert char not in shown and shown == f"R1{code}ok"


def test_a_stack_of_combining_marks_keeps_only_the_first():
    shown = sanitize.visible("g" + "\u0301" * 300)
    assert shown.count("\u0301") == 1 and shown.count("\\u0301") == 299
    assert sanitize.visible("résumé e\u0301") == "résumé e\u0301"  # ordinary accents stay


def test_bare_urls_are_defanged_in_markdown():
    text = sanitize.markdown("see https://evil.example/grade or www.evil.example")
    assert "https://" not in text and "www.evil" not in text
    assert "evil.example/grade" in text  # still readable


def test_a_long_message_is_cut_where_it_is_shown():
    shown = sanitize.visible("x" * 20_000)
    assert len(shown) < sanitize.MAX_TEXT + 100 and shown.endswith("(16000 more characters)")
