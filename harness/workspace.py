"""The learner's own copy of a kata, and the small file that remembers their runs.

``kata start <slug>`` copies the starter (the candidate files and the Pulumi project
files) to ``$KATA_HOME/workspace/<slug>/`` (``~/.kata`` by default), so the repository's
files stay pristine and a ``git pull`` never conflicts with the learner's edits. Every
verb grades that copy when it exists. ``$KATA_HOME/progress.json`` records starts,
attempts, hints shown and solves; it lives outside the tracked tree and is replaced
atomically, so an interrupted write never leaves half a file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.kata import Kata

RESULTS_DIR = ".kata-results"  # inside the workspace: the last run's reports


def kata_home() -> Path:
    return Path(os.environ.get("KATA_HOME") or Path.home() / ".kata").expanduser()


def workspace_dir(slug: str) -> Path:
    return kata_home() / "workspace" / slug


def existing_workspace(slug: str) -> Path | None:
    """The workspace of slug if `kata start` made one (it has Pulumi.yaml)."""
    path = workspace_dir(slug)
    return path if (path / "Pulumi.yaml").is_file() else None


def project_files(kata: Kata) -> list[str]:
    """What a workspace holds: Pulumi.yaml, the stack files and the candidate files."""
    stacks = sorted(p.name for p in kata.path.glob("Pulumi.*.yaml"))
    return ["Pulumi.yaml", *stacks, *kata.candidate_files]


def create_workspace(kata: Kata, *, force: bool = False) -> tuple[Path, bool]:
    """Copy the starter into the workspace; (path, created). An existing workspace is
    the learner's work: it is kept unless force (then the starter replaces it)."""
    dest = workspace_dir(kata.slug)
    if existing_workspace(kata.slug) and not force:
        return dest, False
    dest.mkdir(parents=True, exist_ok=True)
    for name in project_files(kata):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kata.path / name, target)
    return dest, True


# -- progress.json ------------------------------------------------------------------


def progress_file() -> Path:
    return kata_home() / "progress.json"


def load_progress() -> dict[str, Any]:
    path = progress_file()
    if not path.is_file():
        return {"katas": {}}
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {"katas": {}}  # unreadable: start afresh rather than refuse to grade
    if not isinstance(doc, dict) or not isinstance(doc.get("katas"), dict):
        return {"katas": {}}
    return doc


def save_progress(doc: dict[str, Any]) -> None:
    """Write to a temporary file in the same directory, then rename over the old one."""
    path = progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def kata_progress(slug: str) -> Iterator[dict[str, Any]]:
    """The entry of one kata, saved when the block ends."""
    doc = load_progress()
    entry = doc["katas"].setdefault(slug, {})
    yield entry
    save_progress(doc)


def now() -> float:
    return time.time()
