"""Waiting for jobs to finish: polling with backoff, an overall timeout and progress reports.

``wait_one`` polls GET /v3/lipsyncs/{id} on a schedule chosen from the job's age, not the
wait's: the next poll comes after ``AGE_FRACTION`` of the job's age so far (at least
``poll_interval``, at most ``max_poll_interval``), so a job is noticed within about a tenth
of its running time. The age is counted from when this process created (``note_started``)
or first polled the job, and kept per job (``_started``), so repeated bounded waits (the
MCP server's) resume the schedule instead of starting over at 2 s.
``wait_several`` polls the statuses endpoint with one request per round for up to 100 ids,
on the same age schedule, driven by its youngest unfinished job (capped at 10 s: a round
is cheap), and fetches each job's full detail once it has finished.
Given a ``Waker`` (``callbacks.CallbackReceiver``), both also poll at once when a callback
delivery names one of their jobs, and in between poll at HeyGen's slower pace
(``backstop_delay``), a backstop for a lost delivery.
Once the first poll has reached the API, transient failures (rate limits, 5xx, network) do
not abort a long wait: the next round tries again, until the overall timeout.
A first poll that fails raises at once, so a wrong base URL or an outage does not hang.
The timeout holds inside a poll too: a request still running when the wait's time is up
(a server that trickles its answer) is stopped, and the wait ends as timed out
(``within``; a last poll gets at least ``POLL_GRACE`` seconds). A job's answer is taken
as the job asked about: its id is the caller's, never a different one the server sent.

Both take a ``JobSource``: anything with the client's ``get`` and ``statuses`` (the client
itself, or a fake in tests), so this module does not import the client. ``statuses`` is
the one place ids are split into requests of ``STATUS_QUERY_MAX_IDS``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from heygen_lipsync.errors import APIConnectionError, JobFailedError, RateLimitError, ServerError, WaitTimeoutError
from heygen_lipsync.models import ItemError, Lipsync, StatusEntry

__all__ = [
    "AGE_FRACTION",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
    "MAX_POLL_INTERVAL",
    "MAX_WAIT_MANY_POLL_INTERVAL",
    "POLL_GRACE",
    "STATUS_QUERY_MAX_IDS",
    "STATUS_TO_LIPSYNC",
    "JobSource",
    "ProgressHandler",
    "Waker",
    "age_delay",
    "backstop_delay",
    "note_started",
    "poll_delays",
    "wait_one",
    "wait_several",
    "within",
]

DEFAULT_WAIT_TIMEOUT = 1200.0
DEFAULT_POLL_INTERVAL = 2.0
MAX_POLL_INTERVAL = 30.0
# wait_several pays one statuses request per round for up to 100 jobs, so polling more
# often costs almost nothing and notices each finished job up to 20 s sooner.
MAX_WAIT_MANY_POLL_INTERVAL = 10.0
STATUS_QUERY_MAX_IDS = 100
# The next poll of one job comes after this share of its age: with jitter and request time,
# a job is reported within ~10% of its running time (2 s at least, the floor).
AGE_FRACTION = 0.08
_MAX_TRACKED_JOBS = 4096
# The statuses endpoint's vocabulary, mapped onto a lipsync's own.
STATUS_TO_LIPSYNC = {"queued": "pending", "processing": "running", "completed": "completed", "failed": "failed"}
_TRANSIENT = (APIConnectionError, ServerError, RateLimitError)
#: The least time a poll gets, even when the wait's time is (almost) up: the last poll at
#: the deadline still has a chance to see the job finished.
POLL_GRACE = 0.5

T = TypeVar("T")

ProgressHandler = Callable[[Lipsync, float], Awaitable[None] | None]


class JobSource(Protocol):
    """What waiting needs from a client: one job's detail, and many jobs' statuses."""

    async def get(self, lipsync_id: str, /) -> Lipsync:
        """One job's detail (``AsyncLipsyncClient.get``)."""
        ...

    async def statuses(self, *, lipsync_ids: Sequence[str] = ...) -> list[StatusEntry]:
        """Statuses of any number of jobs, every page (``AsyncLipsyncClient.statuses``)."""
        ...


class Waker(Protocol):
    """What wakes a wait early: ``CallbackReceiver`` (callback deliveries for the jobs waited on)."""

    async def wait_any(self, ids: Collection[str], /) -> set[str]:
        """Return once a delivery names one of ``ids`` (at once if one arrived unseen)."""
        ...


# Indirections so tests can run waits on a fake clock without real sleeping.
_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
_monotonic: Callable[[], float] = time.monotonic
_rng = random.Random()  # noqa: S311 - jitter only


# When each job started, as far as this process knows (monotonic): the per-job schedule state.
_started: OrderedDict[str, float] = OrderedDict()


def note_started(lipsync_id: str) -> None:
    """Record that ``lipsync_id`` starts now (the client calls it right after a create)."""
    _started[lipsync_id] = _monotonic()
    _started.move_to_end(lipsync_id)
    while len(_started) > _MAX_TRACKED_JOBS:
        _started.popitem(last=False)


def _job_age(lipsync_id: str) -> float:
    if lipsync_id not in _started:
        note_started(lipsync_id)
    return max(0.0, _monotonic() - _started[lipsync_id])


def age_delay(age: float, first: float = DEFAULT_POLL_INTERVAL, cap: float = MAX_POLL_INTERVAL) -> float:
    """The wait before the next poll of a job ``age`` seconds old: ``AGE_FRACTION`` of it, in [first, cap].

    Jitter only shortens it (x0.8..1.0), so the lateness bound holds.
    """
    return min(cap, max(first, AGE_FRACTION * age)) * (0.8 + 0.2 * _rng.random())


def backstop_delay(age: float, first: float = DEFAULT_POLL_INTERVAL, cap: float = MAX_POLL_INTERVAL) -> float:
    """The wait before the next poll when a callback will do the noticing: HeyGen's own pace, never faster.

    ``first + age`` is 2 s doubling (2, 4, 8, 16 s: polls at 2, 6, 14, 30 s of age), in [first,
    cap]; jitter only lengthens it (x1.0..1.2), so a wait with a receiver never polls more
    often than HeyGen's CLI schedule, and the polls are only a backstop for a lost delivery.
    """
    return min(cap, first + age) * (1.0 + 0.2 * _rng.random())


def _next_delay(age: float, first: float, cap: float, waker: Waker | None) -> float:
    # Without a callback, timeliness (~8% of the age) costs more polls than HeyGen's pace.
    return age_delay(age, first, cap) if waker is None else backstop_delay(age, first, cap)


def poll_delays(first: float = DEFAULT_POLL_INTERVAL, cap: float = MAX_POLL_INTERVAL) -> Iterable[float]:
    """Endless poll delays: ``first`` doubling up to ``cap``, each with +-20% jitter."""
    interval = first
    while True:
        yield min(cap, interval) * (0.8 + 0.4 * _rng.random())
        interval = min(cap, interval * 2)


async def _pause(delay: float, waker: Waker | None, ids: Collection[str]) -> None:
    """Sleep ``delay`` seconds, or less when ``waker`` says one of ``ids`` has a callback delivery."""
    if waker is None:
        await _sleep(delay)
        return
    woken = asyncio.ensure_future(waker.wait_any(ids))
    slept = asyncio.ensure_future(_sleep(delay))
    try:
        await asyncio.wait({woken, slept}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (woken, slept):
            task.cancel()
        await asyncio.gather(woken, slept, return_exceptions=True)


async def within(seconds: float, call: Awaitable[T]) -> T:
    """``await call``, stopped after ``seconds`` (at least ``POLL_GRACE``): a wait's bound holds inside a request.

    Raises:
        TimeoutError: the time ran out first (the request was cancelled).
    """
    async with asyncio.timeout(max(seconds, POLL_GRACE)):
        return await call


def _as_asked(lipsync: Lipsync, lipsync_id: str) -> Lipsync:
    # The answer is about the job asked for: its id is the caller's, never a server string
    # (a file is later named after it).
    return lipsync if lipsync.id == lipsync_id else dataclasses.replace(lipsync, id=lipsync_id)


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
    receiver: Waker | None = None,
) -> Lipsync:
    """Poll one job until it finishes; see ``AsyncLipsyncClient.wait``.

    Raises:
        JobFailedError: the job failed (``failure_message`` says why).
        WaitTimeoutError: ``timeout`` seconds passed; the job is still running.
        NotFoundError, AuthenticationError, ...: errors that polling again would not fix.
    """
    start = _monotonic()
    _job_age(lipsync_id)  # a job first seen here counts its age from now
    last_status: str | None = None
    while True:
        try:
            lipsync = _as_asked(await within(timeout - (_monotonic() - start), client.get(lipsync_id)), lipsync_id)
        except _TRANSIENT:
            if last_status is None:
                raise  # never reached the job: a wrong URL or an outage should not hang for the timeout
            lipsync = None
        except TimeoutError:
            elapsed = _monotonic() - start
            raise WaitTimeoutError(lipsync_id, last_status=last_status, elapsed=elapsed) from None
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
        delay = _next_delay(_job_age(lipsync_id), poll_interval, max_poll_interval, receiver)
        await _pause(min(delay, remaining), receiver, (lipsync_id,))


async def wait_several(
    client: JobSource,
    lipsync_ids: Sequence[str],
    *,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
    on_progress: ProgressHandler | None = None,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    max_poll_interval: float = MAX_WAIT_MANY_POLL_INTERVAL,
    receiver: Waker | None = None,
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
    for lipsync_id in ids:
        _job_age(lipsync_id)  # jobs first seen here count their age from now
    first_round = True
    while True:
        pending = [i for i in ids if i not in results]
        try:
            entries = await within(timeout - (_monotonic() - start), client.statuses(lipsync_ids=pending))
        except _TRANSIENT:
            if first_round:
                raise  # never reached the API: do not hang for the timeout
            entries = []
        except TimeoutError:
            raise _timed_out(pending, last, results, _monotonic() - start) from None
        seen = {e.lipsync_id: e for e in entries}
        for lipsync_id in pending:
            entry = seen.get(lipsync_id)
            if entry is None:
                continue
            if entry.status == "not_found" or entry.is_finished:
                # Full detail once it is final (and a 404 here means the id is wrong).
                try:
                    got = await within(timeout - (_monotonic() - start), client.get(lipsync_id))
                except _TRANSIENT:
                    continue
                except TimeoutError:
                    raise _timed_out(
                        [i for i in ids if i not in results], last, results, _monotonic() - start
                    ) from None
                detail = _as_asked(got, lipsync_id)
                last[lipsync_id] = detail.status
                if detail.is_failed and entry.error is not None:
                    detail = _with_item_error(detail, entry.error)
                if detail.is_finished:
                    results[lipsync_id] = detail
                await _report(on_progress, detail, _monotonic() - start)
                continue
            status = STATUS_TO_LIPSYNC.get(entry.status, entry.status)
            last[lipsync_id] = status
            await _report(
                on_progress,
                Lipsync(id=lipsync_id, status=status, failure_message=str(entry.error) if entry.error else None),
                _monotonic() - start,
            )
        first_round = False
        pending = [i for i in ids if i not in results]
        if not pending:
            return {i: results[i] for i in ids}
        elapsed = _monotonic() - start
        remaining = timeout - elapsed
        if remaining <= 0:
            raise _timed_out(pending, last, results, elapsed)
        # One request serves every pending job, so the youngest one (the soonest due) sets the pace.
        youngest = min(_job_age(i) for i in pending)
        delay = _next_delay(youngest, poll_interval, max_poll_interval, receiver)
        await _pause(min(delay, remaining), receiver, pending)


def _timed_out(
    pending: Sequence[str], last: dict[str, str], results: dict[str, Lipsync], elapsed: float
) -> WaitTimeoutError:
    return WaitTimeoutError(
        pending[0], last_status=last.get(pending[0]), elapsed=elapsed, pending_ids=pending, results=results
    )


def _with_item_error(detail: Lipsync, error: ItemError) -> Lipsync:
    """A failed job's detail with the statuses entry's error object kept (``extra["error"]``).

    The object may say more than ``failure_message`` (a code, other properties), and for a
    job whose detail gives no message it is the only reason there is.
    """
    return dataclasses.replace(
        detail,
        failure_message=detail.failure_message or str(error),
        extra={**detail.extra, "error": error.to_dict()},
    )
