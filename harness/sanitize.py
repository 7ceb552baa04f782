"""Text from a candidate (exception messages, resource names, program output) made safe
for where a report shows it.

A candidate controls much of what a report quotes. On a terminal a control sequence
could move the cursor, retitle the window or rewrite earlier lines; in summary.md, HTML
or Markdown would render live in a CI job summary or a PR comment; in XML most control
characters make the file unparsable. Each output escapes at the point it writes.
"""

from __future__ import annotations

import re

from rich.markup import escape as _rich_escape

# C0 and C1 controls and DEL, but tab and newline; every invisible format character
# (Unicode category Cf: bidi marks and overrides that reorder what a reviewer reads —
# CVE-2021-42574, "Trojan Source" — zero-width spaces and joiners, the BOM, the soft
# hyphen); and runs of combining marks that stack over the text around them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
    "|(?<=[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])"
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
# A reason longer than this is cut where it is shown (results.json keeps its copy).
MAX_TEXT = 4000
# Bare URLs GitHub would turn into links in a job summary or a PR comment.
_URL = re.compile(r"(?i)\b(https?|ftp)://|\bwww\.")
# Enough to keep a candidate's text from becoming a link, an image, emphasis that hides
# text, or a new table cell; "_" stays: inside identifiers it never emphasises in GFM.
_MARKDOWN = re.compile(r"([\\`*\[\]|~])")


def visible(text: str) -> str:
    """Every control or invisible format character shown as a code point (ESC becomes
    ``\\x1b``), never sent; a second combining mark on a letter likewise; cut at
    MAX_TEXT characters."""
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]}… ({len(text) - MAX_TEXT} more characters)"
    return _CONTROL.sub(_code_point, text)


def _code_point(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def console(text: str) -> str:
    """For a rich console: controls made visible, rich markup escaped."""
    return _rich_escape(visible(text))


def markdown(text: str) -> str:
    """For Markdown prose and table cells: controls visible, HTML and Markdown inert."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _URL.sub(_defang, text)  # shown, never a link a reviewer clicks
    return _MARKDOWN.sub(r"\\\1", text)


def _defang(match: re.Match[str]) -> str:
    scheme = match.group(1)
    return f"{scheme}[:]//" if scheme else "www[.]"


def xml(text: str) -> str:
    """For XML text and attributes (ElementTree escapes <, > and &, not controls)."""
    return visible(text)
