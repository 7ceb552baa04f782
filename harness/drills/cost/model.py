"""A month's bill, item by item: deployed resources x a price table x a load profile.

This is a model, not AWS's bill. What it counts:

- **Compute:** the instance-hours of the scaling drill's week x 730 ÷ 168 (AWS's
  730-hour month), at the instance type's hourly on-demand price.
- **S3 storage** in the 13th month of operation (uploads at a constant daily rate for
  ``days_of_operation`` days): for each storage class, the GB the lifecycle drill keeps
  in it over those ages; noncurrent versions and abandoned multipart parts in
  ``STANDARD`` until the lifecycle removes them (never: all those days).
- **CloudWatch Logs:** ingestion, and what the retention keeps (no retention: all those
  days).
- **DynamoDB:** on-demand request units, or provisioned capacity-hours (fixed, or what
  the table's target tracking asks for each hour, clamped to its minimum and maximum),
  and item storage for as long as items live (TTL: their useful days; none: all days).

Not counted: requests, retrievals and lifecycle transition charges, data transfer, EBS,
volume and free tiers, savings plans and reserved instances.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.drills.cost.lifecycle import Lifecycle
from harness.drills.cost.scaling import Hour

HOURS_PER_MONTH = 730.0
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


class NotPriced(Exception):
    """The price table has no price for something the stack uses."""


@dataclass(frozen=True)
class Prices:
    table: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Prices:
        return cls(yaml.safe_load(path.read_text()))

    def instance(self, instance_type: str) -> tuple[float, int]:
        """(hourly price, vCPUs) of an instance type."""
        entry = (self.table.get("ec2") or {}).get(instance_type)
        if entry is None:
            raise NotPriced(f"the price table has no instance type {instance_type!r}")
        return float(entry["hourly"]), int(entry["vcpus"])

    def get(self, service: str, item: str) -> float:
        try:
            return float(self.table[service][item])
        except KeyError:
            raise NotPriced(f"the price table has no {service} price for {item!r}") from None

    @property
    def source(self) -> str:
        t = self.table
        return f"{t.get('source', '?')}, {t.get('region', '?')}, as of {t.get('as_of', '?')}"


@dataclass(frozen=True)
class LoadProfile:
    jobs_per_hour: tuple[float, ...]  # 24 hourly loads, UTC
    jobs_per_vcpu_hour: float
    upload_gb_per_day: float
    upload_key: str
    upload_bytes: int
    noncurrent_gb_per_day: float
    noncurrent_key: str
    abandoned_multipart_gb_per_day: float
    multipart_key: str
    days_of_operation: int
    log_gb_per_day: float
    writes_per_job: float
    reads_per_job: float
    item_kb: float
    item_useful_days: int

    @property
    def jobs_per_day(self) -> float:
        return float(sum(self.jobs_per_hour))


@dataclass(frozen=True)
class LineItem:
    service: str
    what: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class Bill:
    items: tuple[LineItem, ...]
    source: str

    @property
    def total(self) -> float:
        return sum(i.monthly for i in self.items)

    def by_service(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for i in self.items:
            out[i.service] = out.get(i.service, 0.0) + i.monthly
        return out

    def summary(self) -> str:
        """One line: the total and each service's share."""
        parts = ", ".join(f"{s} {v:,.2f}" for s, v in self.by_service().items())
        return f"USD {self.total:,.2f} a month ({parts})"

    def markdown(self) -> str:
        lines = [
            "| service | item | quantity | unit price (USD) | monthly (USD) |",
            "|---|---|---:|---:|---:|",
        ]
        for i in self.items:
            lines.append(
                f"| {i.service} | {i.what} | {i.quantity:,.1f} {i.unit} | {i.unit_price:g} "
                f"| {i.monthly:,.2f} |"
            )
        lines.append(f"| **total** | | | | **{self.total:,.2f}** |")
        lines.append("")
        lines.append(
            f"Prices: {self.source}. A model, not AWS's bill (harness/drills/cost/model.py)."
        )
        return "\n".join(lines)


def compute_items(hours: Sequence[Hour], instance_type: str, prices: Prices) -> list[LineItem]:
    hourly, _ = prices.instance(instance_type)
    instance_hours = sum(h.running for h in hours) * HOURS_PER_MONTH / len(hours)
    return [LineItem("EC2", f"{instance_type} instance-hours", instance_hours, "h", hourly)]


def storage_items(lifecycle: Lifecycle, profile: LoadProfile, prices: Prices) -> list[LineItem]:
    by_class: dict[str, float] = {}
    for age in range(profile.days_of_operation):
        cls = lifecycle.storage_class(profile.upload_key, profile.upload_bytes, age)
        if cls is not None:
            by_class[cls] = by_class.get(cls, 0.0) + profile.upload_gb_per_day
    items = [
        LineItem("S3", f"uploads in {cls}", gb, "GB-mo", prices.get("s3", cls))
        for cls, gb in sorted(by_class.items())
    ]
    days = profile.days_of_operation
    noncurrent = lifecycle.noncurrent_days(profile.noncurrent_key, profile.upload_bytes)
    kept = min(days, noncurrent if noncurrent is not None else days)
    items.append(
        LineItem(
            "S3",
            f"noncurrent versions, kept {kept} days",
            profile.noncurrent_gb_per_day * kept,
            "GB-mo",
            prices.get("s3", "STANDARD"),
        )
    )
    aborted = lifecycle.multipart_days(profile.multipart_key)
    kept = min(days, aborted if aborted is not None else days)
    items.append(
        LineItem(
            "S3",
            f"incomplete multipart uploads, kept {kept} days",
            profile.abandoned_multipart_gb_per_day * kept,
            "GB-mo",
            prices.get("s3", "STANDARD"),
        )
    )
    return items


def logs_items(retention_days: int | None, profile: LoadProfile, prices: Prices) -> list[LineItem]:
    days = profile.days_of_operation
    kept = min(days, retention_days if retention_days else days)
    return [
        LineItem(
            "CloudWatch Logs",
            "ingestion",
            profile.log_gb_per_day * DAYS_PER_MONTH,
            "GB",
            prices.get("logs", "ingest_per_gb"),
        ),
        LineItem(
            "CloudWatch Logs",
            f"storage, kept {kept} days",
            profile.log_gb_per_day * kept,
            "GB-mo",
            prices.get("logs", "storage_per_gb_month"),
        ),
    ]


@dataclass(frozen=True)
class Capacity:
    """A provisioned table's capacity of one kind (read or write)."""

    provisioned: int
    scaling: tuple[int, int, float] | None = None  # (min, max, target %) of its autoscaling

    def units(self, needed_per_second: float) -> int:
        if self.scaling is None:
            return self.provisioned
        low, high, target = self.scaling
        return max(low, min(high, math.ceil(needed_per_second / (target / 100.0))))


@dataclass(frozen=True)
class TableBilling:
    name: str
    on_demand: bool
    ttl: bool
    reads: Capacity | None = None
    writes: Capacity | None = None


def table_items(table: TableBilling, profile: LoadProfile, prices: Prices) -> list[LineItem]:
    jobs_month = profile.jobs_per_day * DAYS_PER_MONTH
    items: list[LineItem] = []
    if table.on_demand:
        items += [
            LineItem(
                "DynamoDB",
                f"{table.name}: on-demand writes",
                jobs_month * profile.writes_per_job / 1e6,
                "M WRU",
                prices.get("dynamodb", "on_demand_per_million_writes"),
            ),
            LineItem(
                "DynamoDB",
                f"{table.name}: on-demand reads",
                jobs_month * profile.reads_per_job / 1e6,
                "M RRU",
                prices.get("dynamodb", "on_demand_per_million_reads"),
            ),
        ]
    else:
        for kind, capacity, per_job, price in (
            ("write", table.writes, profile.writes_per_job, "provisioned_wcu_hour"),
            ("read", table.reads, profile.reads_per_job, "provisioned_rcu_hour"),
        ):
            assert capacity is not None
            units = [capacity.units(load * per_job / 3600) for load in profile.jobs_per_hour]
            unit_hours = sum(units) * HOURS_PER_MONTH / 24
            items.append(
                LineItem(
                    "DynamoDB",
                    f"{table.name}: provisioned {kind} capacity",
                    unit_hours,
                    f"{kind[0].upper()}CU-h",
                    prices.get("dynamodb", price),
                )
            )
    days = min(profile.days_of_operation, profile.item_useful_days if table.ttl else 10**9)
    gb = profile.jobs_per_day * days * profile.item_kb / 1024 / 1024
    items.append(
        LineItem(
            "DynamoDB",
            f"{table.name}: items kept {days} days",
            gb,
            "GB-mo",
            prices.get("dynamodb", "storage_per_gb_month"),
        )
    )
    return items
