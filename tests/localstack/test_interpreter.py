"""Finding a Python >= 3.12 for LocalStack: the first one that is, or one clear line."""

from __future__ import annotations

import os
import sys

import pytest

from harness.emulator import localstack
from harness.errors import EXIT_USAGE, EmulatorError


def test_without_one_it_says_what_to_install_in_one_line(monkeypatch) -> None:
    monkeypatch.setattr(localstack, "_candidates", lambda: [sys.executable, "/nonexistent/py"])
    monkeypatch.setattr(localstack, "MIN_PYTHON", (sys.version_info.major + 1, 0))
    with pytest.raises(EmulatorError) as caught:
        localstack.find_interpreter()
    assert caught.value.exit_code == EXIT_USAGE
    assert "\n" not in caught.value.message and "none was found" in caught.value.message


def test_an_older_interpreter_is_passed_over_for_a_newer_one(monkeypatch) -> None:
    monkeypatch.setattr(localstack, "_candidates", lambda: ["/nonexistent/py", sys.executable])
    monkeypatch.setattr(localstack, "MIN_PYTHON", sys.version_info[:2])
    python, version = localstack.find_interpreter()
    assert (python, version) == (os.path.realpath(sys.executable), sys.version_info[:2])
