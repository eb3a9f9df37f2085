"""Waiting for jobs to finish: polling with backoff, an overall timeout and progress reports.

``wait_one`` polls GET /v3/lipsyncs/{id}; ``wait_several`` polls the statuses endpoint with
one request per round for up to 100 ids, and fetches each job's full detail once it has
finished. Once the first poll has reached the API, transient failures (rate limits, 5xx,
network) do not abort a long wait: the next round tries again, until the overall timeout.
A first poll that fails raises at once, so a wrong base URL or an outage does not hang.

Both take a ``JobSource``: anything with the client's ``get`` and ``statuses`` (the client
itself, or a fake in tests), so this module does not import the client. ``statuses`` is
the one place ids are split into requests of ``STATUS_QUERY_MAX_IDS``.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

from .errors import (
    APIConnectionError,
    JobFailedError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
)
from .models import Lipsync, StatusEntry

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
    "MAX_POLL_INTERVAL",
    "MAX_WAIT_MANY_POLL_INTERVAL",
    "STATUS_QUERY_MAX_IDS",
    "STATUS_TO_LIPSYNC",
    "JobSource",
    "ProgressHandler",
    "poll_delays",
    "wait_one",
    "wait_several",
]

DEFAULT_WAIT_TIMEOUT = 1200.0
DEFAULT_POLL_INTERVAL = 2.0
MAX_POLL_INTERVAL = 30.0
# wait_several pays one statuses request per round for up to 100 jobs, so polling more
# often costs almost nothing and notices each finished job up to 20 s sooner.
MAX_WAIT_MANY_POLL_INTERVAL = 10.0
STATUS_QUERY_MAX_IDS = 100
# The statuses endpoint's vocabulary, mapped onto a lipsync's own.
STATUS_TO_LIPSYNC = {"queued": "pending", "processing": "running", "completed": "completed", "failed": "failed"}
_TRANSIENT = (APIConnectionError, ServerError, RateLimitError)

ProgressHandler = Callable[[Lipsync, float], Awaitable[None] | None]


class JobSource(Protocol):
    """What waiting needs from a client: one job's detail, and many jobs' statuses."""

    async def get(self, lipsync_id: str, /) -> Lipsync:
        """One job's detail (``AsyncLipsyncClient.get``)."""
        ...

    async def statuses(self, *, lipsync_ids: Sequence[str] = ...) -> list[StatusEntry]:
        """Statuses of any number of jobs, every page (``AsyncLipsyncClient.statuses``)."""
        ...


# Indirections so tests can run waits on a fake clock without real sleeping.
_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
_monotonic: Callable[[], float] = time.monotonic
_rng = random.Random()  # noqa: S311 - jitter only


def poll_delays(first: float = DEFAULT_POLL_INTERVAL, cap: float = MAX_POLL_INTERVAL) -> Iterable[float]:
    """Endless poll delays: ``first`` doubling up to ``cap``, each with +-20% jitter."""
    interval = first
    while True:
        yield min(cap, interval) * (0.8 + 0.4 * _rng.random())
        interval = min(cap, interval * 2)


async def _report(on_progress: ProgressHandler | None, lipsync: Lipsync, elapsed: float) -> None:
    if on_progress is None:
        return
    result: Any = on_progress(lipsync, elapsed)
    if inspect.isawaitable(result):
        await result


async def wait_one(
    client: JobSource,
    lipsync_id: str,
    *,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
    on_progress: ProgressHandler | None = None,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    max_poll_interval: float = MAX_POLL_INTERVAL,
) -> Lipsync:
    """Poll one job until it finishes; see ``AsyncLipsyncClient.wait``.

    Raises:
        JobFailedError: the job failed (``failure_message`` says why).
        WaitTimeoutError: ``timeout`` seconds passed; the job is still running.
        NotFoundError, AuthenticationError, ...: errors that polling again would not fix.
    """
    start = _monotonic()
    delays = iter(poll_delays(poll_interval, max_poll_interval))
    last_status: str | None = None
    while True:
        try:
            lipsync = await client.get(lipsync_id)
        except _TRANSIENT:
            if last_status is None:
                raise  # never reached the job: a wrong URL or an outage should not hang for the timeout
            lipsync = None
        elapsed = _monotonic() - start
        if lipsync is not None:
            last_status = lipsync.status
            await _report(on_progress, lipsync, elapsed)
            if lipsync.is_completed:
                return lipsync
            if lipsync.is_failed:
                raise JobFailedError(lipsync)
        remaining = timeout - elapsed
        if remaining <= 0:
            raise WaitTimeoutError(lipsync_id, last_status=last_status, elapsed=elapsed)
        await _sleep(min(next(delays), remaining))


async def wait_several(
    client: JobSource,
    lipsync_ids: Sequence[str],
    *,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
    on_progress: ProgressHandler | None = None,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    max_poll_interval: float = MAX_WAIT_MANY_POLL_INTERVAL,
) -> dict[str, Lipsync]:
    """Poll many jobs through the statuses endpoint until all finish; see ``AsyncLipsyncClient.wait_many``.

    Raises:
        WaitTimeoutError: some jobs were still running at the timeout; ``.results`` holds the
            finished ones and ``.pending_ids`` the rest.
        NotFoundError: an id does not exist (the statuses endpoint said not_found and a GET agreed).
    """
    ids = list(dict.fromkeys(lipsync_ids))
    results: dict[str, Lipsync] = {}
    last: dict[str, str] = {}
    start = _monotonic()
    delays = iter(poll_delays(poll_interval, max_poll_interval))
    first_round = True
    while True:
        pending = [i for i in ids if i not in results]
        try:
            entries = await client.statuses(lipsync_ids=pending)
        except _TRANSIENT:
            if first_round:
                raise  # never reached the API: do not hang for the timeout
            entries = []
        seen = {e.lipsync_id: e for e in entries}
        for lipsync_id in pending:
            entry = seen.get(lipsync_id)
            if entry is None:
                continue
            if entry.status == "not_found" or entry.is_finished:
                # Full detail once it is final (and a 404 here means the id is wrong).
                try:
                    detail = await client.get(lipsync_id)
                except _TRANSIENT:
                    continue
                last[lipsync_id] = detail.status
                if detail.is_finished:
                    results[lipsync_id] = detail
                await _report(on_progress, detail, _monotonic() - start)
                continue
            status = STATUS_TO_LIPSYNC.get(entry.status, entry.status)
            last[lipsync_id] = status
            await _report(
                on_progress,
                Lipsync(id=lipsync_id, status=status, failure_message=entry.error),
                _monotonic() - start,
            )
        first_round = False
        pending = [i for i in ids if i not in results]
        if not pending:
            return {i: results[i] for i in ids}
        elapsed = _monotonic() - start
        remaining = timeout - elapsed
        if remaining <= 0:
            raise WaitTimeoutError(
                pending[0], last_status=last.get(pending[0]), elapsed=elapsed, pending_ids=pending, results=results
            )
        await _sleep(min(next(delays), remaining))
