"""Waiting for a batch: one statuses request per round (``batch_ids=``), until every item has finished.

The CLI's ``batch wait`` and the MCP server's ``wait_for_lipsync_batch`` share this loop.
A round asks the statuses endpoint about the whole batch at once (every item, whatever the
batch's size), so following a batch of 100 jobs costs what following one does. The wait is
bounded, inside a request too (``waiting.within``); running out of time is not an error: the
last round says what is still running (no items at all when not even the first round answered).
Like ``waiting.wait_one``, a first round that fails raises at once (a wrong URL or an outage
should not hang), and later transient failures only skip a round.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from heygen_lipsync import polling as waiting
from heygen_lipsync.models import StatusEntry

__all__ = ["BatchRound", "BatchSource", "RoundHandler", "wait_batch"]


class BatchSource(Protocol):
    """What a batch wait needs from a client: the statuses endpoint, and the batch (for a clear 404)."""

    async def statuses(self, *, batch_ids: Sequence[str] = ...) -> list[StatusEntry]:
        """Statuses of every item of the batches (``AsyncLipsyncClient.statuses``)."""
        ...

    async def get_batch(self, batch_id: str, /) -> Any:
        """The batch (``AsyncLipsyncClient.get_batch``); raises NotFoundError for an unknown id."""
        ...


@dataclass(frozen=True)
class BatchRound:
    """What one round of a batch wait saw."""

    batch_id: str
    items: tuple[StatusEntry, ...]
    elapsed: float

    @property
    def total(self) -> int:
        """How many items the batch has."""
        return len(self.items)

    @property
    def done(self) -> int:
        """How many items have finished (completed or failed)."""
        return sum(1 for item in self.items if item.is_finished)

    @property
    def finished(self) -> bool:
        """True when every item has finished."""
        return bool(self.items) and self.done == self.total

    @property
    def counts(self) -> dict[str, int]:
        """Items per status (read-model vocabulary: queued, processing, completed, failed)."""
        return dict(Counter(item.status for item in self.items))

    def summary(self) -> str:
        """``3 of 5 done (2 completed, 1 failed; 2 processing)``."""
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        return f"{self.done} of {self.total} done ({parts})"


RoundHandler = Callable[[BatchRound], Awaitable[None] | None]


async def wait_batch(
    client: BatchSource,
    batch_id: str,
    *,
    timeout: float,
    on_round: RoundHandler | None = None,
    poll_interval: float = waiting.DEFAULT_POLL_INTERVAL,
    max_poll_interval: float = waiting.MAX_WAIT_MANY_POLL_INTERVAL,
    waker: waiting.Waker | None = None,
) -> BatchRound:
    """Poll a batch's items until all have finished or ``timeout`` seconds have passed.

    With ``waker`` (a ``CallbackReceiver`` fed the batch's ``batch.finished``), a delivery
    starts the next round at once.

    Returns:
        The last round: ``finished`` says whether every item finished in time.

    Raises:
        NotFoundError: no such batch.
        APIStatusError, APIConnectionError: the first round failed (later ones are retried).
    """
    start = waiting._monotonic()
    delays = iter(waiting.poll_delays(poll_interval, max_poll_interval))
    last: BatchRound | None = None
    while True:
        try:
            entries = await waiting.within(
                timeout - (waiting._monotonic() - start), client.statuses(batch_ids=[batch_id])
            )
        except waiting._TRANSIENT:
            if last is None:
                raise
            entries = None
        except TimeoutError:  # the time ran out inside a round: the last round says what is running
            entries = None
            if last is None:
                last = BatchRound(batch_id, (), waiting._monotonic() - start)
            return BatchRound(batch_id, last.items, waiting._monotonic() - start)
        elapsed = waiting._monotonic() - start
        if entries is not None:
            items = tuple(sorted((e for e in entries if e.lipsync_id), key=lambda e: e.item_index or 0))
            if not items:
                await client.get_batch(batch_id)  # an unknown batch: its NotFoundError names the id
            last = BatchRound(batch_id, items, elapsed)
            if on_round is not None:
                result: Any = on_round(last)
                if inspect.isawaitable(result):
                    await result
            if last.finished:
                return last
        remaining = timeout - elapsed
        if remaining <= 0:
            assert last is not None  # the first round either set it or raised
            return BatchRound(batch_id, last.items, elapsed)
        await waiting._pause(min(next(delays), remaining), waker, (batch_id,))
