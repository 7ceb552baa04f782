"""results.html: one run drawn for a person — the stack as a graph, what failed and where.

The page is self-contained (inline CSS and SVG, no script, no network): the graph is
laid out here, one lane per region, resources in columns by dependency depth, an arrow
from each resource to those it depends on. A failing requirement links to the
resources its failing checks are about (the check's resource, or a resource the message
names); a policy finding shows its source line.

Everything a candidate controls (resource names, messages, outputs, the program's
printed text) is HTML-escaped, and a Content-Security-Policy without script-src stops
any script that escaping missed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.runner import RunResult

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
NODE_W, NODE_H, COL_GAP, ROW_GAP, LANE_PAD = 210, 44, 60, 14, 28
MAX_OUTPUT_CHARS = 20_000


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class Node:
    index: int
    urn: str
    name: str
    type: str
    region: str
    depends_on: list[str]
    x: float = 0.0
    y: float = 0.0

    @property
    def anchor(self) -> str:
        return f"res-{self.index}"

    @property
    def short_type(self) -> str:
        # "aws:iam/role:Role" -> "iam Role"
        token = self.type.split(":")
        return f"{token[1].split('/')[0]} {token[-1]}" if len(token) >= 3 else self.type


def graph_nodes(resources: list[dict[str, Any]]) -> list[Node]:
    """Cloud resources only (no providers, no components), laid out in region lanes."""
    kept = [
        r
        for r in resources
        if r.get("custom", True) and not str(r.get("type", "")).startswith("pulumi:providers:")
    ]
    urns = {r["urn"] for r in kept}
    nodes = []
    for i, r in enumerate(kept):
        deps = set(r.get("dependencies") or [])
        for more in (r.get("property_dependencies") or {}).values():
            deps |= set(more)
        nodes.append(
            Node(
                i,
                r["urn"],
                str(r.get("name", "")),
                str(r.get("type", "")),
                str(r.get("region") or "global"),
                sorted(d for d in deps if d in urns and d != r["urn"]),
            )
        )
    _layout(nodes)
    return nodes


def _layout(nodes: list[Node]) -> None:
    by_urn = {n.urn: n for n in nodes}
    depth: dict[str, int] = {}

    def depth_of(node: Node, seen: frozenset[str] = frozenset()) -> int:
        if node.urn not in depth:
            parents = [by_urn[d] for d in node.depends_on if d not in seen]
            depth[node.urn] = 1 + max((depth_of(p, seen | {node.urn}) for p in parents), default=-1)
        return depth[node.urn]

    lanes = sorted({n.region for n in nodes})
    top = 0.0
    for lane in lanes:
        rows: dict[int, int] = {}
        for node in sorted((n for n in nodes if n.region == lane), key=lambda n: n.index):
            col = depth_of(node)
            row = rows.get(col, 0)
            rows[col] = row + 1
            node.x = 20 + col * (NODE_W + COL_GAP)
            node.y = top + LANE_PAD + row * (NODE_H + ROW_GAP)
        top += LANE_PAD + max(rows.values(), default=0) * (NODE_H + ROW_GAP) + LANE_PAD


def _svg(nodes: list[Node], failing: set[str]) -> str:
    if not nodes:
        return '<p class="empty">No resource was deployed or previewed.</p>'
    width = max(n.x for n in nodes) + NODE_W + 40
    height = max(n.y for n in nodes) + NODE_H + LANE_PAD + 10
    parts = [
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'aria-label="the stack\'s resources and their dependencies">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#7a869a"/></marker></defs>',
    ]
    for lane in sorted({n.region for n in nodes}):
        members = [n for n in nodes if n.region == lane]
        y0 = min(n.y for n in members) - LANE_PAD + 4
        y1 = max(n.y for n in members) + NODE_H + 10
        parts.append(
            f'<g class="lane" data-region="{esc(lane)}"><rect x="4" y="{y0:.0f}" '
            f'width="{width - 8:.0f}" height="{y1 - y0:.0f}" rx="8"/>'
            f'<text x="12" y="{y0 + 16:.0f}">{esc(lane)}</text></g>'
        )
    by_urn = {n.urn: n for n in nodes}
    for node in nodes:
        for dep in node.depends_on:
            target = by_urn[dep]
            parts.append(
                f'<line class="edge" x1="{node.x:.0f}" y1="{node.y + NODE_H / 2:.0f}" '
                f'x2="{target.x + NODE_W:.0f}" y2="{target.y + NODE_H / 2:.0f}" '
                'marker-end="url(#arrow)"/>'
            )
    for node in nodes:
        cls = "node failing" if node.urn in failing else "node"
        parts.append(
            f'<g class="{cls}" id="{node.anchor}" data-urn="{esc(node.urn)}" '
            f'data-name="{esc(node.name)}" data-region="{esc(node.region)}">'
            f"<title>{esc(node.urn)}</title>"
            f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text x="{node.x + 8:.0f}" y="{node.y + 18:.0f}" class="name">'
            f"{esc(_clip(node.name, 28))}</text>"
            f'<text x="{node.x + 8:.0f}" y="{node.y + 35:.0f}" class="type">'
            f"{esc(_clip(node.short_type, 32))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def resources_of(check: dict[str, Any], nodes: list[Node]) -> list[Node]:
    """What a check is about: its resource (name or URN), else the resources its message
    names (whole-word matches of logical names)."""
    named = str(check.get("resource") or "")
    if named:
        hits = [n for n in nodes if named in (n.urn, n.name)]
        if hits:
            return hits
    message = f"{check.get('message') or ''} {check.get('title') or ''}"
    return [
        n
        for n in nodes
        if n.name and re.search(rf"(?<![\w-]){re.escape(n.name)}(?![\w-])", message)
    ]


def source_line(ref: str, roots: list[Path]) -> str:
    """The text of ``file:line`` in the program's source (first root that has it)."""
    path, _, line = ref.rpartition(":")
    if not line.isdigit():
        return ""
    for root in roots:
        candidate = root / Path(path).name if Path(path).is_absolute() else root / path
        try:
            lines = candidate.read_text(errors="replace").splitlines()
        except OSError:
            continue
        if 0 < int(line) <= len(lines):
            return lines[int(line) - 1].strip()
    return ""


def render(
    data: dict[str, Any],
    graph: dict[str, Any],
    program_output: str = "",
    source_roots: list[Path] | None = None,
) -> str:
    """The page, from results.json's content and the run's resource graph."""
    nodes = graph_nodes(graph.get("resources") or [])
    checks = data.get("checks") or []
    failing_checks = [c for c in checks if c.get("outcome") in ("failed", "error")]
    failing_urns = {n.urn for c in failing_checks for n in resources_of(c, nodes)}
    verdict = str(data.get("verdict", ""))
    score = data.get("score") or {}
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{esc(data.get('kata', ''))} — {esc(verdict)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header class='{esc(verdict)}'><h1>{esc(data.get('title', ''))}</h1>",
        f"<p><b>{esc(verdict)}</b> — {esc(score.get('requirements_passed', 0))}/"
        f"{esc(score.get('requirements_total', 0))} requirements · {esc(data.get('variant'))} · "
        f"{esc(data.get('duration_s'))} s</p></header>",
        "<section><h2>The stack</h2>",
        f"<p class='note'>{len(nodes)} resources ({esc(graph.get('source', 'none'))}); an arrow "
        "points at what a resource depends on; red: a failing check is about it.</p>",
        f"<div class='graph'>{_svg(nodes, failing_urns)}</div></section>",
        "<section><h2>Requirements</h2><ul class='reqs'>",
    ]
    by_id = {c.get("id"): c for c in checks}
    for req in data.get("requirements") or []:
        status = str(req.get("status", ""))
        out.append(
            f"<li class='req {esc(status)}' id='req-{esc(req.get('id'))}'>"
            f"<span class='badge'>{esc(status.replace('_', ' '))}</span> "
            f"<b>{esc(req.get('id'))}</b> {esc(req.get('title'))}"
        )
        bad = [
            by_id[c]
            for c in req.get("checks") or []
            if c in by_id and by_id[c].get("outcome") in ("failed", "error", "not_evaluable")
        ]
        if bad:
            out.append("<ul>")
            for check in bad:
                about = resources_of(check, nodes)
                links = ", ".join(
                    f"<a href='#{n.anchor}' class='res-link'>{esc(n.name)}</a>" for n in about
                )
                out.append(
                    f"<li class='check {esc(check.get('outcome'))}'>"
                    f"<span class='cid'>{esc(check.get('title') or check.get('id'))}</span>"
                    f"<pre>{esc(check.get('message') or '')}</pre>"
                    + (f"<p class='about'>about: {links}</p>" if links else "")
                    + "</li>"
                )
            out.append("</ul>")
        out.append("</li>")
    out.append("</ul></section>")
    findings = [
        c
        for c in [*checks, *(data.get("advisory") or [])]
        if c.get("stage") == "policy" and c.get("outcome") == "failed"
    ]
    if findings:
        out.append("<section><h2>Policy findings</h2><table class='findings'>")
        out.append("<tr><th>check</th><th>enforced</th><th>resource</th><th>source</th></tr>")
        for f in findings:
            ref = str(f.get("source") or "")
            text = source_line(ref, source_roots or []) if ref else ""
            out.append(
                f"<tr><td>{esc(f.get('id'))}<br><small>{esc(f.get('title'))}</small></td>"
                f"<td>{'yes' if f.get('enforced') else 'advisory'}</td>"
                f"<td>{esc(f.get('resource') or '')}</td>"
                f"<td><code>{esc(ref)}</code>"
                + (f"<pre class='src'>{esc(text)}</pre>" if text else "")
                + "</td></tr>"
            )
        out.append("</table></section>")
    if program_output.strip():
        from harness.sanitize import visible

        shown = visible(program_output[:MAX_OUTPUT_CHARS])  # no terminal escapes either
        out.append(
            f"<section><h2>Program output</h2><pre class='output'>{esc(shown)}</pre></section>"
        )
    out.append("</body></html>")
    return "\n".join(out)


def source_roots(result: RunResult) -> list[Path]:
    """Where the graded program's files are, for the findings' source lines."""
    variant = result.options.variant
    kata = result.kata
    if variant.startswith("program:"):
        return [Path(variant.split(":", 1)[1])]
    if variant == "starter":
        return [kata.path]
    return [kata.solution_dir, kata.path]


def write_html(result: RunResult, data: dict[str, Any], path: Path) -> None:
    graph = result.extra.get("graph") or {}
    path.write_text(render(data, graph, result.program_output, source_roots(result)))


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{padding:16px 24px;color:#fff;background:#5c6b80}
header.passed{background:#1f7a4d}header.failed{background:#b3261e}
header.incomplete{background:#9a6b00}
h1{margin:0 0 4px;font-size:20px}h2{font-size:16px;margin:0 0 8px}
section{margin:16px 24px;padding:12px 16px;background:#fff;border-radius:8px;
box-shadow:0 1px 2px #0002}
.graph{overflow:auto}.note{color:#5c6b80;margin:0 0 8px}
.lane rect{fill:#eef2f7;stroke:#c9d3e0}.lane text{fill:#5c6b80;font-weight:600}
.node rect{fill:#fff;stroke:#4a6fa5;stroke-width:1.5}
.node.failing rect{fill:#fdecea;stroke:#b3261e;stroke-width:2.5}
.node .name{font-weight:600;font-size:12px}.node .type{fill:#5c6b80;font-size:11px}
.edge{stroke:#7a869a;stroke-width:1.2}
.reqs{list-style:none;padding:0}.req{margin:6px 0}
.badge{display:inline-block;min-width:84px;text-align:center;border-radius:10px;
padding:0 6px;color:#fff;background:#5c6b80;font-size:12px}
.passed>.badge{background:#1f7a4d}.failed>.badge{background:#b3261e}
.not_evaluable>.badge{background:#9a6b00}
.check pre,.src,.output{white-space:pre-wrap;background:#f3f4f6;padding:6px 8px;
border-radius:4px;margin:4px 0}
.findings{border-collapse:collapse;width:100%}
.findings td,.findings th{border-bottom:1px solid #e3e7ed;padding:4px 6px;
text-align:left;vertical-align:top}
"""
