"""The batch tools: ``create_lipsync_batch`` (1-100 jobs in one request, one question) and ``get_lipsync_batch``."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp_types import CallToolResult
from pydantic import Field

from heygen_lipsync.mcp.asking import SpendApproval
from heygen_lipsync.mcp.files import off_loop
from heygen_lipsync.mcp.inputs import (
    ID_PATTERN,
    ITEMS_DESCRIPTION,
    ApprovalTokenAsInCreate,
    BatchCallbackUrl,
    BatchItemInput,
    ConfirmSpend,
    IdempotencyKeyAsInCreate,
    NewJobAsInCreate,
    ask_before_items,
    build_requests,
)
from heygen_lipsync.mcp.results import (
    BatchCreated,
    BatchInfo,
    BatchItemInfo,
)
from heygen_lipsync.mcp.spending import spending
from heygen_lipsync.mcp.state import guarded, ok, state_of

__all__ = ["create_lipsync_batch", "get_lipsync_batch"]


@guarded
async def create_lipsync_batch(
    ctx: Context,
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(ask_before_items)],
    items: Annotated[
        list[BatchItemInput],
        Field(min_length=1, max_length=100, description=f"1-100 jobs, {ITEMS_DESCRIPTION}."),
    ],
    title: Annotated[str | None, Field(min_length=1, max_length=255, description="A name for the batch.")] = None,
    callback_url: BatchCallbackUrl = None,
    idempotency_key: IdempotencyKeyAsInCreate = None,
    confirm_spend: ConfirmSpend = False,
    approval_token: ApprovalTokenAsInCreate = None,
    new_job: NewJobAsInCreate = False,
) -> Annotated[CallToolResult, BatchCreated]:
    state = state_of(ctx)
    client = await state.require_client()
    requests = await off_loop(build_requests, state.files, items)
    async with spending(
        ctx,
        requests,
        approval,
        confirm_spend=confirm_spend,
        approval_token=approval_token,
        idempotency_key=idempotency_key,
        new_job=new_job,
        kind="batch",
        identity=f"{title}\n{callback_url}",
    ) as spend:
        outcome = await client.submit_batch(
            spend.jobs,
            title=title,
            callback_url=callback_url,
            idempotency_key=idempotency_key,
            new_job=new_job,
            approve=spend.approval,
        )
        spend.created(reused=outcome.reused, idempotency_key=outcome.idempotency_key)
    batch_id = outcome.id
    state.batches.remember(batch_id, [item.model_dump() for item in items])
    step = f"The batch is running. Call wait_for_lipsync_batch with batch_id={batch_id!r} to wait for it; each "
    step += "item's lipsync_id works with wait_for_lipsync and download_lipsync."
    if outcome.reused:
        step = "An identical batch was made earlier: this is it, nothing new was spent (new_job=true makes another). "
        step += f"Call wait_for_lipsync_batch with batch_id={batch_id!r}."
    return ok(
        BatchCreated(batch_id=batch_id, items=len(items), reused=outcome.reused, next_step=step, **spend.outcome())
    )


@guarded
async def get_lipsync_batch(
    ctx: Context,
    batch_id: Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="The batch id.")],
    limit: Annotated[int | None, Field(ge=1, le=100, description="Items per page.")] = None,
    token: Annotated[str | None, Field(description="next_token of the previous page.")] = None,
) -> Annotated[CallToolResult, BatchInfo]:
    state = state_of(ctx)
    client = await state.require_client()
    batch = await client.get_batch(batch_id, limit=limit, token=token)
    if batch.has_more and batch.next_token:
        step = "More items: call get_lipsync_batch again with token=next_token."
    elif batch.status == "processing":
        step = f"Still processing: call wait_for_lipsync_batch with batch_id={batch_id!r} to wait for it."
    else:
        step = "Finished: call download_lipsync for each completed item's lipsync_id."
    items = [BatchItemInfo.of(item, **vars(state.batches.label(batch_id, item.item_index))) for item in batch.items]
    return ok(BatchInfo.of(batch, items=items, next_step=step))
