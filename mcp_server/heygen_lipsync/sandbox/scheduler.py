"""The job scheduler: when jobs start (the concurrency cap, batch queueing) and who produces their outcome.

Progress follows from timestamps fixed at creation (`status`), so scheduling a job means
choosing its `run_at`/`done_at`. Producing an outcome (muxing, in a thread) happens once
per process per job: either a background worker starts it while the job is still running
by the clock, or a read of a due job starts it and waits a little for it. Either way the
outcome is recorded no earlier than the job's `done_at`. Two processes may both produce a
job; the store keeps only the first outcome.

Why ahead: HeyGen renders during a job's running time, so a job is finished when its time
is up. Muxing only once the clock said "done" made every sandbox job last its configured
length plus the muxing (a few tenths of a second on a busy machine), an artefact that a
client at the concurrency cap paid once per slot cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math
import secrets
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.requests import Request

from heygen_lipsync.sandbox import account, clock, jobs, status
from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.errors import ApiError
from heygen_lipsync.sandbox.store import JobRow, Store
from heygen_lipsync.sandbox.webhooks import Webhooks

__all__ = ["Scheduler"]

_WORKER_INTERVAL = 0.1
# The worker starts producing a job this long before its `done_at` (muxing a sample takes
# a few tenths of a second); the outcome waits for `done_at` before it is recorded.
_PRODUCE_AHEAD = 1.0
# While a produced outcome waits for its `done_at`, the clock is checked this often (a
# test may move the clock; a real sleep to `done_at` would not see it).
_RECORD_STEP = 0.02
_SETTLE_WAIT = 10.0
# Muxing is CPU-bound: a few at a time, however many jobs fall due together.
_PRODUCTION_SLOTS = 4


class Scheduler:
    """Schedules new jobs and produces the outcome of due ones (one instance per sandbox)."""

    def __init__(self, store: Store, config: SandboxConfig, webhooks: Webhooks) -> None:
        self.store = store
        self.config = config
        self.webhooks = webhooks
        self._producing: dict[str, asyncio.Task[JobRow | None]] = {}
        self._production_slots = asyncio.Semaphore(_PRODUCTION_SLOTS)
        self._closing = asyncio.Event()

    # ------------------------------------------------------------------ new jobs

    def check_capacity(self) -> None:
        """Refuse a single create while the concurrency cap is reached.

        Raises:
            ApiError: 429 `rate_limit_exceeded` with a Retry-After until the first slot frees.
        """
        at = clock.now()
        pending = self.store.unfinished_done_ats(at)
        if len(pending) >= self.config.max_concurrent_jobs:
            wait = max(1, math.ceil(min(pending) - at))
            raise ApiError(
                429,
                "rate_limit_exceeded",
                f"Too many concurrent lipsyncs ({len(pending)} unfinished, limit "
                f"{self.config.max_concurrent_jobs}). Retry after the duration specified in the Retry-After header.",
                headers={"Retry-After": str(wait)},
            )

    def batch_slots(self, count: int, created: float) -> list[float]:
        """When each of `count` new batch items gets a slot under the concurrency cap.

        HeyGen queues a batch instead of refusing it: an item waits (pending, "queued" in
        the batch vocabulary) until capacity frees. Progress is derived from timestamps, so
        the queue is scheduled here, first come first served: every unfinished job
        (including earlier queued items) holds a slot until its finish time, and each new
        item takes the earliest slot that frees. A later single create is still refused
        while the queued items count against the cap, so the cap holds at every moment.
        """
        cap = max(1, self.config.max_concurrent_jobs)
        busy = self.store.unfinished_done_ats(created)
        heapq.heapify(busy)
        length = self.config.pending_seconds + self.config.running_seconds
        slot = created
        starts = []
        for _ in range(count):
            while len(busy) >= cap:
                slot = max(slot, heapq.heappop(busy))
            starts.append(slot)
            heapq.heappush(busy, slot + length)
        return starts

    def new_job(
        self, request: Request, spec: dict[str, Any], created: float, start: float | None = None
    ) -> dict[str, Any]:
        """The row of a new job created at `created`, starting at `start` (default: at once)."""
        run_at = (created if start is None else start) + self.config.pending_seconds
        return {
            "id": "ls_" + secrets.token_hex(8),
            "title": spec.get("title"),
            "request": spec,
            "callback_id": spec.get("callback_id"),
            "origin": request.url.netloc,
            "created_at": created,
            "run_at": run_at,
            "done_at": run_at + self.config.running_seconds,
        }

    # ------------------------------------------------------------------ outcomes

    async def settle(self, job: JobRow) -> JobRow:
        """The job, its outcome produced first if its clock says it is done.

        Production of a large video can take a while: a read waits up to `_SETTLE_WAIT`
        seconds for it and otherwise reports the job still running, as HeyGen would.
        """
        if not status.is_due(job):
            return job
        task = self._start_production(job.id)
        try:
            settled = await asyncio.wait_for(asyncio.shield(task), _SETTLE_WAIT)
        except TimeoutError:
            settled = None
        return settled or self.store.get_job(job.id) or job

    async def settle_all(self, rows: list[JobRow]) -> list[JobRow]:
        """`settle` for each row, concurrently, in the same order."""
        settled: list[JobRow] = list(rows)

        async def one(index: int) -> None:
            settled[index] = await self.settle(rows[index])

        async with anyio.create_task_group() as group:
            for index, row in enumerate(rows):
                if status.is_due(row):
                    group.start_soon(one, index)
        return settled

    def _start_production(self, lipsync_id: str) -> asyncio.Task[JobRow | None]:
        """The one task (per process) producing this job's outcome."""
        task = self._producing.get(lipsync_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._produce(lipsync_id))
            self._producing[lipsync_id] = task
            task.add_done_callback(lambda _: self._producing.pop(lipsync_id, None))
        return task

    async def _produce(self, lipsync_id: str) -> JobRow | None:
        async with self._production_slots:
            fresh = self.store.get_job(lipsync_id)
            if fresh is None or fresh.status is not None:
                return fresh
            outcome = await anyio.to_thread.run_sync(jobs.produce, self.store, fresh)
        # Produced ahead: the outcome is the job's at its done_at, not before (status follows the clock).
        while clock.now() < fresh.done_at:
            if self._closing.is_set():
                return None  # shutting down before the job was due: it stays unfinished, as stored
            await asyncio.sleep(min(_RECORD_STEP, fresh.done_at - clock.now()))
        recorded = self.store.finish_job(
            lipsync_id,
            status=outcome.status,
            duration=outcome.duration,
            output=outcome.output,
            caption=outcome.caption,
            failure_message=outcome.failure_message,
            charge=account.job_charge(self.config, fresh, outcome.status, outcome.duration),
        )
        settled = self.store.get_job(lipsync_id)
        if settled is None:  # deleted while it was being produced
            self.store.remove_outputs(lipsync_id)
        elif recorded:
            self.webhooks.job_finished(settled)
        return settled

    # ------------------------------------------------------------------ the worker

    async def _produce_due_jobs(self) -> None:
        """While served: finish jobs as their time comes, so outputs and callbacks need no polling."""
        while True:
            for lipsync_id in self.store.due_job_ids(clock.now() + _PRODUCE_AHEAD):
                self._start_production(lipsync_id)
            await asyncio.sleep(_WORKER_INTERVAL)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the background worker for the app's lifetime; on exit, let production and callbacks finish."""
        worker = asyncio.get_running_loop().create_task(self._produce_due_jobs())
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            self._closing.set()  # outcomes produced ahead of their done_at are not recorded early
            # Production runs in threads that cannot be interrupted: let it finish before the store closes.
            await asyncio.gather(*self._producing.values(), return_exceptions=True)
            await self.webhooks.drain()
