"""The candidate files of a kata's variants: a mutant (solution + its diff), an
alternative (its own directory), and the scratch copy an author edits to make a mutant.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.errors import KataFormatError
from harness.kata import Alternative, Kata, Mutant
from harness.kata_format.diffs import DiffError, apply_diff, make_diff


def read(path: Path) -> str:
    """A file's text exactly (Path.read_text would turn CRLF into LF and break the diff)."""
    return path.read_bytes().decode("utf-8")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def solution_files(kata: Kata) -> dict[str, str]:
    return {name: read(kata.solution_dir / name) for name in kata.candidate_files}


def mutant_files(kata: Kata, mutant: Mutant) -> dict[str, str]:
    """Every candidate file of the mutant: the solution's, with the mutant's diff applied.

    Raises KataFormatError naming the mutant and the hunk when the diff no longer
    applies (the solution changed under it).
    """
    files = solution_files(kata)
    if not mutant.is_diff:  # format v1: a directory of replacement copies
        for name in kata.candidate_files:
            if (mutant.path / name).is_file():
                files[name] = read(mutant.path / name)
        return files
    try:
        files.update(apply_diff(read(mutant.path), files, where=f"mutant {mutant.id}"))
    except DiffError as exc:
        raise KataFormatError(
            f"{kata.slug}: {exc}",
            f"edit a copy with `kata mutant new {kata.slug} {mutant.id}`, "
            f"then `kata mutant diff {kata.slug} {mutant.id} <dir>`",
        ) from None
    return files


def find_mutant(kata: Kata, mutant_id: str) -> Mutant:
    known = {m.id: m for m in kata.mutants}
    if mutant_id not in known:
        raise KataFormatError(
            f"{kata.slug} has no mutant {mutant_id!r}",
            f"mutants: {', '.join(sorted(known)) or '(none)'}",
        )
    return known[mutant_id]


def find_alternative(kata: Kata, name: str) -> Alternative:
    known = {a.name: a for a in kata.alternatives}
    if name not in known:
        raise KataFormatError(
            f"{kata.slug} has no alternative {name!r}",
            f"alternatives: {', '.join(sorted(known)) or '(none)'}",
        )
    return known[name]


def scratch_copy(kata: Kata, mutant_id: str, dest: Path) -> Path:
    """Copy what an author edits to make mutant ``mutant_id``: the mutant's files if it
    exists (to revise it), else the solution's."""
    dest.mkdir(parents=True, exist_ok=True)
    existing = {m.id: m for m in kata.mutants}.get(mutant_id)
    files = mutant_files(kata, existing) if existing else solution_files(kata)
    for name, text in files.items():
        write(dest / name, text)
    return dest


def write_mutant_diff(kata: Kata, mutant_id: str, edited: Path) -> Path:
    """Write mutants/<id>.diff from an edited file or directory; returns its path.

    ``edited`` is a directory holding candidate files, or a single candidate file.
    Files it lacks stay as in the solution. An edit that changes nothing is refused:
    a mutant identical to the solution cannot be caught.
    """
    solution = solution_files(kata)
    if edited.is_file():
        if edited.name not in solution:
            raise KataFormatError(
                f"{edited.name} is not a candidate file of {kata.slug} ({', '.join(solution)})"
            )
        changed = {edited.name: read(edited)}
    elif edited.is_dir():
        changed = {n: read(edited / n) for n in solution if (edited / n).is_file()}
    else:
        raise KataFormatError(f"{edited} is neither a file nor a directory")
    diff = make_diff(solution, changed)
    if not diff:
        raise KataFormatError(
            f"{edited}: the same as {kata.slug}'s solution; make the mistake first"
        )
    out = kata.path / "mutants" / f"{mutant_id}.diff"
    write(out, diff)
    legacy = kata.path / "mutants" / mutant_id
    if legacy.is_dir():  # the v1 copy it replaces
        shutil.rmtree(legacy)
    return out
