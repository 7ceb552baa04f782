"""How CloudWatch decides a metric alarm's state from its datapoints.

Models *Using Amazon CloudWatch alarms* (Amazon CloudWatch User Guide), sections
"Evaluating an alarm", "Configuring how CloudWatch alarms treat missing data" and
"Avoiding premature transitions to alarm state":

- Each evaluation looks at the *evaluation range*: more periods than
  ``EvaluationPeriods`` (N), so that missing ones can be stepped over. The guide's
  example has N = 3 and a range of 5; the model uses N + 2 for every N.
- If the range holds at least N real datapoints, the N most recent real ones are
  evaluated and ``TreatMissingData`` is not needed. Otherwise every real datapoint
  is evaluated and the shortfall is filled as ``TreatMissingData`` says: ``breaching``
  fills breaching points, ``notBreaching`` non-breaching ones, ``missing`` and
  ``ignore`` fill nothing.
- ALARM when at least ``DatapointsToAlarm`` (M; default N) evaluated points breach,
  else OK — except that with no real datapoint at all ``missing`` goes to
  INSUFFICIENT_DATA and ``ignore`` keeps the current state.
- Premature ALARM: with fewer than N real points and none of them non-breaching, an
  alarm still goes to ALARM when the oldest breaching point among the N most recent
  periods is at least M periods old and everything after it is breaching or missing
  (``- - X - -`` alarms at M = N = 3; ``- - - - X`` does not). ``ignore`` keeps the
  current state there instead, ``notBreaching`` never gets there.
- Alarms on ``AWS/DynamoDB`` metrics always ignore missing data (the guide's note).
- ``EvaluateLowSampleCountPercentile = ignore``: a percentile alarm keeps its state
  while an evaluated period has too few samples to be significant.

The guide's two tables (N = 3, M = 3 and M = 2) are unit tests of :func:`decide`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
ANOMALY_COMPARISONS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
EXTRA_PERIODS = 2  # evaluation range = EvaluationPeriods + 2 (the guide's N=3 -> 5 example)


class NotEvaluable(Exception):
    """What the drill cannot evaluate as CloudWatch would; the message says why in one
    sentence. Never a silent OK: the alarm's state is left as it was and reported."""


@dataclass(frozen=True)
class Datapoint:
    start: datetime  # the period's start
    value: float | None  # None: no datapoint for the period
    low_samples: bool = False  # a percentile over too few samples

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass
class Decision:
    state: str | None  # None: the alarm keeps its current state
    reason: str
    evaluated: list[Datapoint]
    breaching: int


def decide(
    points: Sequence[Datapoint],
    *,
    evaluation_periods: int,
    datapoints_to_alarm: int | None,
    comparison: str,
    threshold: float,
    treat_missing: str | None = None,
    ignore_low_samples: bool = False,
) -> Decision:
    """The state CloudWatch gives an alarm whose evaluation range holds ``points``
    (oldest first; the range is ``evaluation_periods + 2`` periods, fewer at the start)."""
    if comparison in ANOMALY_COMPARISONS:
        raise NotEvaluable(f"anomaly detection bands ({comparison}) are not modeled")
    if comparison not in COMPARISONS:
        raise NotEvaluable(f"the comparison operator {comparison!r} is not one CloudWatch has")
    treat = treat_missing or "missing"
    if treat not in TREATMENTS:
        raise NotEvaluable(f"TreatMissingData {treat!r} is not one CloudWatch has")
    compare, words = COMPARISONS[comparison]
    n = evaluation_periods
    m = datapoints_to_alarm or n

    def breaches(p: Datapoint) -> bool:
        return p.value is not None and compare(p.value, threshold)

    real = [p for p in points if not p.missing]
    evaluated = real[-n:]
    if ignore_low_samples and any(p.low_samples for p in evaluated):
        return Decision(
            None,
            "Percentile evaluated over too few samples; "
            "EvaluateLowSampleCountPercentile is ignore: the state is kept",
            evaluated,
            0,
        )
    fill = max(0, n - len(real))
    breaching = sum(breaches(p) for p in evaluated) + (fill if treat == "breaching" else 0)
    detail = _listing(evaluated, fill, treat)

    if breaching >= m:
        return Decision(
            "ALARM",
            f"Threshold Crossed: {breaching} out of the last {n} datapoints {detail} "
            f"{'was' if breaching == 1 else 'were'} {words} the threshold ({threshold}) "
            f"(minimum {m} datapoint{'s' if m != 1 else ''} for OK -> ALARM transition).",
            evaluated,
            breaching,
        )
    if fill and treat != "notBreaching" and _premature(points, evaluated, n, m, breaches):
        if treat == "ignore":
            return Decision(None, "Missing data ignored: the state is kept", evaluated, breaching)
        return Decision(
            "ALARM",
            f"Threshold Crossed: the oldest breaching datapoint of the last {n} periods "
            f"{detail} is at least {m} periods old and no later datapoint is within the "
            f"threshold ({threshold}) (premature-transition rule).",
            evaluated,
            breaching,
        )
    if not real and treat in ("missing", "ignore"):
        if treat == "ignore":
            return Decision(None, "Missing data ignored: the state is kept", [], 0)
        return Decision(
            "INSUFFICIENT_DATA",
            f"Insufficient Data: {len(points)} datapoint{'s' if len(points) != 1 else ''} "
            "were unknown.",
            [],
            0,
        )
    not_breaching = n - breaching
    return Decision(
        "OK",
        f"Threshold Crossed: {not_breaching} out of the last {n} datapoints {detail} "
        f"{'was' if not_breaching == 1 else 'were'} not {words} the threshold ({threshold}) "
        f"(minimum {m} datapoint{'s' if m != 1 else ''} for OK -> ALARM transition).",
        evaluated,
        breaching,
    )


def _premature(
    points: Sequence[Datapoint],
    evaluated: Sequence[Datapoint],
    n: int,
    m: int,
    breaches: Callable[[Datapoint], bool],
) -> bool:
    if any(not breaches(p) for p in evaluated):
        return False  # a real point within the threshold was evaluated: no premature ALARM
    window = list(points[-n:])
    oldest = next((i for i, p in enumerate(window) if breaches(p)), None)
    if oldest is None:
        return False
    later_ok = all(p.missing or breaches(p) for p in window[oldest + 1 :])
    return later_ok and len(window) - oldest >= m


def _listing(evaluated: Sequence[Datapoint], fill: int, treat: str) -> str:
    shown = [f"{p.value} ({p.start:%d/%m/%y %H:%M:%S})" for p in reversed(evaluated)]
    if fill and treat in ("breaching", "notBreaching"):
        shown.append(f"{fill} missing treated as {treat}")
    return "[" + ", ".join(shown) + "]"
