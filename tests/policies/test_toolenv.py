"""The tool venv: built once under KATA_TOOLS_DIR, reused, one-line errors."""

from __future__ import annotations

import pytest

from harness.errors import ToolError
from harness.policy.toolenv import tool_python


def test_builds_once_and_reuses(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KATA_TOOLS_DIR", str(tmp_path / "tools"))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# no packages: only the venv itself is under test\n")

    python = tool_python("demo", requirements)
    assert python.is_file() and python.parent.parent.parent == tmp_path / "tools"
    assert "installing demo into" in capsys.readouterr().err

    assert tool_python("demo", requirements) == python
    assert capsys.readouterr().err == ""  # ready: no second install

    requirements.write_text("# changed pins get a venv of their own\n")
    assert tool_python("demo", requirements) != python


def test_install_failure_is_one_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KATA_TOOLS_DIR", str(tmp_path / "tools"))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("./no-such-package.whl\n")
    with pytest.raises(ToolError) as info:
        tool_python("demo", requirements)
    assert "installing demo into" in str(info.value) and "\n" not in str(info.value)
