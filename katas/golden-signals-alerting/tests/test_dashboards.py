"""R6: an on-call dashboard of the four golden signals and the burn rate, an executive
one of the SLO. The deployed dashboard bodies are parsed and searched for the metrics
their widgets graph (namespace, name, the API's or function's dimensions, statistic) and
the metric-math expressions over them — never for titles or layout."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

_IDENT = re.compile(r"\b[a-z][a-zA-Z0-9_]*\b")


@dataclass
class Row:
    """One row of a widget's ``metrics``: a metric, or an expression over other rows."""

    namespace: str = ""
    name: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    stat: str = ""
    id: str = ""
    visible: bool = True
    expression: str = ""


def _rows(widget: dict[str, Any]) -> list[Row]:
    """A widget's metrics rows, with the ``"."`` shorthand (same as the row above)."""
    props = widget.get("properties") or {}
    default_stat = str(props.get("stat") or "Average")
    out: list[Row] = []
    previous: list[Any] = []
    for raw in props.get("metrics") or []:
        if not isinstance(raw, list):
            continue
        options = raw[-1] if raw and isinstance(raw[-1], dict) else {}
        body = raw[:-1] if options else list(raw)
        if options.get("expression"):
            out.append(Row(id=str(options.get("id", "")), expression=str(options["expression"]),
                           visible=options.get("visible", True) is not False))  # fmt: skip
            continue
        body = [previous[i] if v == "." and i < len(previous) else v for i, v in enumerate(body)]
        previous = body
        if len(body) < 2:
            continue
        dims = dict(zip(body[2::2], body[3::2], strict=False))
        out.append(
            Row(
                str(body[0]),
                str(body[1]),
                {str(k): str(v) for k, v in dims.items()},
                str(options.get("stat") or default_stat),
                str(options.get("id", "")),
                options.get("visible", True) is not False,
            )
        )
    return out


@dataclass
class Board:
    name: str
    widgets: list[list[Row]]

    def graphed(self) -> list[Row]:
        """Metric rows shown as themselves (not hidden inputs of an expression)."""
        return [r for rows in self.widgets for r in rows if not r.expression and r.visible]

    def expressions_over(self, *metrics: str, on: Any) -> list[str]:
        """Expressions of a widget that use (by id) a row of each of ``metrics``."""
        found = []
        for rows in self.widgets:
            by_id = {r.id: r for r in rows if r.id and not r.expression}
            for r in rows:
                if not r.expression:
                    continue
                used = {
                    by_id[i].name
                    for i in _IDENT.findall(r.expression)
                    if i in by_id and on(by_id[i])
                }
                if all(m in used for m in metrics):
                    found.append(r.expression)
        return found


@pytest.fixture(scope="module")
def board(aws):
    def read(name: str) -> Board:
        try:
            body = aws("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"]
        except aws("cloudwatch").exceptions.ResourceNotFound:
            pytest.fail(f"R6: there is no dashboard named {name!r}")
        widgets = json.loads(body).get("widgets") or []
        return Board(name, [_rows(w) for w in widgets if w.get("type") == "metric"])

    return read


def _of_api(expected):
    def check(row: Row) -> bool:
        dims = row.dimensions
        return (
            row.namespace == "AWS/ApiGateway"
            and dims.get("ApiName") == expected.api_name
            and set(dims) <= {"ApiName", "Stage"}
            and dims.get("Stage", "prod") == "prod"
        )

    return check


@pytest.mark.requirement("R6")
def test_the_oncall_dashboard_shows_the_four_signals_and_the_burn_rate(board, expected):
    b = board(expected.oncall_dashboard)
    api = _of_api(expected)
    shown = b.graphed()
    wanted = {
        "Latency at p99": lambda r: (
            api(r) and r.name == "Latency" and r.stat.lower() in ("p99", "p99.0")
        ),
        "Count (traffic)": lambda r: api(r) and r.name == "Count",
        "5XXError (errors)": lambda r: api(r) and r.name == "5XXError",
        "ConcurrentExecutions (saturation)": lambda r: (
            r.namespace == "AWS/Lambda"
            and r.name == "ConcurrentExecutions"
            and r.dimensions.get("FunctionName") == expected.function_name
        ),
    }
    missing = [what for what, ok in wanted.items() if not any(ok(r) for r in shown)]
    if not b.expressions_over("5XXError", "Count", on=api):
        missing.append("a burn-rate expression over 5XXError and Count")
    assert not missing, (
        f"R6 on-call: the dashboard {b.name} does not graph {', '.join(missing)} of the API "
        f"{expected.api_name} (stage prod) / function {expected.function_name}; it graphs "
        f"{sorted({f'{r.namespace}/{r.name} {r.stat}' for r in shown}) or 'nothing'}"
    )


@pytest.mark.requirement("R6")
def test_the_executive_dashboard_shows_the_slo_not_raw_metrics(board, expected):
    b = board(expected.executive_dashboard)
    api = _of_api(expected)
    assert b.expressions_over("5XXError", "Count", on=api), (
        f"R6 executive: the dashboard {b.name} shows no SLO attainment or error budget (a "
        "metric-math expression over the API's 5XXError and Count)"
    )
    raw = sorted({f"{r.namespace}/{r.name}" for r in b.graphed()})
    assert not raw, (
        f"R6 executive: the dashboard {b.name} graphs raw metrics {', '.join(raw)}: an "
        "executive view shows the SLO, its inputs hidden (visible: false)"
    )
