"""Metric math expressions of an alarm's ``Metrics`` list, evaluated per period.

Models *Using math expressions with CloudWatch metrics* (Amazon CloudWatch User
Guide) for what alarms on expressions need:

- ids (``m1``, ``e1``) naming another query of the same alarm, numbers, parentheses;
- ``+ - * / ^`` and unary minus between series and scalars: series with series
  combine timestamp by timestamp, and a timestamp missing from either operand is
  missing from the result; a division by zero has no value at that timestamp;
- comparisons ``== != < <= > >=`` and ``AND``/``&&``, ``OR``/``||``, ``NOT``/``!``
  giving 1 or 0, as ``IF`` conditions use them;
- ``IF(condition, a[, b])``: ``a`` where the condition is non-zero, ``b`` elsewhere
  (no value when ``b`` is omitted);
- ``FILL(series, value | REPEAT | LINEAR)``: a constant fills every missing period,
  ``REPEAT`` repeats the last earlier value (every period after the first value),
  ``LINEAR`` interpolates between the surrounding values (only between two values);
- ``ABS``, ``CEIL``, ``FLOOR``; ``SUM``, ``AVG``, ``MIN``, ``MAX`` of a list
  ``[m1, m2]`` (per timestamp, over the series that have a value there) and of a
  single series (one scalar over the whole range).

Any other function (``METRICS()``, ``SEARCH``, ``ANOMALY_DETECTION_BAND``, ``RATE``,
``DIFF``, …) raises :class:`NotEvaluable` naming it: never a silent value.
For an alarm on an expression, a period where the expression has no value is a
missing datapoint (*Alarms on math expressions*).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.drills.cloudwatch.evaluation import NotEvaluable

Series = dict[datetime, float]
Value = float | Series  # a scalar or a time series on the alarm's period grid

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/^()<>!,\[\]]))"
)
_FUNCS_OF_LIST = {"SUM": sum, "AVG": lambda v: sum(v) / len(v), "MIN": min, "MAX": max}
_UNARY = {"ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor}


def tokens(expression: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise NotEvaluable(f"metric math: cannot read {text[pos:]!r} in {expression!r}")
        out.append(match.group(match.lastgroup or "op"))
        pos = match.end()
    return out


@dataclass
class _Parser:
    toks: list[str]
    resolve: Callable[[str], Value]
    grid: Sequence[datetime]
    expression: str
    pos: int = 0

    def peek(self) -> str | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok.upper() != expected):
            raise NotEvaluable(f"metric math: expected {expected or 'more'} in {self.expression!r}")
        self.pos += 1
        return tok

    def parse(self) -> Value:
        value = self.or_()
        if self.peek() is not None:
            raise NotEvaluable(f"metric math: unexpected {self.peek()!r} in {self.expression!r}")
        return value

    def or_(self) -> Value:
        value = self.and_()
        while (self.peek() or "").upper() in ("OR", "||"):
            self.take()
            value = combine(value, self.and_(), lambda a, b: float(bool(a) or bool(b)))
        return value

    def and_(self) -> Value:
        value = self.not_()
        while (self.peek() or "").upper() in ("AND", "&&"):
            self.take()
            value = combine(value, self.not_(), lambda a, b: float(bool(a) and bool(b)))
        return value

    def not_(self) -> Value:
        if (self.peek() or "").upper() in ("NOT", "!"):
            self.take()
            return apply(self.not_(), lambda a: float(not a))
        return self.comparison()

    def comparison(self) -> Value:
        value = self.additive()
        ops = {
            "==": operator.eq,
            "!=": operator.ne,
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
        }
        if self.peek() in ops:
            op = ops[self.take()]
            value = combine(value, self.additive(), lambda a, b: float(op(a, b)))
        return value

    def additive(self) -> Value:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = operator.add if self.take() == "+" else operator.sub
            value = combine(value, self.term(), op)
        return value

    def term(self) -> Value:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = operator.mul if self.take() == "*" else _divide
            value = combine(value, self.unary(), op)
        return value

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            return apply(self.unary(), operator.neg)
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Value:
        value = self.atom()
        if self.peek() == "^":
            self.take()
            value = combine(value, self.unary(), _power)
        return value

    def atom(self) -> Value:
        tok = self.take()
        if tok == "(":
            value = self.or_()
            self.take(")")
            return value
        if tok[0].isdigit() or tok[0] == ".":
            return float(tok)
        if not (tok[0].isalpha() or tok[0] == "_"):
            raise NotEvaluable(f"metric math: unexpected {tok!r} in {self.expression!r}")
        if self.peek() == "(":
            return self.call(tok.upper())
        return self.resolve(tok)

    def call(self, name: str) -> Value:
        self.take("(")
        if name == "FILL":
            series = self.or_()
            self.take(",")
            how = self.peek() or ""
            if how.upper() in ("REPEAT", "LINEAR"):
                self.take()
                mode: float | str = how.upper()
            else:
                filler = self.or_()
                if isinstance(filler, dict):
                    raise NotEvaluable(
                        "metric math: FILL with a series as the value is not modeled"
                    )
                mode = filler
            self.take(")")
            return fill(series, mode, self.grid)
        if name in _FUNCS_OF_LIST and self.peek() == "[":
            self.take("[")
            items = [self.or_()]
            while self.peek() == ",":
                self.take()
                items.append(self.or_())
            self.take("]")
            self.take(")")
            return aggregate_list(items, _FUNCS_OF_LIST[name], self.grid)
        args = [self.or_()]
        while self.peek() == ",":
            self.take()
            args.append(self.or_())
        self.take(")")
        if name == "IF" and len(args) in (2, 3):
            return if_(args[0], args[1], args[2] if len(args) == 3 else None, self.grid)
        if name in _UNARY and len(args) == 1:
            return apply(args[0], lambda a: float(_UNARY[name](a)))
        if name in _FUNCS_OF_LIST and len(args) == 1:
            values = list(args[0].values()) if isinstance(args[0], dict) else [args[0]]
            if not values:
                return {}
            return float(_FUNCS_OF_LIST[name](values))
        raise NotEvaluable(f"the metric math function {name}() is not modeled")


def _divide(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


def _power(a: float, b: float) -> float | None:
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return None
    return None if isinstance(result, complex) else float(result)


def apply(value: Value, fn: Callable[[float], float | None]) -> Value:
    if isinstance(value, dict):
        out = {t: fn(v) for t, v in value.items()}
        return {t: v for t, v in out.items() if v is not None}
    result = fn(value)
    return math.nan if result is None else result


def combine(a: Value, b: Value, fn: Callable[[float, float], float | None]) -> Value:
    """Series with series: only timestamps both have; series with scalar: every point."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = {t: fn(a[t], b[t]) for t in a if t in b}
    elif isinstance(a, dict):
        out = {t: fn(v, b) for t, v in a.items()}
    elif isinstance(b, dict):
        out = {t: fn(a, v) for t, v in b.items()}
    else:
        result = fn(a, b)
        return math.nan if result is None else result
    return {t: v for t, v in out.items() if v is not None}


def if_(cond: Value, then: Value, otherwise: Value | None, grid: Sequence[datetime]) -> Value:
    if not isinstance(cond, dict):
        chosen = then if cond else otherwise
        return {} if chosen is None else chosen
    out: Series = {}
    for t, c in cond.items():
        branch = then if c else otherwise
        if branch is None:
            continue
        value = branch.get(t) if isinstance(branch, dict) else branch
        if value is not None:
            out[t] = value
    return out


def fill(series: Value, mode: float | str, grid: Sequence[datetime]) -> Value:
    if not isinstance(series, dict):
        return series
    if isinstance(mode, float | int):
        return {t: series.get(t, float(mode)) for t in grid}
    out = dict(series)
    known = [t for t in grid if t in series]
    if not known:
        return out
    for t in grid:
        if t in series or t < known[0]:
            continue
        before = max(k for k in known if k < t)
        if mode == "REPEAT":
            out[t] = series[before]
        elif t < known[-1]:
            after = min(k for k in known if k > t)
            span = (after - before).total_seconds()
            share = (t - before).total_seconds() / span
            out[t] = series[before] + share * (series[after] - series[before])
    return out


def aggregate_list(
    items: Sequence[Value], fn: Callable[[list[float]], float], grid: Sequence[datetime]
) -> Value:
    if not any(isinstance(i, dict) for i in items):
        return float(fn([float(i) for i in items]))  # type: ignore[arg-type]
    out: Series = {}
    for t in grid:
        present = [
            i[t] if isinstance(i, dict) else i for i in items if not isinstance(i, dict) or t in i
        ]
        if present:
            out[t] = float(fn(present))
    return out


def evaluate(expression: str, resolve: Callable[[str], Value], grid: Sequence[datetime]) -> Value:
    """The expression's value; ``resolve(id)`` gives another query's series."""
    return _Parser(tokens(expression), resolve, grid, expression).parse()


def evaluate_queries(
    queries: Sequence[Mapping[str, object]],
    metric_series: Callable[[Mapping[str, object]], Series],
    grid: Sequence[datetime],
) -> tuple[str, Series]:
    """The ReturnData query of an alarm's ``Metrics`` list, as a series on ``grid``.

    ``metric_series(query)`` gives a ``MetricStat`` query's series.
    """
    by_id = {str(q["Id"]): q for q in queries}
    returned = [q for q in queries if q.get("ReturnData") is True]
    if not returned:
        returned = [q for q in queries if q.get("ReturnData") is None]
    if len(returned) != 1:
        raise NotEvaluable(
            "an alarm's Metrics must have exactly one query with ReturnData true, "
            f"this one has {len(returned)}"
        )
    cache: dict[str, Value] = {}
    visiting: set[str] = set()

    def resolve(query_id: str) -> Value:
        if query_id in cache:
            return cache[query_id]
        query = by_id.get(query_id)
        if query is None:
            raise NotEvaluable(
                f"metric math names {query_id!r}, which is not one of the alarm's queries"
            )
        if query_id in visiting:
            raise NotEvaluable(f"metric math query {query_id!r} refers to itself")
        visiting.add(query_id)
        if query.get("MetricStat"):
            value: Value = metric_series(query)
        elif query.get("Expression"):
            value = evaluate(str(query["Expression"]), resolve, grid)
        else:
            raise NotEvaluable(f"query {query_id!r} has neither MetricStat nor Expression")
        visiting.discard(query_id)
        cache[query_id] = value
        return value

    result_id = str(returned[0]["Id"])
    result = resolve(result_id)
    if not isinstance(result, dict):
        result = {t: result for t in grid} if not math.isnan(result) else {}
    return result_id, {t: v for t, v in result.items() if t in set(grid) and not math.isnan(v)}
