"""`kata hint <slug>`: the kata's hints.md, one hint at a time, remembered per kata.

hints.md is a list of sections (``## R1, R2 — ingest``), each a numbered list whose items
give away a little more each. One hint is one numbered item, shown with its section;
a section without a numbered list is one hint. The text before the first section is the
file's preface ("open one at a time"), not a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.kata import Kata
from harness.workspace import kata_progress, load_progress

_HEADING = re.compile(r"^#{2,6}\s+(?P<title>.+?)\s*$")
_ITEM = re.compile(r"^(?P<n>\d+)[.)]\s+(?P<text>.*)$")


@dataclass(frozen=True)
class Hint:
    section: str
    text: str


def parse_hints(markdown: str) -> list[Hint]:
    hints: list[Hint] = []
    section: str | None = None
    body: list[str] = []  # a section's lines before its first numbered item
    item: list[str] | None = None
    items_in_section = 0

    def close_item() -> None:
        nonlocal item
        if item is not None and section is not None:
            hints.append(Hint(section, "\n".join(item).strip()))
        item = None

    def close_section() -> None:
        close_item()
        if section is not None and items_in_section == 0 and "".join(body).strip():
            hints.append(Hint(section, "\n".join(body).strip()))

    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            close_section()
            section, body, items_in_section = heading["title"], [], 0
            continue
        if section is None:
            continue  # the preface
        numbered = _ITEM.match(line)
        if numbered:
            close_item()
            item = [numbered["text"]]
            items_in_section += 1
        elif item is not None:
            item.append(line.strip())  # a continuation line of the item
        else:
            body.append(line)
    close_section()
    return hints


def kata_hints(kata: Kata) -> list[Hint]:
    path: Path = kata.path / "hints.md"
    if not path.is_file():
        raise HarnessError(f"{kata.slug} has no hints.md")
    hints = parse_hints(path.read_text())
    if not hints:
        raise HarnessError(f"{path}: no hints found (expected ## sections with numbered items)")
    return hints


def hints_shown(slug: str) -> int:
    return int(load_progress()["katas"].get(slug, {}).get("hints_shown", 0))


def next_hint(kata: Kata) -> tuple[int, int, Hint]:
    """(number, total, hint): the next hint not yet shown; the last one again at the end."""
    hints = kata_hints(kata)
    with kata_progress(kata.slug) as entry:
        shown = min(int(entry.get("hints_shown", 0)) + 1, len(hints))
        entry["hints_shown"] = shown
    return shown, len(hints), hints[shown - 1]


def format_hint(number: int, total: int, hint: Hint) -> str:
    return f"hint {number} of {total} — {hint.section}\n\n{hint.text}"
