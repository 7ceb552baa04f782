"""Grade a submission: the trusted kata from this checkout, only the candidate's files
from the submission.

A submission is a fork checkout (``DIR/katas/<slug>/<file>``) or a bare directory that
holds the candidate files (``DIR/<file>``). The kata's spec, tests, policies, kata.yaml
and the harness all come from this checkout; from the submission only the files the
kata's ``candidate_files`` names are taken. Every other file the submission changed is
ignored and listed in the report, so a reviewer sees what a candidate tried to change
and the grade cannot depend on it.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.context import RunOptions
from harness.errors import HarnessError
from harness.kata import REPO_ROOT, Kata
from harness.runner import RunResult, run_kata

MAX_CANDIDATE_BYTES = 1024 * 1024  # a kata program is a few KB
MAX_FILES_COMPARED = 20_000  # of a fork checkout; the list says when it stopped short
SKIPPED_DIRS = {
    ".git",
    ".nox",
    ".venv",
    ".tools",
    ".kata-runs",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
}


class SubmissionError(HarnessError):
    kind = "submission"


@dataclass
class Submission:
    path: Path  # as given
    layout: str  # "fork" (a checkout of this repository) or "bare" (just the files)
    candidate_dir: Path  # where the candidate files are in it
    candidate_files: list[str]
    ignored: list[dict[str, str]] = field(default_factory=list)  # {"path", "change"}
    truncated: bool = False  # more files than MAX_FILES_COMPARED: the list stops short

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "layout": self.layout,
            "candidate_files": self.candidate_files,
            "ignored": self.ignored,
            "ignored_truncated": self.truncated,
        }


def inspect(kata: Kata, directory: Path, trusted_root: Path = REPO_ROOT) -> Submission:
    """Where the candidate files are, and what else the submission changed (ignored)."""
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise SubmissionError(f"--submission {directory} is not a directory")
    kata_rel = kata.path.resolve().relative_to(trusted_root.resolve())
    if (directory / kata_rel).is_dir():
        sub = Submission(directory, "fork", directory / kata_rel, list(kata.candidate_files))
        candidates = {str(kata_rel / f) for f in kata.candidate_files}
        sub.ignored, sub.truncated = _changes(directory, trusted_root, candidates)
        missing = _changes_deleted(directory / kata_rel, kata.path, kata_rel)
        sub.ignored += [m for m in missing if m["path"] not in candidates]
    else:
        sub = Submission(directory, "bare", directory, list(kata.candidate_files))
        sub.ignored, sub.truncated = _changes(directory, kata.path, set(kata.candidate_files))
    sub.ignored.sort(key=lambda c: c["path"])
    return sub


def _walk(root: Path):  # type: ignore[no-untyped-def]
    for dirpath, dirnames, filenames in os.walk(root):  # never follows symlinks
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            yield Path(dirpath) / name


def _changes(
    submitted: Path, trusted: Path, candidates: set[str]
) -> tuple[list[dict[str, str]], bool]:
    changes: list[dict[str, str]] = []
    for count, path in enumerate(_walk(submitted)):
        if count >= MAX_FILES_COMPARED:
            return changes, True
        rel = str(path.relative_to(submitted))
        if rel in candidates or path.suffix == ".pyc":
            continue
        other = trusted / rel
        if path.is_symlink():
            changes.append({"path": rel, "change": "symlink"})
        elif not other.is_file():
            changes.append({"path": rel, "change": "added"})
        elif not filecmp.cmp(path, other, shallow=False):
            changes.append({"path": rel, "change": "modified"})
    return changes, False


def _changes_deleted(submitted_kata: Path, trusted_kata: Path, kata_rel: Path) -> list[dict]:
    """Files of the kata the fork removed (e.g. a test it hoped would then not run)."""
    return [
        {"path": str(kata_rel / p.relative_to(trusted_kata)), "change": "deleted"}
        for p in _walk(trusted_kata)
        if p.suffix != ".pyc" and not (submitted_kata / p.relative_to(trusted_kata)).exists()
    ]


def stage(sub: Submission, dest: Path) -> Path:
    """Copy the candidate files, and nothing else, out of the submission into dest.

    Each must be a regular file inside the submission (not a symlink, which could point
    at a file of the grader's machine) and at most MAX_CANDIDATE_BYTES.
    """
    root = sub.candidate_dir.resolve()
    for name in sub.candidate_files:
        src = sub.candidate_dir / name
        where = f"{'katas/…/' if sub.layout == 'fork' else ''}{name}"
        try:
            info = src.lstat()
        except FileNotFoundError:
            raise SubmissionError(
                f"the submission has no {src.relative_to(sub.path)}",
                f"the kata grades {', '.join(sub.candidate_files)}",
            ) from None
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{where} in the submission is not a regular file (a symlink?)")
        if not src.resolve().is_relative_to(root):
            raise SubmissionError(f"{where} in the submission lies outside it")
        if info.st_size > MAX_CANDIDATE_BYTES:
            raise SubmissionError(
                f"{where} is {info.st_size // 1024} KB; a candidate file may be at most "
                f"{MAX_CANDIDATE_BYTES // 1024} KB"
            )
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest / name)  # contents only: no mode bits, no owner
    return dest


def grade(
    kata: Kata,
    directory: Path,
    options: RunOptions | None = None,
    trusted_root: Path = REPO_ROOT,
    on_stage=None,  # type: ignore[no-untyped-def]
) -> RunResult:
    """Grade a submission; the result carries ``submission`` (what was taken and ignored)."""
    sub = inspect(kata, directory, trusted_root)
    options = options or RunOptions()
    if options.out_dir is None:
        options.out_dir = trusted_root / ".kata-runs" / kata.slug / "submission"
    with tempfile.TemporaryDirectory(prefix="kata-submission-") as tmp:
        staged = stage(sub, Path(tmp))
        options.variant = f"program:{staged}"
        result = run_kata(kata, options, on_stage=on_stage)
    # What the report names: where the files came from, not the scratch copy.
    options.variant = f"submission:{sub.path}"
    result.submission = sub.to_dict()
    return result
