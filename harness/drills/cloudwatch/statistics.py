"""What one period of a metric holds, and the statistics CloudWatch computes from it.

Models *CloudWatch statistics definitions* (Amazon CloudWatch User Guide):
``SampleCount``, ``Sum``, ``Average`` (Sum/SampleCount), ``Minimum``, ``Maximum``,
percentiles ``pNN`` / ``pNN.NN``, trimmed mean ``tmNN`` / ``TM(a%:b%)`` / ``TM(a:b)``,
``IQM`` (= ``TM(25%:75%)``), winsorized mean ``wmNN`` / ``WM(…)``, trimmed count
``tcNN`` / ``TC(…)``, trimmed sum ``tsNN`` / ``TS(…)`` and percentile rank ``PR(a:b)``.

Two documented limits of percentiles are kept (*CloudWatch concepts, Percentiles*):
they need the raw values, so a period that received a statistic set is only usable
when the set is equivalent to raw values (SampleCount 1, or Minimum = Maximum and
Sum = Minimum * SampleCount); and they are not available when any value is negative.
Where a percentile is unavailable the period has no datapoint, as in CloudWatch.

CloudWatch does not publish its percentile estimator; it says trimmed counts "can
return decimals because [they are] an interpolated approximation". The model treats
the n samples of a period as n equal slices of the [0, 1] rank axis and interpolates
linearly between closest ranks (NumPy's default): ``p50`` of 1, 2, 3, 4 is 2.5 and
``p90`` of 1..10 is 9.1. The trimmed statistics weigh each sample by the share of its
slice inside the bounds, which is why ``tc90`` of 15 samples is 13.5.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PLAIN = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")


class StatisticUnavailable(Exception):
    """The statistic has no value for this period (CloudWatch returns no datapoint)."""


class UnknownStatistic(ValueError):
    """A statistic name the model does not know."""


@dataclass
class Period:
    """Every datum one metric received in one period: counts, sums and raw values.

    ``values`` holds raw values and their counts while every datum that arrived could
    be expressed as raw values; a statistic set that cannot be turns it to ``None``.
    """

    count: float = 0.0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    values: Counter[float] | None = field(default_factory=Counter)

    def add_values(self, values: Mapping[float, float]) -> None:
        for value, n in values.items():
            if n <= 0:
                continue
            self.count += n
            self.total += value * n
            self.minimum = min(self.minimum, value)
            self.maximum = max(self.maximum, value)
            if self.values is not None:
                self.values[float(value)] += n

    def add_statistic_set(self, count: float, total: float, minimum: float, maximum: float) -> None:
        if count <= 0:
            return
        as_values = count == 1 or (minimum == maximum and math.isclose(total, minimum * count))
        if as_values and self.values is not None:
            self.values[float(minimum)] += count
        else:
            self.values = None  # percentiles need raw values (CloudWatch concepts)
        self.count += count
        self.total += total
        self.minimum = min(self.minimum, minimum)
        self.maximum = max(self.maximum, maximum)

    def merge(self, other: Period) -> None:
        if other.values is None:
            self.values = None
        elif self.values is not None:
            self.values.update(other.values)
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    @property
    def empty(self) -> bool:
        return self.count <= 0


_PCT = r"(\d+(?:\.\d+)?)"
_SHORT = re.compile(rf"^(p|tm|wm|tc|ts){_PCT}$", re.IGNORECASE)
_RANGED = re.compile(r"^(TM|WM|TC|TS|PR)\(([^:()]*):([^:()]*)\)$", re.IGNORECASE)


def compute(period: Period, stat: str) -> float:
    """``stat`` of one period; StatisticUnavailable if CloudWatch would give no value."""
    if period.empty:
        raise StatisticUnavailable("no data in the period")
    if stat in PLAIN:
        return {
            "SampleCount": period.count,
            "Sum": period.total,
            "Average": period.total / period.count,
            "Minimum": period.minimum,
            "Maximum": period.maximum,
        }[stat]
    kind, low, high = parse_extended(stat)
    if kind == "PR":
        return _percentile_rank(period, low, high)
    samples = _raw(period, stat)
    if kind == "P":
        return percentile(samples, high[0])
    bounds = _rank_bounds(samples, low, high)
    if kind == "TM":
        return _trimmed(samples, *bounds)[0]
    if kind == "TC":
        return _trimmed(samples, *bounds)[1]
    if kind == "TS":
        mean, count = _trimmed(samples, *bounds)
        return mean * count
    return _winsorized(samples, *bounds)


Bound = tuple[float, bool]  # (number, is a percentage)


def parse_extended(stat: str) -> tuple[str, Bound | None, Bound]:
    """``("P"|"TM"|"WM"|"TC"|"TS"|"PR", lower bound or None, upper bound)``."""
    short = _SHORT.match(stat)
    if short:
        kind, pct = short.group(1).upper(), float(short.group(2))
        if not 0 <= pct <= 100:
            raise UnknownStatistic(f"{stat}: a percentile is between 0 and 100")
        return kind, None, (pct, True)
    if stat.upper() == "IQM":
        return "TM", (25.0, True), (75.0, True)
    ranged = _RANGED.match(stat.replace(" ", ""))
    if ranged:
        kind = ranged.group(1).upper()
        low, high = _bound(ranged.group(2)), _bound(ranged.group(3))
        if low is None and high is None:
            raise UnknownStatistic(f"{stat}: give at least one bound")
        if high is None:  # an open upper bound: everything above the lower one
            high = (100.0, True) if kind != "PR" else (math.inf, False)
        return kind, low, high
    raise UnknownStatistic(f"the statistic {stat!r} is not one CloudWatch defines")


def _bound(text: str) -> Bound | None:
    if not text:
        return None
    pct = text.endswith("%")
    return float(text.rstrip("%")), pct


def _raw(period: Period, stat: str) -> list[tuple[float, float]]:
    if period.values is None:
        raise StatisticUnavailable(
            f"{stat} needs raw values and the period received a statistic set"
        )
    if period.minimum < 0:
        raise StatisticUnavailable(f"{stat} is not available when a value is negative")
    return sorted(period.values.items())


def percentile(samples: Iterable[tuple[float, float]], pct: float) -> float:
    """The ``pct`` percentile of (value, count) pairs, interpolated between closest ranks."""
    ordered = sorted(samples)
    n = sum(c for _, c in ordered)
    rank = pct / 100 * (n - 1)  # 0-based fractional rank
    lower = math.floor(rank)
    below = _value_at(ordered, lower)
    above = _value_at(ordered, min(lower + 1, n - 1))
    return below + (rank - lower) * (above - below)


def _value_at(ordered: list[tuple[float, float]], index: float) -> float:
    seen = 0.0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    return ordered[-1][0]


def _rank_bounds(
    samples: list[tuple[float, float]], low: Bound | None, high: Bound
) -> tuple[float, float, float, float]:
    """The bounds as rank fractions (0..1), and as values (for winsorizing)."""
    n = sum(c for _, c in samples)

    def fraction(bound: Bound | None, default: float) -> float:
        if bound is None:
            return default
        number, pct = bound
        if pct:
            return min(max(number / 100, 0.0), 1.0)
        # An absolute bound: the share of samples at or below it (TM(150:1000)).
        return sum(c for v, c in samples if v <= number) / n

    lo, hi = fraction(low, 0.0), fraction(high, 1.0)
    return lo, hi, percentile(samples, lo * 100), percentile(samples, hi * 100)


def _trimmed(
    samples: list[tuple[float, float]], lo: float, hi: float, *_: float
) -> tuple[float, float]:
    """(mean, count) of the samples whose rank slice lies in [lo, hi], weighted by overlap."""
    n = sum(c for _, c in samples)
    weight_sum = weighted = 0.0
    start = 0.0
    for value, count in samples:
        end = start + count / n
        overlap = max(0.0, min(end, hi) - max(start, lo))
        weight_sum += overlap
        weighted += overlap * value
        start = end
    if weight_sum <= 0:
        raise StatisticUnavailable("no sample lies between the bounds")
    return weighted / weight_sum, weight_sum * n


def _winsorized(
    samples: list[tuple[float, float]], lo: float, hi: float, lo_value: float, hi_value: float
) -> float:
    n = sum(c for _, c in samples)
    return sum(min(max(v, lo_value), hi_value) * c for v, c in samples) / n


def _percentile_rank(period: Period, low: Bound | None, high: Bound) -> float:
    """PR(a:b): the percentage of values v with a < v <= b (CloudWatch's definition)."""
    if period.values is None:
        raise StatisticUnavailable("PR needs raw values and the period received a statistic set")
    lo = -math.inf if low is None else low[0]
    inside = sum(c for v, c in period.values.items() if lo < v <= high[0])
    return 100 * inside / period.count


def low_sample_count(period: Period, stat: str) -> bool:
    """Too few samples for a percentile to be significant (*Percentile-based alarms and
    low data samples*): fewer than 10/(1-p) for p in [0.5, 1), fewer than 10/p below 0.5."""
    short = _SHORT.match(stat)
    if not short or short.group(1).lower() != "p":
        return False
    p = float(short.group(2)) / 100
    if p >= 1 or p <= 0:
        return False
    needed = 10 / (1 - p) if p >= 0.5 else 10 / p
    return period.count < needed
