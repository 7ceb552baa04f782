"""A kata on disk: its kata.yaml, validated, and the paths of its parts.

Every kata has the same files (see katas/README.md). Validation names the field
and the reason, so an author fixes a typo without reading a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import KataFormatError, UnknownKata

REPO_ROOT = Path(__file__).resolve().parent.parent
KATAS_DIR = REPO_ROOT / "katas"
REQUIRED_FILES = ("kata.yaml", "SPEC.md", "Pulumi.yaml", "__main__.py", "hints.md")
REQUIRED_DIRS = ("solution", "tests", "mutants")
DIFFICULTIES = ("beginner", "intermediate", "advanced")
REQ_ID = re.compile(r"^R[1-9][0-9]*$")
CLAUSE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CLAUSE_REF = re.compile(r"^(R[1-9][0-9]*)\.([a-z0-9]+(?:-[a-z0-9]+)*)$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    # (clause id, sentence) pairs: what the requirement promises, one checkable sentence
    # each, so that a mutant can name the one it breaks. Empty: not declared yet.
    clauses: tuple[tuple[str, str], ...] = ()

    @property
    def clause_refs(self) -> list[str]:
        return [f"{self.id}.{cid}" for cid, _ in self.clauses]


@dataclass(frozen=True)
class PolicyCheck:
    id: str  # CKV_AWS_40, CKV2_AWS_62 or a custom CKV_KATA_n from policies/
    requirement: str


@dataclass(frozen=True)
class Mutant:
    id: str
    breaks: tuple[str, ...]
    mistake: str
    path: Path  # mutants/<id>.diff, or a v1 directory of copies (lint reports those)
    clauses: tuple[str, ...] = ()  # "R1.no-other-sqs": the clauses the mistake breaks

    @property
    def is_diff(self) -> bool:
        return self.path.suffix == ".diff"


@dataclass(frozen=True)
class Alternative:
    """A correct program in another style: alternatives/<name>/ holds its candidate files."""

    name: str
    path: Path


@dataclass
class Kata:
    slug: str
    path: Path
    title: str
    difficulty: str
    timebox_minutes: int
    topics: list[str]
    candidate_files: list[str]
    requirements: list[Requirement]
    enforced_policies: list[PolicyCheck]
    config: dict[str, str]
    mutants: list[Mutant]
    services: list[str] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def requirement_ids(self) -> list[str]:
        return [r.id for r in self.requirements]

    @property
    def tests_dir(self) -> Path:
        return self.path / "tests"

    @property
    def solution_dir(self) -> Path:
        return self.path / "solution"

    def requirement(self, req_id: str) -> Requirement:
        for r in self.requirements:
            if r.id == req_id:
                return r
        raise KeyError(req_id)


def available_katas(katas_dir: Path = KATAS_DIR) -> list[str]:
    return sorted(p.parent.name for p in katas_dir.glob("*/kata.yaml"))


def load_kata(slug: str, katas_dir: Path = KATAS_DIR) -> Kata:
    path = katas_dir / slug
    if not (path / "kata.yaml").is_file():
        known = ", ".join(available_katas(katas_dir)) or "(none)"
        raise UnknownKata(f"unknown kata {slug!r}", f"available katas: {known}")
    return parse_kata(path)


def parse_kata(path: Path) -> Kata:
    where = f"{path.name}/kata.yaml"
    try:
        raw = yaml.safe_load((path / "kata.yaml").read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KataFormatError(f"{where}{line}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise KataFormatError(f"{where}: must be a mapping of fields, got {type(raw).__name__}")
    v = _Validator(where, raw)

    slug = path.name
    if not SLUG.match(slug):
        raise KataFormatError(f"{where}: directory name {slug!r} is not a lowercase-dashed slug")
    # A kata of a candidate repository (`kata export`) has no answers: no solution/,
    # mutants/ or alternatives/, and no tests/ when the checks are graded privately.
    exported = isinstance(raw.get("exported"), dict)
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    missing += [f"{d}/" for d in REQUIRED_DIRS if not exported and not (path / d).is_dir()]
    if missing:
        raise KataFormatError(f"{path.name}: missing {', '.join(missing)}", "see katas/README.md")

    requirements = [
        _requirement(where, req_id, spec)
        for req_id, spec in v.mapping("requirements", object).items()
    ]
    req_ids = {r.id for r in requirements}

    enforced = []
    for i, item in enumerate(v.list("policies", dict, required=False)):
        check, req = item.get("check"), item.get("requirement")
        if not isinstance(check, str) or not CHECK_ID.match(check):
            raise KataFormatError(f"{where}: policies[{i}].check: {check!r} is not a check id")
        if req not in req_ids:
            raise KataFormatError(
                f"{where}: policies[{i}].requirement: {req!r} is not one of {sorted(req_ids)}"
            )
        enforced.append(PolicyCheck(id=check, requirement=req))

    candidate_files = v.list("candidate_files", str)
    for f in candidate_files:
        if not (path / f).is_file() or not (exported or (path / "solution" / f).is_file()):
            raise KataFormatError(
                f"{where}: candidate_files: {f!r} must exist in the kata and in solution/"
            )

    mutants = [
        _mutant(where, path, mutant_id, spec, req_ids, candidate_files)
        for mutant_id, spec in v.mapping("mutants", dict, required=not exported).items()
    ]
    alternatives = [
        Alternative(p.name, p)
        for p in sorted((path / "alternatives").glob("*"))
        if p.is_dir() and not p.name.startswith((".", "__"))
    ]

    difficulty = v.scalar("difficulty", str)
    if difficulty not in DIFFICULTIES:
        raise KataFormatError(f"{where}: difficulty: {difficulty!r} is not one of {DIFFICULTIES}")
    timebox = v.scalar("timebox_minutes", int)
    if timebox <= 0:
        raise KataFormatError(f"{where}: timebox_minutes: must be a positive number of minutes")

    config = {str(k): str(val) for k, val in v.mapping("config", object, required=False).items()}
    return Kata(
        slug=slug,
        path=path,
        title=v.scalar("title", str),
        difficulty=difficulty,
        timebox_minutes=timebox,
        topics=v.list("topics", str),
        candidate_files=candidate_files,
        requirements=requirements,
        enforced_policies=enforced,
        config=config,
        mutants=mutants,
        services=v.list("services", str, required=False),
        alternatives=alternatives,
    )


def _requirement(where: str, req_id: str, spec: object) -> Requirement:
    """``R1: title`` or ``R1: {title: …, clauses: {<clause-id>: sentence, …}}``."""
    if not REQ_ID.match(req_id):
        raise KataFormatError(f"{where}: requirements: {req_id!r} is not an id like R1, R2, …")
    if isinstance(spec, str):
        return Requirement(req_id, spec)
    if not isinstance(spec, dict) or not isinstance(spec.get("title"), str):
        raise KataFormatError(
            f"{where}: requirements.{req_id}: expected a title, or a mapping with a title "
            "and clauses"
        )
    unknown = sorted(set(spec) - {"title", "clauses"})
    if unknown:
        raise KataFormatError(f"{where}: requirements.{req_id}: unknown fields {unknown}")
    clauses = spec.get("clauses") or {}
    if not isinstance(clauses, dict):
        raise KataFormatError(
            f"{where}: requirements.{req_id}.clauses: expected a mapping of clause id to sentence"
        )
    for cid, sentence in clauses.items():
        if not isinstance(cid, str) or not CLAUSE_ID.match(cid):
            raise KataFormatError(
                f"{where}: requirements.{req_id}.clauses: {cid!r} is not a lowercase-dashed id"
            )
        if not isinstance(sentence, str) or not sentence.strip():
            raise KataFormatError(
                f"{where}: requirements.{req_id}.clauses.{cid}: say what the clause requires"
            )
    return Requirement(
        req_id, spec["title"], tuple((cid, text.strip()) for cid, text in clauses.items())
    )


def _mutant(
    where: str,
    path: Path,
    mutant_id: str,
    spec: dict[str, Any],
    req_ids: set[str],
    candidate_files: list[str],
) -> Mutant:
    """A mutant's metadata; its diff is applied (and checked) when it is graded or linted."""
    diff, legacy = path / "mutants" / f"{mutant_id}.diff", path / "mutants" / mutant_id
    if diff.is_file():
        mpath = diff
    elif legacy.is_dir():  # format v1: still graded, reported by `kata lint`
        mpath = legacy
        stray = sorted(
            p.name for p in legacy.iterdir() if p.is_file() and p.name not in candidate_files
        )
        if stray:
            raise KataFormatError(
                f"{where}: mutants/{mutant_id}/ holds {stray}; a mutant may only replace "
                f"candidate files {candidate_files}"
            )
    else:
        raise KataFormatError(
            f"{where}: mutants.{mutant_id}: no file mutants/{mutant_id}.diff",
            f"make one with `kata mutant new {path.name} {mutant_id}`",
        )
    breaks = spec.get("breaks")
    if isinstance(breaks, str):
        breaks = [breaks]
    if not breaks or any(b not in req_ids for b in breaks):
        raise KataFormatError(
            f"{where}: mutants.{mutant_id}.breaks: {breaks!r} must name requirement ids"
        )
    if not isinstance(spec.get("mistake"), str) or not spec["mistake"].strip():
        raise KataFormatError(f"{where}: mutants.{mutant_id}.mistake: describe the mistake")
    clauses = spec.get("clauses", spec.get("clause", []))
    if isinstance(clauses, str):
        clauses = [clauses]
    if not isinstance(clauses, list) or not all(
        isinstance(c, str) and CLAUSE_REF.match(c) for c in clauses
    ):
        raise KataFormatError(
            f"{where}: mutants.{mutant_id}.clause: {clauses!r} must name clauses like R1.some-id"
        )
    unknown = sorted(set(spec) - {"breaks", "mistake", "clause", "clauses"})
    if unknown:
        raise KataFormatError(f"{where}: mutants.{mutant_id}: unknown fields {unknown}")
    return Mutant(mutant_id, tuple(breaks), spec["mistake"].strip(), mpath, tuple(clauses))


class _Validator:
    def __init__(self, where: str, raw: dict[str, Any]) -> None:
        self.where, self.raw = where, raw

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.raw:
            if required:
                raise KataFormatError(f"{self.where}: {key}: required field is missing")
            return None
        return self.raw[key]

    def scalar(self, key: str, typ: type) -> Any:
        val = self._get(key, True)
        if not isinstance(val, typ) or isinstance(val, bool):
            raise KataFormatError(
                f"{self.where}: {key}: expected {typ.__name__}, got {type(val).__name__} {val!r}"
            )
        return val

    def list(self, key: str, item: type, required: bool = True) -> list[Any]:
        val = self._get(key, required)
        if val is None:
            return []
        if not isinstance(val, list) or not all(isinstance(x, item) for x in val):
            raise KataFormatError(f"{self.where}: {key}: expected a list of {item.__name__}")
        return val

    def mapping(self, key: str, item: type, required: bool = True) -> dict[str, Any]:
        val = self._get(key, required)
        if val is None:
            return {}
        if not isinstance(val, dict) or not all(isinstance(x, item) for x in val.values()):
            raise KataFormatError(
                f"{self.where}: {key}: expected a mapping of id to {item.__name__}"
            )
        return val
