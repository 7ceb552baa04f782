"""Hostile submissions (issue 10): programs that try to fool, read or harm the grader.

One program per class of attack; each proves the mechanism that stops it, not a symptom.
Tests that deploy are marked slow.
"""

from __future__ import annotations

import pytest
from corpus import SOLUTION, program

# -- 6. bad bytes: one deterministic line, warm worker or not -------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "bad"),
    [
        (program(SOLUTION).replace("import pulumi\n", "import pulumi\n# caf\x93\n", 1), "\x93"),
        (program(SOLUTION) + "\n# \x00\n", "\x00"),
    ],
    ids=["cp1252-comment", "nul-byte"],
)
def test_a_source_python_cannot_read_fails_synth_with_one_line(
    make_fork, grade_it, monkeypatch, source, bad
):
    data = source.encode("latin-1")
    line = data[: data.index(bad.encode("latin-1"))].count(b"\n") + 1
    messages = []
    for zygote in ("", "1"):
        monkeypatch.setenv("KATA_NO_ZYGOTE", zygote)
        fork = make_fork("")
        (fork / "katas" / "tiny-queue" / "__main__.py").write_bytes(data)
        result = grade_it(fork)
        [synth] = [r for r in result.results if r.id == "synth"]
        messages.append(synth.message)
        assert result.exit_code == 1
    assert messages[0] == messages[1], messages  # the same with or without the warm worker
    what = "a NUL byte" if bad == "\x00" else "byte 0x93"
    kind = "text" if bad == "\x00" else "UTF-8 text"
    assert messages[0].startswith(f"__main__.py is not {kind} ({what} at line {line})")
