"""A model of SQS-fed Lambda workers sharing an account's concurrency under a flood.

Lambda does not run in the emulator, so a noisy-neighbour drill cannot watch pollers
compete. This models what decides the outcome in AWS, from the caps the emulator holds:

- A function with reserved concurrency runs up to it: the reservation is its own, no
  other function can take it, and it can take nothing beyond it. An event source
  mapping's maximum concurrency caps it further.
- A function without reserved concurrency runs in the account's unreserved pool (the
  account limit minus every reservation), up to its mapping's maximum concurrency if
  one is set, else up to the whole pool. The flooding worker takes its share first.
- Every message takes ``service_time`` seconds of one concurrent execution.

Not modeled: poller scale-up delays, batching, cold starts, throttling retries,
visibility timeouts. The clock is virtual: one step is one second, nothing sleeps.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Worker:
    """One queue's consumer as deployed: ``None`` where a cap is not set."""

    name: str
    reserved: int | None = None  # the function's reserved concurrency
    maximum: int | None = None  # the event source mapping's maximum concurrency

    @property
    def cap(self) -> int | None:
        """The most it can ever run at once (``None``: only the account limits it)."""
        caps = [c for c in (self.reserved, self.maximum) if c is not None]
        return min(caps) if caps else None


@dataclass(frozen=True)
class FloodResult:
    flooder: str
    victim: str
    victim_concurrency: float  # what the victim could run while the flood lasted
    max_age_s: float  # the victim's oldest message, at its oldest, over the window

    def describe(self) -> str:
        return (
            f"while {self.flooder} floods, {self.victim}'s worker can run "
            f"{self.victim_concurrency:g} at once and its oldest message reaches "
            f"{self.max_age_s:g} s"
        )


def _limit(*values: float | None) -> float:
    return min([v for v in values if v is not None] or [math.inf])


def concurrency_under_flood(
    workers: list[Worker], flooder: str, victim: str, account_limit: int, active: bool = True
) -> tuple[float, float]:
    """(flooder's, victim's) concurrency while the flooder's backlog is unbounded
    (``active``), or once it is drained (the flooder runs nothing, its reservation stays)."""
    by_name = {w.name: w for w in workers}
    reserved = sum(w.reserved or 0 for w in workers)
    pool = max(account_limit - reserved, 0)

    def share(worker: Worker, available: float) -> float:
        if worker.reserved is not None:
            return _limit(worker.reserved, worker.maximum)
        return min(_limit(worker.maximum), available)

    flood = share(by_name[flooder], pool) if active else 0.0
    left = pool - (flood if by_name[flooder].reserved is None else 0)
    return flood, share(by_name[victim], max(left, 0))


def flood_drill(
    workers: list[Worker],
    flooder: str,
    victim: str,
    account_limit: int,
    flood_messages: int = 1_000_000,
    victim_rate: int = 1,
    seconds: int = 900,
    service_time: float = 1.0,
) -> FloodResult:
    """The victim's oldest-message age while ``flooder`` enqueues ``flood_messages`` at once.

    The victim receives ``victim_rate`` messages per second; every other worker is idle.
    """
    flood_conc, victim_conc = concurrency_under_flood(workers, flooder, victim, account_limit)
    flood_backlog = float(flood_messages)
    waiting: deque[int] = deque()  # arrival second of each of the victim's messages
    oldest = 0.0
    credit = 0.0  # fractional processing carried over between steps
    for now in range(seconds):
        waiting.extend([now] * victim_rate)
        flood_backlog = max(flood_backlog - flood_conc / service_time, 0)
        # Once the flood is drained its worker frees the pool again.
        capacity = victim_conc
        if flood_backlog == 0:
            _, capacity = concurrency_under_flood(
                workers, flooder, victim, account_limit, active=False
            )
        credit += min(capacity / service_time, len(waiting) + 1)
        while waiting and credit >= 1:
            waiting.popleft()
            credit -= 1
        if waiting:
            oldest = max(oldest, float(now - waiting[0] + 1))
    return FloodResult(flooder, victim, victim_conc, oldest)
