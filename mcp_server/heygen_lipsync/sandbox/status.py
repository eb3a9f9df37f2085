"""A job's status, decided here and nowhere else.

A job's progress is never stored as it happens: it follows from the timestamps written at
creation (`run_at`, `done_at`) and, once produced, the stored final status. HeyGen speaks
two vocabularies, both derived here from that one phase:

    phase (internal)   lipsync detail (GET /v3/lipsyncs/{id})   batch item / statuses
    pending            pending                                   queued
    running            running                                   processing
    due                running                                   processing
    completed          completed                                 completed
    failed             failed                                    failed
    (deleted)          -                                         failed ("The lipsync was deleted.")

"due" means finished by the clock but not yet produced: readers wait for production
(see `scheduler`) and meanwhile report the job still running.
"""

from __future__ import annotations

from collections.abc import Iterable

from heygen_lipsync.sandbox import clock
from heygen_lipsync.sandbox.store import JobRow

__all__ = [
    "BATCH_ITEM_STATUSES",
    "batch_counts",
    "batch_outcome",
    "batch_status",
    "finished_batch_counts",
    "is_due",
    "lipsync_status",
    "phase",
    "read_status",
]

_READ_STATUS = {"pending": "queued", "running": "processing", "completed": "completed", "failed": "failed"}
#: The batch vocabulary, in the order `counts_by_status` lists it.
BATCH_ITEM_STATUSES = ("queued", "processing", "completed", "failed")


def phase(job: JobRow, at: float | None = None) -> str:
    """pending / running / completed / failed, or "due": finished by the clock, not yet produced."""
    if job.status is not None:
        return job.status
    moment = clock.now() if at is None else at
    if moment < job.run_at:
        return "pending"
    if moment < job.done_at:
        return "running"
    return "due"


def is_due(job: JobRow) -> bool:
    """True when the job's clock says it is done but its outcome is not produced yet."""
    return phase(job) == "due"


def lipsync_status(job: JobRow) -> str:
    """The status a lipsync's own detail shows: pending, running, completed or failed."""
    current = phase(job)
    return "running" if current == "due" else current


def read_status(job: JobRow | None) -> tuple[str, dict[str, str] | None]:
    """(status, error) in the batch/statuses vocabulary; a deleted job (None) reads as failed.

    The error is an object, as HeyGen sends it (`code`, `message`), never a bare string.
    """
    if job is None:
        return "failed", {"code": "deleted", "message": "The lipsync was deleted."}
    status = _READ_STATUS.get(phase(job), "processing")
    if status != "failed":
        return status, None
    return status, {"code": "lipsync_failed", "message": job.failure_message or "The lipsync failed."}


def batch_counts(statuses: Iterable[str]) -> dict[str, int]:
    """`counts_by_status` of a batch from its items' read statuses (every key present)."""
    counts = dict.fromkeys(BATCH_ITEM_STATUSES, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def finished_batch_counts(final_statuses: list[str | None]) -> dict[str, int] | None:
    """`counts_by_status` once every stored job of a batch has its final status; None before that."""
    if any(status is None for status in final_statuses):
        return None
    return batch_counts(status for status in final_statuses if status is not None)


def batch_outcome(counts: dict[str, int], total: int) -> str:
    """A finished batch's status: failed only when every one of its `total` items failed."""
    return "failed" if counts["failed"] == total else "completed"


def batch_status(counts: dict[str, int], total: int) -> str:
    """A batch's overall status: processing until every item is final, then its outcome."""
    if counts["completed"] + counts["failed"] < total:
        return "processing"
    return batch_outcome(counts, total)
