"""validate: the kata is well-formed and the program to grade is in place."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.errors import HarnessError
from harness.kata import Kata
from harness.kata_format.variants import find_alternative, find_mutant, mutant_files, write


def prepare_program(kata: Kata, variant: str, dest: Path) -> Path:
    """Copy the Pulumi project with the candidate files of the chosen variant into dest.

    starter: the kata's own files (what the candidate edits); solution: solution/;
    mutant:<id>: solution/ with the mutant's diff applied; alternative:<name>: the
    files of alternatives/<name>/; program:<dir>: the candidate files taken from
    another directory (a fork, a hand-in).
    """
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", *sorted(p.name for p in kata.path.glob("Pulumi.*.yaml"))):
        if (kata.path / name).is_file():
            shutil.copy2(kata.path / name, dest / name)
    for extra in kata.path.iterdir():  # data the program reads (e.g. a zip it ships)
        if extra.is_dir() and extra.name == "assets":
            shutil.copytree(extra, dest / extra.name, dirs_exist_ok=True)
    if variant.startswith("mutant:"):
        mutant = find_mutant(kata, variant.split(":", 1)[1])
        for name, text in mutant_files(kata, mutant).items():
            write(dest / name, text)
        return dest
    sources = _sources(kata, variant)
    for name in kata.candidate_files:
        src = next((d / name for d in sources if (d / name).is_file()), None)
        if src is None:
            raise HarnessError(f"{variant}: candidate file {name} is missing")
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / name)
    return dest


def _sources(kata: Kata, variant: str) -> list[Path]:
    if variant == "starter":
        return [kata.path]
    if variant == "solution":
        return [kata.solution_dir]
    if variant.startswith("alternative:"):
        # An alternative may restyle some candidate files and keep the solution's others.
        return [find_alternative(kata, variant.split(":", 1)[1]).path, kata.solution_dir]
    if variant.startswith("program:"):
        directory = Path(variant.split(":", 1)[1]).expanduser().resolve()
        if not directory.is_dir():
            raise HarnessError(f"--program {directory} is not a directory")
        return [directory]
    raise HarnessError(f"unknown variant {variant!r}")
