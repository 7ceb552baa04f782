"""scoreboard.html and scoreboard.csv: one row per person, one column per requirement.

Every string a candidate controls (their name, fork URL, a program's exception message)
goes through html.escape: a scoreboard must not run a submission's markup in the
reviewer's browser. The page has no script and loads nothing.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any

from harness.kata import Kata

REASON_CHARS = 300  # the first reason is a sentence; results.json has the rest
CELL_CHARS = 160  # a requirement cell: enough to name the principal and the action
CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f3f3f3;position:sticky;top:0}
.pass{background:#dff3df}.fail{background:#fbe0e0}.na{background:#fff4d6}
.bad{background:#eee}.why{display:block;font-size:.78rem;color:#555;max-width:22rem;
overflow-wrap:anywhere}.attempts{font-size:.78rem;color:#444}
"""
STATUS_CLASS = {"passed": "pass", "failed": "fail", "incomplete": "na", "bad entry": "bad"}
CELL_CLASS = {"pass": "pass", "fail": "fail", "not evaluable": "na", "not run": "bad"}


def _short(text: str, limit: int = REASON_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _attempts_text(row: dict[str, Any]) -> str:
    past = row.get("attempts") or []
    return " · ".join(f"{a['graded_at']} {a['status']} {a['passed']}/{a['of']}" for a in past)


def write_scoreboard(kata: Kata, rows: list[dict[str, Any]], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_html(kata, rows, out_dir / "scoreboard.html"), write_csv(
        kata, rows, out_dir / "scoreboard.csv"
    )


def _cell(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: a candidate's name
    or error message must not (OWASP's CSV injection advice: prefix a quote)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(kata: Kata, rows: list[dict[str, Any]], path: Path) -> Path:
    reqs = kata.requirement_ids
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(
            [
                "name",
                "source",
                "ref",
                "status",
                "requirements passed",
                "first reason",
                "commit",
                "commit time",
                "graded at",
                *reqs,
                "earlier attempts",
            ]
        )
        for row in rows:
            cells = row["requirements"]
            out.writerow(
                _cell(str(c))
                for c in [
                    row["name"],
                    row["source"],
                    row["ref"],
                    row["status"],
                    _passed(row, reqs),
                    _short(row["reason"]),
                    row["commit"],
                    row["commit_time"],
                    row["graded_at"],
                    *(_csv_cell(cells.get(r)) for r in reqs),
                    _attempts_text(row),
                ]
            )
    return path


def _csv_cell(cell: dict[str, str] | None) -> str:
    if cell is None:
        return ""
    return cell["outcome"] + (f": {_short(cell['why'])}" if cell["why"] else "")


def _passed(row: dict[str, Any], reqs: list[str]) -> str:
    if not row["requirements"]:
        return ""
    return f"{sum(1 for c in row['requirements'].values() if c['outcome'] == 'pass')}/{len(reqs)}"


def write_html(kata: Kata, rows: list[dict[str, Any]], path: Path) -> Path:
    e = html.escape
    reqs = kata.requirements
    head = "".join(f'<th title="{e(r.title)}">{e(r.id)}</th>' for r in reqs)
    body = []
    for row in rows:
        cells = []
        for r in reqs:
            cell = row["requirements"].get(r.id)
            if cell is None:
                cells.append('<td class="bad">—</td>')
                continue
            short = _short(cell["why"], CELL_CHARS)
            why = f'<span class="why">{e(short)}</span>' if cell["why"] else ""
            cells.append(
                f'<td class="{CELL_CLASS[cell["outcome"]]}">{e(cell["outcome"])}{why}</td>'
            )
        commit = e(row["commit"][:12]) if row["commit"] else "not a git checkout"
        when = e(row["commit_time"]) if row["commit_time"] else ""
        reason = f'<span class="why">{e(_short(row["reason"]))}</span>' if row["reason"] else ""
        body.append(
            "<tr>"
            f'<td><strong>{e(row["name"])}</strong><span class="why">{e(row["source"])}'
            f"{' @ ' + e(row['ref']) if row['ref'] else ''}</span></td>"
            f'<td class="{STATUS_CLASS.get(row["status"], "bad")}">{e(row["status"])} '
            f"{e(_passed(row, kata.requirement_ids))}{reason}</td>"
            f'<td>{commit}<span class="why">{when}</span></td>'
            + "".join(cells)
            + f'<td class="attempts">{e(_attempts_text(row)) or "first attempt"}</td>'
            "</tr>"
        )
    graded = e(max((r["graded_at"] for r in rows), default=""))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Scoreboard: {e(kata.title)}</title><style>{CSS}</style></head>
<body><h1>Scoreboard: {e(kata.title)} <small>({e(kata.slug)})</small></h1>
<p>{len(rows)} submissions, graded {graded}. Each cell: the requirement's verdict and the
first reason it did not pass. Hover a requirement for its title.</p>
<table><thead><tr><th>person</th><th>verdict</th><th>graded commit</th>{head}
<th>earlier attempts</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
