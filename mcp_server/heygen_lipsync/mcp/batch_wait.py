"""``wait_for_lipsync_batch``: a bounded wait on a whole batch, and what the session knows of its items.

A model cannot sleep, so "call again in a minute" is no plan: this tool waits for a batch
(one statuses request per round, for every item at once), sends progress notifications
with the counts ("3 of 5 done"), and returns ``still_running`` when its time runs out. The
titles and sources of the items a session created are remembered (``batch_memory``) so
results name each item as the user knows it, not only by index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from heygen_lipsync.jobs.batch_wait import BatchRound, wait_batch
from heygen_lipsync.jobs.listener import caught_up_receiver
from heygen_lipsync.mcp.batch_memory import BatchMemory
from heygen_lipsync.mcp.inputs import ID_PATTERN
from heygen_lipsync.mcp.results import ItemErrorInfo
from heygen_lipsync.mcp.state import guarded, ok, state_of

__all__ = ["BATCH_WAIT_TOOLS", "BatchWaitItem", "BatchWaitResult", "wait_for_lipsync_batch"]


class BatchWaitItem(BaseModel):
    """One item of a waited-for batch."""

    item_index: int | None
    lipsync_id: str | None = Field(default=None, description="Use with download_lipsync when completed.")
    status: str = Field(description="queued, processing, completed or failed.")
    title: str | None = Field(default=None, description="The item's title, when this session created it.")
    source: str | None = Field(default=None, description="The item's video source, when this session created it.")
    error: ItemErrorInfo | None = Field(default=None, description="Why the item failed, when it failed.")


class BatchWaitResult(BaseModel):
    """wait_for_lipsync_batch's result: every item finished, or still running when the wait ran out."""

    batch_id: str
    still_running: bool = Field(description="True when the wait ended before every item finished: not a failure.")
    done: int = Field(description="Items finished (completed or failed).")
    total: int
    counts_by_status: dict[str, int]
    waited_seconds: float
    finished_ids: list[str] = Field(description="lipsync ids of the finished items.")
    items: list[BatchWaitItem]
    timeout_note: str | None = Field(default=None, description="Set when the timeout_seconds asked for was cut.")
    next_step: str


def wait_bound(ctx: Context, timeout_seconds: float | None) -> tuple[float, str | None]:
    """The wait this call may do, and a note when the one asked for was longer than the maximum."""
    settings = state_of(ctx).settings
    asked = timeout_seconds or settings.wait_seconds
    if asked > settings.max_wait_seconds:
        return settings.max_wait_seconds, (
            f"timeout_seconds={asked:g} was cut to this server's maximum of {settings.max_wait_seconds:g} s"
        )
    return asked, None


@guarded
async def wait_for_lipsync_batch(
    ctx: Context,
    batch_id: Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="The batch id.")],
    timeout_seconds: Annotated[
        float | None,
        Field(gt=0, description="Seconds this call may wait (see the description)."),
    ] = None,
) -> Annotated[CallToolResult, BatchWaitResult]:
    state = state_of(ctx)
    client = await state.require_client()
    bound, cut = wait_bound(ctx, timeout_seconds)
    reported = -1

    async def progress(batch_round: BatchRound) -> None:
        nonlocal reported
        if batch_round.done > reported:  # progress must increase: report each new count once
            reported = batch_round.done
            await ctx.report_progress(batch_round.done, batch_round.total, f"{batch_id}: {batch_round.summary()}")

    # HEYGEN_LIPSYNC_CALLBACK_LISTEN: a batch.finished delivery ends the wait at once (confirmed with a GET).
    waker = await caught_up_receiver(client, [batch_id])
    last = await wait_batch(
        client, batch_id, timeout=bound, on_round=progress, poll_interval=state.settings.poll_interval, waker=waker
    )
    memory: BatchMemory = state.batches
    items = [
        BatchWaitItem(
            item_index=e.item_index,
            lipsync_id=e.lipsync_id,
            status=e.status,
            error=ItemErrorInfo.of(e.error) if e.error is not None else None,
            **vars(memory.label(batch_id, e.item_index)),
        )
        for e in last.items
    ]
    if last.finished:
        step = "Finished: call download_lipsync for each completed item's lipsync_id; tell the user about failed ones."
    else:
        step = (
            f"Still running, not failed ({last.summary()}; this call waits at most {bound:g} s). Tell the user, "
            f"then call wait_for_lipsync_batch again with batch_id={batch_id!r}. Completed items can be downloaded "
            "now."
        )
    return ok(
        BatchWaitResult(
            batch_id=batch_id,
            still_running=not last.finished,
            done=last.done,
            total=last.total,
            counts_by_status=last.counts,
            waited_seconds=round(last.elapsed, 1),
            finished_ids=[e.lipsync_id for e in last.items if e.is_finished and e.lipsync_id],
            items=items,
            timeout_note=cut,
            next_step=(cut + ". " if cut else "") + step,
        )
    )


# name, function, title, annotations, description (as tools.TOOLS)
BATCH_WAIT_TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
    (
        "wait_for_lipsync_batch",
        wait_for_lipsync_batch,
        "Wait for a batch",
        # Only polls; the batch runs on HeyGen's side whether or not anyone waits.
        ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        'Wait for a batch\'s items to finish, with progress ("3 of 5 done"): default {wait:g} s, timeout_seconds '
        "at most {max_wait:g} s (longer is cut). still_running: true is not an error: tell the user the counts and "
        "call again. Next: download_lipsync for each completed item (finished_ids).",
    ),
)
