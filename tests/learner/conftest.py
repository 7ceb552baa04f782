from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def kata_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every learner test gets its own KATA_HOME: never the user's ~/.kata."""
    home = tmp_path / "kata-home"
    monkeypatch.setenv("KATA_HOME", str(home))
    return home
