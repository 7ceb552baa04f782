"""validate: the kata is well-formed and the program to grade is in place."""

from __future__ import annotations

import io
import shutil
import tokenize
from pathlib import Path

from harness.errors import HarnessError, ProgramError
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


def check_sources(workdir: Path, names: list[str]) -> None:
    """Candidate Python files must be text Python can read, judged here, in the harness.

    A stray cp1252 byte or a NUL otherwise fails differently depending on which process
    meets it first (the warm worker's import scan, or Python's compiler): one line instead.
    """
    for name in names:
        if not name.endswith(".py"):
            continue
        data = (workdir / name).read_bytes()
        problem = source_problem(data)
        if problem:
            raise ProgramError(
                f"{name} {problem}",
                "save the file as UTF-8 (or declare its encoding in a coding comment)",
            )


def source_problem(data: bytes) -> str:
    """Why Python could not read these bytes as source ("" when it can)."""
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"is not text (a NUL byte at line {_line_of(data, nul)})"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown coding cookie
        return f"declares an encoding Python does not know ({exc.msg})"
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        label = "UTF-8" if encoding.replace("-", "").lower().startswith("utf8") else encoding
        return f"is not {label} text (byte 0x{data[exc.start]:02x} at line {line})"
    return ""


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
