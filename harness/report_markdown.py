"""A Markdown summary of a run: for $GITHUB_STEP_SUMMARY, a PR comment, or a reader.

The verdict and score first, then one row per requirement with why it failed, the
failing checks with where in the program, ignored files of a graded submission, the
isolation the program had, and the stage timings. Long lists are cut (GitHub caps a
step summary at 1 MiB); results.json always has everything.
"""

from __future__ import annotations

from pathlib import Path

from harness import sanitize
from harness.report import advisory, harness_checks, requirement_rows
from harness.results import Outcome
from harness.runner import RunResult

MAX_ROWS = 50


def _cell(text: object) -> str:
    """One table cell: no line breaks, long text cut, HTML and Markdown inert (a
    candidate's message must not render as a link, an image or a closed table)."""
    flat = " ".join(str(text or "").split())
    flat = flat if len(flat) <= 300 else flat[:299] + "…"
    return sanitize.markdown(flat)


def _code(text: str) -> str:
    """A code span: nothing inside renders; a backtick or line break would end it."""
    flat = " ".join(sanitize.visible(text).replace("`", "'").split())
    return f"`{flat}`" if flat else ""


def to_markdown(result: RunResult) -> str:
    rows = requirement_rows(result)
    passed = sum(1 for r in rows if r["passed"])
    verdict = {"passed": "✅ PASSED", "failed": "❌ FAILED", "incomplete": "⚠️ INCOMPLETE"}[
        result.verdict
    ]
    variant = result.options.variant
    if result.submission is not None:
        variant = f"submission ({result.submission.get('layout')})"
    unevaluated = sum(1 for r in rows if r["status"] == "not_evaluable")
    lines = [
        f"## {verdict} — {_cell(result.kata.title)}",
        "",
        f"**{passed}/{len(rows)} requirements**"
        + (f" ({unevaluated} not evaluable on this emulator)" if unevaluated else "")
        + f" · kata {_code(result.kata.slug)} · "
        f"{_cell(variant)} · engine {result.options.engine} · {result.duration_s:.1f} s",
        "",
    ]
    if result.error is not None:
        lines += [f"> **error** ({result.error.kind}): {_cell(str(result.error))}", ""]
    if result.interrupted:
        lines += ["> **interrupted**: the stack was torn down", ""]

    lines += ["| | requirement | checks | why it failed |", "|---|---|---|---|"]
    for row in rows:
        icon = {"passed": "✅", "failed": "❌", "not_evaluable": "⚠️"}[row["status"]]
        lines.append(
            f"| {icon} {row['id']} | {_cell(row['title'])} | "
            f"{row['checks_passed']}/{row['checks_total']} | {_cell(row['reason'])} |"
        )
    for check in harness_checks(result):
        icon = {Outcome.PASSED: "✅", Outcome.NOT_EVALUABLE: "⚠️"}.get(check.outcome, "❌")
        lines.append(f"| {icon} — | {_cell(check.title)} | | {_cell(check.message)} |")
    lines.append("")

    failing = [r for r in result.results if r.blocking]
    if failing:
        lines += [
            f"<details><summary>Failing checks ({len(failing)})</summary>",
            "",
            "| stage | check | requirement | where | message |",
            "|---|---|---|---|---|",
        ]
        for r in failing[:MAX_ROWS]:
            where = r.source or r.resource or ""
            lines.append(
                f"| {r.stage} | {_code(r.id)} | {r.requirement or '—'} | {_code(where)} | "
                f"{_cell(r.message or r.title)} |"
            )
        if len(failing) > MAX_ROWS:
            lines.append(f"| … | {len(failing) - MAX_ROWS} more in results.json | | | |")
        lines += ["", "</details>", ""]

    unevaluable = [r for r in result.results if r.unevaluated]
    if unevaluable:
        lines += [
            f"<details><summary>Not evaluable on this emulator ({len(unevaluable)})</summary>",
            "",
        ]
        for r in unevaluable[:MAX_ROWS]:
            lines.append(f"- {r.requirement or '—'} {_code(r.id)}: {_cell(r.message or r.title)}")
        if len(unevaluable) > MAX_ROWS:
            lines.append(f"- … {len(unevaluable) - MAX_ROWS} more in results.json")
        lines += ["", "</details>", ""]

    adv = [a for a in advisory(result) if a.outcome == Outcome.FAILED]
    if adv:
        lines += [
            f"<details><summary>Advisory policy findings, not enforced ({len(adv)})</summary>",
            "",
        ]
        for a in adv[:MAX_ROWS]:
            where = f" at {_code(a.source)}" if a.source else ""
            lines.append(f"- {_code(a.id)} {_cell(a.title)} — {_cell(a.resource)}{where}")
        if len(adv) > MAX_ROWS:
            lines.append(f"- … {len(adv) - MAX_ROWS} more in results.json")
        lines += ["", "</details>", ""]

    if result.submission is not None:
        ignored = result.submission.get("ignored") or []
        files = ", ".join(_code(f) for f in result.submission.get("candidate_files", []))
        lines.append(f"**Graded files:** {files} from the submission; all else from the kata.")
        lines.append("")
        if ignored:
            lines += [
                f"<details><summary>Ignored changes ({len(ignored)}): files outside the "
                "candidate files do not count</summary>",
                "",
            ]
            lines += [f"- {_code(c['path'])} ({c['change']})" for c in ignored[:MAX_ROWS]]
            if len(ignored) > MAX_ROWS or result.submission.get("ignored_truncated"):
                lines.append("- … more in results.json")
            lines += ["", "</details>", ""]

    iso = result.isolation or {}
    if iso:
        lines += [
            "<details><summary>Isolation of the program</summary>",
            "",
            f"- network: {_cell(iso.get('network'))}",
            f"- filesystem: {_cell(iso.get('filesystem'))}",
            f"- processes: {_cell(iso.get('processes'))}",
            f"- environment: {_cell(iso.get('environment'))}",
            f"- limits: {_cell(', '.join(iso.get('limits') or []))}",
        ]
        if iso.get("reason"):
            lines.append(f"- no namespaces because: {_cell(iso.get('reason'))}")
        lines += ["", "</details>", ""]

    lines += [
        "<details><summary>Stages</summary>",
        "",
        "| stage | seconds | outcome | detail |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {t.stage} | {t.duration_s:.2f} | {t.outcome} | {_cell(t.detail)} |"
        for t in result.timings
    ]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def write_markdown(result: RunResult, path: Path) -> None:
    path.write_text(to_markdown(result))
