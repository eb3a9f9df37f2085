"""Upload progress as MCP progress notifications, so a long upload does not look like a hung call.

The library reports upload progress through a plain (synchronous) callback, file by file;
a small task relays the running total to the client at a steady pace. Notifications are
sent only when the client asked for them (``ctx.report_progress`` is a no-op otherwise).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from mcp.server.mcpserver import Context

__all__ = ["UploadRelay", "with_upload_progress"]

T = TypeVar("T")


class UploadRelay:
    """Turns per-file ``(sent, total)`` callbacks into one running total over every file."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.value = 0
        self._offset = 0
        self._sent = 0
        self._file_total = 0

    def __call__(self, sent: int, total: int) -> None:
        previous_done = self._sent >= self._file_total
        if self._file_total and (total != self._file_total or sent < self._sent or (previous_done and sent < total)):
            self._offset += self._file_total  # the next file started
        self._sent, self._file_total = sent, total
        self.value = min(self._offset + sent, self.total)


async def with_upload_progress(
    ctx: Context, total: int, interval: float, call: Callable[[UploadRelay], Awaitable[T]]
) -> T:
    """Run ``call(relay)`` while relaying the relay's progress to the client every ``interval`` seconds."""
    relay = UploadRelay(total)
    reported = 0

    async def report() -> None:
        nonlocal reported
        if relay.value > reported:
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
