"""Upload progress as MCP progress notifications, so a long upload does not look like a hung call.

The library reports upload progress as ``UploadEvent`` objects (which field, which file,
which attempt, bytes sent of the file's size) through a synchronous callback; a small task
relays the running total to the client at a steady pace, and says when HeyGen is still
processing an uploaded file before it may be used (the wait before a create). Notifications are
sent only when the client asked for them (``ctx.report_progress`` is a no-op otherwise).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from mcp.server.mcpserver import Context

from heygen_lipsync.models import ASSET_WAITING_STATUSES
from heygen_lipsync.upload_events import UploadEvent, UploadEvents

__all__ = ["UploadRelay", "with_upload_progress"]

T = TypeVar("T")


class UploadRelay(UploadEvents):
    """Turns the library's ``UploadEvent`` objects into one running total over every file of a call.

    Each event names its file's field and attempt, so nothing is guessed: a field counts the
    most bytes any attempt of it has sent. A retry starts again at 0, and its bytes up to
    what an earlier attempt already reached are not counted twice; the total is reached only
    once every file has been sent whole, and the running total never goes backwards.
    """

    def __init__(self, total: int) -> None:
        super().__init__(self._on_event, on_asset_wait=self._on_asset_wait)
        self.total = max(total, 1)
        self.value = 0
        self._sent: dict[str, int] = {}  # field -> the most bytes an attempt of it has sent
        # HeyGen still processing an uploaded file: how many readiness polls said so, and the latest.
        self.processing_polls = 0
        self.processing = ""

    def _on_asset_wait(self, asset_id: str, status: str, elapsed: float) -> None:
        if status in ASSET_WAITING_STATUSES:
            self.processing_polls += 1
            self.processing = f"waiting for HeyGen to finish processing asset {asset_id} ({status}, {elapsed:.0f}s)"

    def _on_event(self, event: UploadEvent) -> None:
        reached = min(event.sent, event.total)
        self._sent[event.field] = max(self._sent.get(event.field, 0), reached)
        self.value = min(sum(self._sent.values()), self.total)


async def with_upload_progress(
    ctx: Context, total: int, interval: float, call: Callable[[UploadRelay], Awaitable[T]]
) -> T:
    """Run ``call(relay)`` while relaying the relay's progress to the client every ``interval`` seconds."""
    relay = UploadRelay(total)
    reported = 0
    polls = 0

    async def report() -> None:
        nonlocal reported, polls
        if relay.processing_polls > polls:
            polls = relay.processing_polls
            # Still below the next byte: the value keeps increasing, as MCP requires, and the
            # byte count that follows (the next file) stays above it.
            await ctx.report_progress(reported + polls / (polls + 1), None, relay.processing)
        elif relay.value > reported:
            reported = relay.value
            await ctx.report_progress(reported, relay.total, f"uploaded {reported:,} of {relay.total:,} bytes")

    async def pump() -> None:
        while True:
            await anyio.sleep(interval)
            await report()

    failure: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(pump)
        try:
            result = await call(relay)
        except Exception as exc:  # noqa: BLE001 - re-raised below, outside the group, so it is not wrapped
            failure = exc
        finally:
            tg.cancel_scope.cancel()
    if failure is not None:
        raise failure
    await report()
    return result
