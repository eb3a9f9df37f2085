"""The parts of a shared campaign's worker around the engine: its slot number, its statuses round, the engine's schema.

``WorkerSlot`` tells the workers of one campaign apart: each holds a number through a
PostgreSQL advisory lock on a connection of its own, so a worker that dies frees its number
with its connection. ``StatusBoard`` asks for every job this worker's rows wait on in one
statuses request per round (``campaign_run.next_round`` paces it), as the in-process run does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from heygen_lipsync.errors import CampaignStoppedError, HeyGenError
from heygen_lipsync.jobs.campaign_run import next_round
from heygen_lipsync.polling import _pause as pause

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = [
    "APP",
    "MAX_WORKERS",
    "QUEUE_POLL",
    "StatusBoard",
    "WorkerSlot",
    "engine_schema",
    "register_queues_ahead",
    "rescue_dead_workers",
]

logger = logging.getLogger("heygen_lipsync")

MAX_WORKERS = 256
APP = "heygen-lipsync"  # the engine's application name: its queues are owned by it
SCHEMA = "heygen_lipsync_dbos"
# How often a queue's worker thread looks for a free slot: a refill waits at most this long.
QUEUE_POLL = 0.05


def engine_schema(url: str) -> str:
    """Where the engine keeps its tables: ``heygen_lipsync_dbos``, or ``<schema>_dbos`` beside a store whose
    URL names its own schema (``options=-csearch_path=<schema>``), so two stores in one database stay apart."""
    from urllib.parse import parse_qs, urlsplit

    options = " ".join(parse_qs(urlsplit(url).query).get("options", []))
    found = re.search(r"search_path=([A-Za-z_][A-Za-z0-9_]*)", options)
    return f"{found.group(1)}_dbos" if found else SCHEMA


def register_queues_ahead(url: str, queues: dict[str, dict[str, Any]]) -> None:
    """Register the campaign's queues through a client of the engine's tables, when they exist (not on a
    new database: the engine creates them at launch, and the queues are registered after it)."""
    from dbos import DBOSClient

    client = None
    try:
        client = DBOSClient(
            system_database_url=url, dbos_system_schema=engine_schema(url), application_name=APP, lazy=True
        )
        for name, limits in queues.items():
            client.register_queue(name, polling_interval_sec=QUEUE_POLL, on_conflict="always_update", **limits)
    except Exception:  # a new database (no tables yet): launch creates them, the queues are registered after
        logger.debug("the campaign's queues are registered after the engine starts", exc_info=True)
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.destroy()


class StatusBoard:
    """One statuses request per round for every job this worker's rows wait on."""

    def __init__(self, client: AsyncLipsyncClient, poll_interval: float | None, waker: Any = None) -> None:
        self.client = client
        self.poll_interval = poll_interval
        self.waker = waker  # deliveries end a round's pause early (see ``CampaignRun.waker``)
        self.waiting: dict[str, asyncio.Future[str]] = {}
        self.created_at: dict[str, float] = {}
        self.seen_running: dict[str, float] = {}  # when each job was last seen unfinished
        self.durations: list[float] = []
        self.start = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    async def finished(self, job_id: str) -> str:
        """Wait until the job is completed or failed (or gone); returns the status seen."""
        future = self.waiting.get(job_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self.waiting[job_id] = future
            self.created_at.setdefault(job_id, time.monotonic())
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._rounds())
        return await asyncio.shield(future)

    async def _rounds(self) -> None:
        rounds = 0
        while self.waiting:
            await pause(
                next_round(self.poll_interval, self.durations, self.created_at, self.waiting, self.start, rounds),
                self.waker,
                list(self.waiting),
            )
            rounds += 1
            ids = list(self.waiting)
            for first in range(0, len(ids), 100):
                try:
                    entries = await self.client.statuses(lipsync_ids=ids[first : first + 100])
                except HeyGenError:
                    continue  # transient or not: the next round asks again (the wait is only a read)
                now = time.monotonic()
                for entry in entries:
                    job_id = entry.lipsync_id
                    if job_id is None or job_id not in self.waiting:
                        continue
                    if not (entry.is_finished or entry.status == "not_found"):
                        self.seen_running[job_id] = now
                        continue
                    created = self.created_at.pop(job_id, None)
                    if created is not None:
                        # The length is known to lie between the last round that saw it running and
                        # now: its lower end, so the next jobs are polled from when they may end, not
                        # from when this one happened to be seen (which would carry a round's lateness
                        # into every later wave).
                        self.durations.append(self.seen_running.pop(job_id, now) - created)
                    self.waiting.pop(job_id).set_result(entry.status)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()


class WorkerSlot:
    """This worker's number in the campaign, held by an advisory lock on its own connection."""

    def __init__(self, url: str, campaign: str) -> None:
        import psycopg

        self.space = int(campaign[:7], 16)  # the lock's first key: the campaign
        self.conn = psycopg.connect(url, autocommit=True)
        for number in range(MAX_WORKERS):
            if self._try(number):
                self.number = number
                break
        else:
            self.conn.close()
            raise CampaignStoppedError(f"more than {MAX_WORKERS} workers run this campaign")
        self.executor = f"{campaign}-w{self.number}"

    def _try(self, number: int) -> bool:
        row = self.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (self.space, number)).fetchone()
        return bool(row and row[0])

    def dead(self, number: int) -> bool:
        """Whether no live worker holds slot ``number`` (taken and released at once to find out)."""
        if number == self.number or not self._try(number):
            return False
        self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (self.space, number))
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


async def rescue_dead_workers(flows: Any, slot: WorkerSlot) -> None:
    """Recover the rows a dead worker left pending (its slot's lock is free): any live worker may run them."""
    prefix = slot.executor.rsplit("-w", 1)[0] + "-w"
    numbers = {
        int(w.executor_id[len(prefix) :])
        for w in flows
        if w.status == "PENDING" and (w.executor_id or "").startswith(prefix) and w.executor_id[len(prefix) :].isdigit()
    }
    for number in sorted(numbers):
        if await asyncio.to_thread(slot.dead, number):
            from dbos import DBOS

            # The engine's own recovery (what its admin endpoint and Conductor call): re-enqueues them.
            await asyncio.to_thread(DBOS._recover_pending_workflows, [f"{prefix}{number}"])
