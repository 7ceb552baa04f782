"""Mutants as unified diffs against solution/: write one, apply one.

A mutant is one realistic mistake, so storing it as a few changed lines (not a copy of
the whole solution) keeps the mistake readable in review and makes a solution edit
visible: a diff whose context no longer matches fails loudly instead of silently
grading a stale copy.

The format is what ``diff -u`` and ``git diff --no-index`` write, paths relative to
the kata directory (``--- a/__main__.py`` / ``+++ b/__main__.py``). Writing uses
difflib; applying is strict: every context and removed line must match exactly. A
hunk may sit at another line than its header says (the solution grew above it),
as with ``git apply``, but never with fuzz.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

NO_NEWLINE = "\\ No newline at end of file"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class DiffError(ValueError):
    """A diff that cannot be read or no longer applies; the message names the hunk."""


@dataclass
class Hunk:
    number: int  # 1-based within its file, for messages
    old_start: int
    old_lines: list[str] = field(default_factory=list)  # context and removed, with newlines
    new_lines: list[str] = field(default_factory=list)  # context and added, with newlines


@dataclass
class FilePatch:
    path: str
    hunks: list[Hunk] = field(default_factory=list)


def make_diff(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """The unified diff turning ``old`` into ``new`` (file name -> text), files sorted.

    Files equal in both produce nothing; a file must exist in both (a mutant changes
    candidate files, it does not add or remove them).
    """
    out: list[str] = []
    for name in sorted(new):
        if name not in old:
            raise DiffError(f"{name}: not in the original; a diff may only change files")
        a, b = _lines(old[name]), _lines(new[name])
        for line in difflib.unified_diff(a, b, f"a/{name}", f"b/{name}", n=3):
            out.append(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}\n")
    return "".join(out)


def parse_diff(text: str) -> list[FilePatch]:
    """Read a unified diff; ``git diff`` extended headers (diff --git, index) are skipped."""
    lines = _lines(text)
    patches: list[FilePatch] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            patches.append(FilePatch(_strip_prefix(lines[i + 1][4:])))
            i += 2
            continue
        match = _HUNK.match(line)
        if match:
            if not patches:
                raise DiffError(f"line {i + 1}: a hunk before any '--- a/… +++ b/…' header")
            i = _read_hunk(lines, i, match, patches[-1])
            continue
        i += 1  # a header line git writes (diff --git, index, mode) or free text
    if not patches:
        raise DiffError("no '--- a/… +++ b/…' file header: not a unified diff")
    return patches


def apply_diff(text: str, originals: Mapping[str, str], where: str = "") -> dict[str, str]:
    """The files ``text`` changes, patched; ``originals`` maps file name -> text.

    ``where`` prefixes messages (``mutant ingest-s3-wildcard``). Raises DiffError naming
    the hunk and the line it expected when the diff no longer applies.
    """
    prefix = f"{where}: " if where else ""
    try:
        patches = parse_diff(text)
    except DiffError as exc:
        raise DiffError(f"{prefix}{exc}") from None
    result: dict[str, str] = {}
    for patch in patches:
        if patch.path in result:
            raise DiffError(f"{prefix}{patch.path} is patched twice in one diff")
        if patch.path not in originals:
            known = ", ".join(sorted(originals))
            raise DiffError(f"{prefix}{patch.path} is not a file it may change ({known})")
        result[patch.path] = _apply_file(patch, originals[patch.path], prefix)
    return result


def _lines(text: str) -> list[str]:
    """Lines with their newline; only "\\n" ends a line (str.splitlines also splits on
    form feeds and other separators, which would corrupt a file holding one)."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def _strip_prefix(header: str) -> str:
    name = header.rstrip("\n").split("\t", 1)[0].strip()
    return name[2:] if name.startswith(("a/", "b/")) else name


def _read_hunk(lines: list[str], i: int, match: re.Match[str], patch: FilePatch) -> int:
    old_count = int(match.group(2)) if match.group(2) is not None else 1
    new_count = int(match.group(4)) if match.group(4) is not None else 1
    hunk = Hunk(len(patch.hunks) + 1, int(match.group(1)))
    header_line = i + 1
    i += 1
    while len(hunk.old_lines) < old_count or len(hunk.new_lines) < new_count:
        if i >= len(lines):
            raise DiffError(
                f"{patch.path}: hunk {hunk.number} (diff line {header_line}) is cut short"
            )
        line = lines[i]
        # An editor that trims trailing spaces turns a blank context line " " into "":
        # unambiguous, so it is read as the blank line it was.
        kind, body = (" ", line) if line in ("\n", "\r\n") else (line[0], line[1:])
        if kind == " ":
            hunk.old_lines.append(body)
            hunk.new_lines.append(body)
        elif kind == "-":
            hunk.old_lines.append(body)
        elif kind == "+":
            hunk.new_lines.append(body)
        elif kind != "\\":
            raise DiffError(
                f"{patch.path}: hunk {hunk.number} (diff line {header_line}): line {i + 1} "
                f"starts with {kind!r}, not ' ', '-' or '+'"
            )
        i += 1
        i = _no_newline_marker(lines, i, hunk, kind)
    patch.hunks.append(hunk)
    return i


def _no_newline_marker(lines: list[str], i: int, hunk: Hunk, kind: str) -> int:
    """'\\ No newline at end of file' strips the newline of the line before it."""
    if i < len(lines) and lines[i].startswith("\\"):
        if kind in (" ", "-"):
            hunk.old_lines[-1] = hunk.old_lines[-1].rstrip("\n")
        if kind in (" ", "+"):
            hunk.new_lines[-1] = hunk.new_lines[-1].rstrip("\n")
        return i + 1
    return i


def _apply_file(patch: FilePatch, original: str, prefix: str) -> str:
    source = _lines(original)
    out: list[str] = []
    cursor = 0  # index in source of the first line not yet copied
    shift = 0  # how far earlier hunks landed from their headers
    for hunk in patch.hunks:
        want = max(hunk.old_start - 1, 0) + shift if hunk.old_lines else hunk.old_start + shift
        at = _locate(source, hunk.old_lines, want, cursor)
        if at is None:
            raise DiffError(
                f"{prefix}hunk {hunk.number} at {patch.path}:{hunk.old_start} no longer applies "
                f"to the solution ({_first_mismatch(source, hunk.old_lines, want)}) "
                "— regenerate it"
            )
        shift = at - max(hunk.old_start - 1, 0) if hunk.old_lines else shift
        out.extend(source[cursor:at])
        out.extend(hunk.new_lines)
        cursor = at + len(hunk.old_lines)
    out.extend(source[cursor:])
    return "".join(out)


def _first_mismatch(source: list[str], old: list[str], at: int) -> str:
    """Where the hunk's lines and the file part, for a message the author can act on."""
    for i, expected in enumerate(old):
        found = source[at + i] if 0 <= at + i < len(source) else None
        if found != expected:
            seen = "the end of the file" if found is None else repr(found.rstrip("\n"))
            return f"line {at + i + 1} should read {expected.rstrip(chr(10))!r}, not {seen}"
    return "its lines are out of order"


def _locate(source: list[str], old: list[str], want: int, floor: int) -> int | None:
    """Where ``old`` matches exactly, nearest to ``want``, not before ``floor``."""
    n = len(old)
    candidates = range(floor, len(source) - n + 1)
    best = None
    for at in candidates:
        if source[at : at + n] == old and (best is None or abs(at - want) < abs(best - want)):
            best = at
    return best
