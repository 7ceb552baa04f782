"""Metric data as CloudWatch keeps it: per region, namespace, name, dimension set, unit.

Models *CloudWatch concepts* (Metrics, Dimensions, Units): a metric is identified by
its namespace, name and its *whole* set of dimensions, in one region. Data published
with dimensions ``{FunctionName, Resource}`` is a different metric from data with
``{FunctionName}``: an alarm that names fewer or other dimensions does not see it.
A datum without a unit has the unit ``None``; a query (an alarm) that names a unit
only sees data of that unit, one that names none sees every unit.

A datum is one value, values with counts, or a statistic set (SampleCount, Sum,
Minimum, Maximum), as PutMetricData takes them.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from harness.drills.cloudwatch.statistics import Period

Dimensions = Mapping[str, str] | Iterable[Mapping[str, str]] | None
MetricKey = tuple[str, str, str, frozenset[tuple[str, str]]]  # region, namespace, name, dims


def dimension_set(dimensions: Dimensions) -> frozenset[tuple[str, str]]:
    """``{"A": "x"}`` or ``[{"Name": "A", "Value": "x"}]`` (the API's form) as a set."""
    if not dimensions:
        return frozenset()
    if isinstance(dimensions, Mapping):
        return frozenset((str(k), str(v)) for k, v in dimensions.items())
    return frozenset((str(d["Name"]), str(d["Value"])) for d in dimensions)


@dataclass
class Datum:
    timestamp: datetime
    unit: str
    data: Period


@dataclass
class MetricStore:
    """Everything published, readable back by metric and time range.

    store.put("Acme/Shop", "Errors", 3, dimensions={"Service": "api"}, region="us-east-1",
              timestamp=t, unit="Count")
    store.period("us-east-1", "Acme/Shop", "Errors", {"Service": "api"}, t, 60).total
    """

    data: dict[MetricKey, list[Datum]] = field(default_factory=dict)

    def put(
        self,
        namespace: str,
        metric: str,
        value: float | None = None,
        *,
        region: str,
        timestamp: datetime,
        dimensions: Dimensions = None,
        values: Iterable[float] | None = None,
        counts: Iterable[float] | None = None,
        statistics: Mapping[str, float] | None = None,
        unit: str | None = None,
    ) -> Datum:
        """One PutMetricData datum: ``value``, ``values`` (+ ``counts``) or ``statistics``."""
        given = [value is not None, values is not None, statistics is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of value, values (with counts) or statistics")
        period = Period()
        if value is not None:
            period.add_values({float(value): 1})
        elif values is not None:
            values = [float(v) for v in values]
            weights = [1.0] * len(values) if counts is None else [float(c) for c in counts]
            if len(weights) != len(values):
                raise ValueError("counts must have one entry per value")
            merged: dict[float, float] = {}
            for v, c in zip(values, weights, strict=True):
                merged[v] = merged.get(v, 0.0) + c
            period.add_values(merged)
        else:
            assert statistics is not None
            missing = {"SampleCount", "Sum", "Minimum", "Maximum"} - set(statistics)
            if missing:
                raise ValueError(f"a statistic set needs {sorted(missing)}")
            period.add_statistic_set(
                float(statistics["SampleCount"]),
                float(statistics["Sum"]),
                float(statistics["Minimum"]),
                float(statistics["Maximum"]),
            )
        for number in (period.total, period.minimum, period.maximum):
            if period.count and not math.isfinite(number):
                raise ValueError("CloudWatch rejects NaN and infinite values")
        datum = Datum(timestamp, unit or "None", period)
        key = (region, namespace, metric, dimension_set(dimensions))
        # Kept in time order, so a period is found by bisection: an SLO window of six
        # hours, evaluated every minute, reads hundreds of data without scanning them all.
        bisect.insort_right(self.data.setdefault(key, []), datum, key=_at)
        return datum

    def period(
        self,
        region: str,
        namespace: str,
        metric: str,
        dimensions: Dimensions,
        start: datetime,
        seconds: int,
        unit: str | None = None,
    ) -> Period:
        """Everything the metric received in [start, start + seconds), of ``unit`` if given."""
        end = start + timedelta(seconds=seconds)
        merged = Period()
        data = self.data.get((region, namespace, metric, dimension_set(dimensions)), [])
        first = bisect.bisect_left(data, start, key=_at)
        for datum in data[first : bisect.bisect_left(data, end, key=_at)]:
            if unit is None or datum.unit == unit:
                merged.merge(datum.data)
        return merged

    def metrics(self) -> list[MetricKey]:
        """Every metric that received data (ListMetrics, in every region)."""
        return sorted(self.data, key=lambda k: (k[0], k[1], k[2], sorted(k[3])))


def _at(datum: Datum) -> datetime:
    return datum.timestamp
