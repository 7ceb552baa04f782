"""Clause coverage: requirement -> clauses -> the mutants that break each clause.

A requirement is a few promises ("may consume the queue", "every other SQS action is
denied"). A check suite that catches one mutant per requirement can still miss a
whole promise; naming the clause each mutant breaks shows which promises no mutant
exercises. Static: read from kata.yaml, no deploy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.kata import Kata


@dataclass
class ClauseRow:
    requirement: str
    clause: str | None  # None: the requirement declares no clauses
    sentence: str
    mutants: list[str] = field(default_factory=list)


@dataclass
class Coverage:
    rows: list[ClauseRow]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def clause_coverage(kata: Kata) -> Coverage:
    rows: list[ClauseRow] = []
    problems: list[str] = []
    reqs = {r.id: r for r in kata.requirements}
    declared = {ref: r for r in kata.requirements for ref in r.clause_refs}
    by_clause: dict[str, list[str]] = {ref: [] for ref in declared}
    for m in kata.mutants:
        for ref in m.clauses:
            req_id = ref.partition(".")[0]
            if ref not in declared:
                own = [c for c, _ in reqs[req_id].clauses] if req_id in reqs else []
                problems.append(
                    f"mutant {m.id}: names unknown clause {ref} "
                    f"({req_id} declares: {', '.join(own) or 'no clauses'})"
                )
                continue
            by_clause[ref].append(m.id)
            if req_id not in m.breaks:
                problems.append(
                    f"mutant {m.id}: breaks clause {ref}, so its breaks "
                    f"{list(m.breaks)} must include {req_id}"
                )
        with_clauses = [b for b in m.breaks if reqs[b].clauses]
        if with_clauses and not m.clauses:
            problems.append(
                f"mutant {m.id}: names no clause; which clause of {', '.join(with_clauses)} "
                "does it break? (clause: R….<id>)"
            )
    undeclared = [r.id for r in kata.requirements if not r.clauses]
    if undeclared and len(undeclared) == len(kata.requirements):
        problems.append(
            "clauses not declared for any requirement: coverage is not evaluable "
            "(requirements.<R…>.clauses in kata.yaml)"
        )
    elif undeclared:
        problems += [
            f"{r}: clauses not declared (requirements.{r}.clauses in kata.yaml)" for r in undeclared
        ]
    for req in kata.requirements:
        if not req.clauses:
            rows.append(ClauseRow(req.id, None, req.title))
            continue
        for cid, sentence in req.clauses:
            ref = f"{req.id}.{cid}"
            rows.append(ClauseRow(req.id, cid, sentence, by_clause[ref]))
            if not by_clause[ref]:
                problems.append(f"{ref}: no mutant breaks this clause ({sentence})")
    return Coverage(rows, problems)
