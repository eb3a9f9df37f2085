"""The tools' result models: each becomes a tool's structuredContent, checked against the whole model.

The published outputSchema names only each model's top-level fields and their JSON types
(``schemas.terse_output``): the field descriptions here are for the code's readers.

Every result carries ``next_step``, one sentence telling the model what to do now. The
models that show a library result (``Lipsync``, ``Asset``, ``Batch``, ``BatchItem``) are
filled from it by one converter, ``FromLibrary.of``, which takes every field of the model
from the attribute of the same name (nested objects included); a test checks that each such
model keeps every field of its library type, so what HeyGen reports reaches the model.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from heygen_lipsync.mcp.cost import CostEstimate, MediaInfo

__all__ = [
    "BatchCreated",
    "BatchInfo",
    "BatchItemInfo",
    "DeleteResult",
    "DownloadInfo",
    "FromLibrary",
    "ItemErrorInfo",
    "LipsyncCreated",
    "LipsyncInfo",
    "LipsyncInfoResult",
    "LipsyncList",
    "UploadInfo",
    "WaitResult",
]


class FromLibrary(BaseModel):
    """A result model filled from a library object's attributes of the same names."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, source: object, /, **values: Any) -> Self:
        """From ``source`` (a library result), with ``values`` for the fields it does not have."""
        taken = {name: getattr(source, name) for name in cls.model_fields if hasattr(source, name)}
        return cls.model_validate({**taken, **values})


class LipsyncInfo(FromLibrary):
    """A lipsync job as HeyGen reports it."""

    id: str
    status: str = Field(description="pending, running, completed, failed (or new values).")
    title: str | None = None
    duration: float | None = Field(default=None, description="Seconds of output.")
    video_url: str | None = Field(default=None, description="Temporary link.")
    caption_url: str | None = Field(default=None, description="Temporary SRT link.")
    callback_id: str | None = None
    created_at: int | None = Field(default=None, description="Unix seconds.")
    failure_message: str | None = None
    mode: str | None = None
    cost_usd: float | None = None
    cost_basis: str | None = Field(default=None, description="billed, estimate, failed (0) or unknown.")


async def priced(state: Any, lipsync: Any) -> LipsyncInfo:
    """The job as HeyGen reports it, with its mode and cost from the job store's record (when there is one)."""
    from heygen_lipsync.jobs.costs import cost_of
    from heygen_lipsync.jobs.pricing import Rates
    from heygen_lipsync.mcp.files import off_loop

    client = await state.require_client()
    record = await off_loop(client.ledger.find_by_id, lipsync.id) if client.ledger is not None else None
    rates = Rates(speed=state.settings.rate_speed, precision=state.settings.rate_precision)
    cost = cost_of(record, lipsync, rates=rates)
    return LipsyncInfo.of(lipsync, mode=cost.mode, cost_usd=cost.usd, cost_basis=cost.basis)


class LipsyncInfoResult(BaseModel):
    """get_lipsync's and update_lipsync's result."""

    lipsync: LipsyncInfo
    next_step: str


class LipsyncCreated(BaseModel):
    """create_lipsync's result: the job exists and is running."""

    lipsync_id: str
    status: str = "pending"
    sandbox: bool = Field(description="The local sandbox: nothing spent.")
    estimate: CostEstimate | None = None
    jobs_left_in_session: int
    reused: bool = Field(default=False, description="An identical earlier job, returned: nothing new spent.")
    next_step: str


class WaitResult(BaseModel):
    """wait_for_lipsync's result: finished, or still running when the bounded wait ran out."""

    lipsync_id: str
    status: str
    still_running: bool = Field(description="The wait ended first: not a failure.")
    waited_seconds: float
    lipsync: LipsyncInfo | None = Field(default=None, description="The finished job.")
    timeout_note: str | None = Field(default=None, description="Set when timeout_seconds was cut.")
    next_step: str


class LipsyncList(FromLibrary):
    """One page of the account's lipsync jobs, newest first."""

    items: list[LipsyncInfo]
    has_more: bool
    next_token: str | None = None
    next_step: str


class DeleteResult(BaseModel):
    """delete_lipsync's result."""

    deleted_id: str
    already_gone: bool = Field(default=False, description="An earlier call deleted it.")
    next_step: str


class UploadInfo(FromLibrary):
    """upload_asset's result: a HeyGen asset id usable as video_asset_id or audio_asset_id."""

    asset_id: str
    path: str
    mime_type: str | None = None
    size_bytes: int | None = None
    url: str | None = None
    media: MediaInfo | None = None
    next_step: str


class DownloadInfo(BaseModel):
    """download_lipsync's result: where the video (and captions) were saved."""

    lipsync_id: str
    video_path: str
    caption_path: str | None = None
    bytes_written: int = Field(description="video_bytes + caption_bytes.")
    video_bytes: int
    caption_bytes: int | None = None
    filename_note: str | None = Field(default=None, description="Set when the filename was changed.")
    next_step: str


class BatchCreated(BaseModel):
    """create_lipsync_batch's result."""

    batch_id: str
    items: int
    sandbox: bool
    estimate: CostEstimate | None = None
    jobs_left_in_session: int
    reused: bool = Field(default=False, description="An identical earlier batch, returned: nothing new spent.")
    next_step: str


class ItemErrorInfo(FromLibrary):
    """Why an item failed, as HeyGen reports it."""

    code: str | None = None
    message: str | None = Field(default=None, description="Tell the user this.")
    extra: dict[str, Any] = Field(default_factory=dict)


class BatchItemInfo(FromLibrary):
    """One item of a batch."""

    item_index: int
    status: str = Field(description="queued, processing, completed or failed.")
    lipsync_id: str | None = None
    error: ItemErrorInfo | None = None
    title: str | None = None
    source: str | None = Field(default=None, description="Its video, when this server made the batch.")


class BatchInfo(FromLibrary):
    """A batch's progress."""

    batch_id: str
    status: str = Field(description="processing, completed or failed.")
    total_items: int
    counts_by_status: dict[str, int]
    created_at: int | None = None
    title: str | None = None
    items: list[BatchItemInfo]
    has_more: bool
    next_token: str | None = None
    next_step: str
