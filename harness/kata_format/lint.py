"""`kata lint`: the kata format, checked without deploying anything (like exercism's
configlet). One line per problem; an empty list means the kata is well-formed.

What it checks: the required files; kata.yaml parses; every requirement has a check
(a tagged behavioral test or an enforced policy); every test is tagged with a known
requirement; every mutant diff applies, changes something and names known clauses;
clause coverage (see coverage.py); every alternative holds only candidate files and
differs from the solution; no v1 mutant copies are left; at least MIN_ALTERNATIVES
alternatives.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.kata import KATAS_DIR, REQUIRED_FILES, Kata, parse_kata
from harness.kata_format.coverage import clause_coverage
from harness.kata_format.tags import tagged_tests
from harness.kata_format.variants import mutant_files, read, solution_files

REQUIRED_DIRS = ("solution", "tests", "mutants", "alternatives")
MIN_ALTERNATIVES = 4
IGNORED = ("__pycache__", ".pytest_cache", ".DS_Store")


def lint_kata(path: Path) -> list[str]:
    """The problems of the kata at ``path``, each one line naming the file or field."""
    problems = [f"missing {f}" for f in REQUIRED_FILES if not (path / f).is_file()]
    problems += [f"missing {d}/" for d in REQUIRED_DIRS if not (path / d).is_dir()]
    if not (path / "kata.yaml").is_file():
        return problems
    try:
        kata = parse_kata(path)
    except HarnessError as err:
        return [*problems, str(err)] if str(err) not in problems else problems
    return problems + _checks(kata) + _mutants(kata) + _alternatives(kata)


def lint_katas(slugs: list[str], katas_dir: Path | None = None) -> list[str]:
    """``<slug>: <problem>`` for every problem of every named kata."""
    root = katas_dir or KATAS_DIR
    return [f"{slug}: {p}" for slug in slugs for p in lint_kata(root / slug)]


def _checks(kata: Kata) -> list[str]:
    problems = []
    try:
        tests = tagged_tests(kata.path)
    except SyntaxError as exc:
        return [f"{exc.filename}:{exc.lineno}: does not parse ({exc.msg})"]
    known = set(kata.requirement_ids)
    for t in tests:
        if t.requirement is None:
            problems.append(
                f"{t.file}:{t.line}: {t.name} is not tagged @pytest.mark.requirement('R…')"
            )
        elif t.requirement not in known:
            problems.append(
                f"{t.file}:{t.line}: {t.name} is tagged {t.requirement!r}, "
                f"not a requirement of kata.yaml ({', '.join(kata.requirement_ids)})"
            )
    checked = {t.requirement for t in tests} | {p.requirement for p in kata.enforced_policies}
    for req in kata.requirements:
        if req.id not in checked:
            problems.append(
                f"{req.id}: no check verifies it (no tagged test, no enforced policy) — {req.title}"
            )
    return problems


def _mutants(kata: Kata) -> list[str]:
    problems = []
    mutants_dir = kata.path / "mutants"
    listed = {m.id for m in kata.mutants}
    solution = solution_files(kata)
    for m in kata.mutants:
        if not m.is_diff:
            problems.append(
                f"mutants/{m.id}/: a v1 copy of the solution; replace it with a diff: "
                f"`kata mutant diff {kata.slug} {m.id} mutants/{m.id}`"
            )
        try:
            files = mutant_files(kata, m)
        except HarnessError as err:
            problems.append(err.message)
            continue
        if files == solution:
            problems.append(f"mutant {m.id}: identical to the solution, so it cannot be caught")
    if mutants_dir.is_dir():
        for p in sorted(mutants_dir.iterdir()):
            if p.name in IGNORED:
                continue
            stem = p.name.removesuffix(".diff") if p.is_file() else p.name
            if stem not in listed:
                problems.append(f"mutants/{p.name}: not listed under mutants: in kata.yaml")
            elif p.is_dir() and (mutants_dir / f"{stem}.diff").is_file():
                problems.append(f"mutants/{p.name}/: a v1 copy left next to its diff; delete it")
    problems += clause_coverage(kata).problems
    return problems


def _alternatives(kata: Kata) -> list[str]:
    problems = []
    solution = solution_files(kata)
    for alt in kata.alternatives:
        entries = [p for p in alt.path.rglob("*") if not _ignored(p, alt.path)]
        stray = sorted(
            str(p.relative_to(alt.path))
            for p in entries
            if p.is_file() and str(p.relative_to(alt.path)) not in kata.candidate_files
        )
        if stray:
            problems.append(
                f"alternatives/{alt.name}/: holds {', '.join(stray)}; only candidate files "
                f"({', '.join(kata.candidate_files)}) belong there"
            )
        own = {n: read(alt.path / n) for n in kata.candidate_files if (alt.path / n).is_file()}
        if not own:
            problems.append(f"alternatives/{alt.name}/: holds no candidate file")
        elif all(solution[n] == text for n, text in own.items()):
            problems.append(f"alternatives/{alt.name}/: identical to the solution")
    if len(kata.alternatives) < MIN_ALTERNATIVES:
        problems.append(
            f"alternatives/: {len(kata.alternatives)} of at least {MIN_ALTERNATIVES} correct "
            "programs in other styles"
        )
    return problems


def _ignored(path: Path, root: Path) -> bool:
    return any(part in IGNORED for part in path.relative_to(root).parts)
