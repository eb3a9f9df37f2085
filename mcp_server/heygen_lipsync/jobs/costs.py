"""What a job cost, from the job store: the estimate before it ran, its output seconds at its mode's rate after.

A completed job is billed by the seconds of output HeyGen reports, at the rate of its mode
(``HEYGEN_LIPSYNC_RATE_SPEED`` / ``..._PRECISION``); a failed job costs nothing; anything else
is still the estimate made before it was sent (None when its length could not be known).
``spend_since`` sums the last 24 hours (or any window) of this install's, or a shared store's,
jobs the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from heygen_lipsync.jobs.pricing import Rates

if TYPE_CHECKING:
    from heygen_lipsync.models import Lipsync
    from heygen_lipsync.store import JobRecord, Ledger

__all__ = ["JobCost", "SpendSummary", "cost_of", "spend_since"]

_DAY = 24 * 3600.0


@dataclass(frozen=True)
class JobCost:
    """A job's mode and cost: ``basis`` says where the figure comes from (billed, estimate, failed, unknown)."""

    mode: str | None
    usd: float | None
    basis: str


def cost_of(record: JobRecord | None, job: Lipsync | None = None, *, rates: Rates | None = None) -> JobCost:
    """The cost of one job, from its store record and (when known) HeyGen's view of it."""
    rates = rates or Rates()
    mode = record.inputs.get("mode") if record is not None else None
    mode = mode if isinstance(mode, str) else None
    status = job.status if job is not None else (record.status if record is not None else None)
    if status == "failed":
        return JobCost(mode or "speed", 0.0, "failed")
    duration = job.duration if job is not None else None
    if status == "completed" and duration is not None:
        return JobCost(mode or "speed", round(duration * rates.for_mode(mode), 4), "billed")
    if record is not None and record.estimate_usd is not None:
        return JobCost(mode or "speed", record.estimate_usd, "estimate")
    return JobCost(mode, None, "unknown")


@dataclass(frozen=True)
class SpendSummary:
    """Jobs created since a time, and their cost as far as known (unknown lengths counted apart)."""

    since: float
    jobs: int
    usd: float
    unknown: int


def spend_since(ledger: Ledger, *, since: float | None = None, rates: Rates | None = None) -> SpendSummary:
    """This store's jobs since ``since`` (default: the last 24 hours), each at ``cost_of`` its record."""
    start = time.time() - _DAY if since is None else since
    records = [r for r in ledger.recent(limit=None) if r.created_at >= start and r.status != "refused"]
    jobs, usd, unknown = 0, 0.0, 0
    for record in records:
        count = int(record.inputs.get("items", 1) or 1) if record.kind == "batch" else 1
        jobs += count
        cost = cost_of(record, rates=rates)
        if cost.usd is None:
            unknown += count
        else:
            usd += cost.usd
    return SpendSummary(start, jobs, round(usd, 4), unknown)
