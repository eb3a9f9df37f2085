"""The tools' result models: each becomes a tool's outputSchema and its structuredContent.

Every result carries ``next_step``, one sentence telling the model what to do now.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from heygen_lipsync.mcp.spend import CostEstimate

__all__ = [
    "BatchCreated",
    "BatchInfo",
    "BatchItemInfo",
    "DeleteResult",
    "DownloadInfo",
    "LipsyncCreated",
    "LipsyncInfo",
    "LipsyncInfoResult",
    "LipsyncList",
    "UploadInfo",
    "WaitResult",
]


class LipsyncInfo(BaseModel):
    """A lipsync job as HeyGen reports it."""

    id: str = Field(description="The lipsync id.")
    status: str = Field(description="pending, running, completed or failed (new values may appear).")
    title: str | None = None
    duration: float | None = Field(default=None, description="Output length in seconds, when completed.")
    video_url: str | None = Field(default=None, description="Temporary download link, when completed.")
    caption_url: str | None = Field(default=None, description="Temporary SRT captions link, when asked for.")
    callback_id: str | None = None
    created_at: int | None = Field(default=None, description="Unix seconds.")
    failure_message: str | None = Field(default=None, description="Why it failed, when failed.")

    @classmethod
    def of(cls, lipsync: Any) -> LipsyncInfo:
        """From the library's ``Lipsync``."""
        return cls(
            id=lipsync.id,
            status=lipsync.status,
            title=lipsync.title,
            duration=lipsync.duration,
            video_url=lipsync.video_url,
            caption_url=lipsync.caption_url,
            callback_id=lipsync.callback_id,
            created_at=lipsync.created_at,
            failure_message=lipsync.failure_message,
        )


class LipsyncInfoResult(BaseModel):
    """get_lipsync's and update_lipsync's result."""

    lipsync: LipsyncInfo
    next_step: str


class LipsyncCreated(BaseModel):
    """create_lipsync's result: the job exists and is running."""

    lipsync_id: str
    status: str = "pending"
    sandbox: bool = Field(description="True when the server runs against its local sandbox (no credits spent).")
    estimate: CostEstimate | None = Field(default=None, description="The cost estimate shown before creating.")
    jobs_left_in_session: int
    next_step: str


class WaitResult(BaseModel):
    """wait_for_lipsync's result: finished, or still running when the bounded wait ran out."""

    lipsync_id: str
    status: str
    still_running: bool = Field(description="True when the wait ended before the job finished: not a failure.")
    waited_seconds: float
    lipsync: LipsyncInfo | None = Field(default=None, description="The finished job (when not still running).")
    next_step: str


class LipsyncList(BaseModel):
    """One page of the account's lipsync jobs, newest first."""

    items: list[LipsyncInfo]
    has_more: bool
    next_token: str | None = Field(default=None, description="Pass as token to get the next page.")
    next_step: str


class DeleteResult(BaseModel):
    """delete_lipsync's result."""

    deleted_id: str
    next_step: str


class UploadInfo(BaseModel):
    """upload_asset's result: a HeyGen asset id usable as video_asset_id or audio_asset_id."""

    asset_id: str
    path: str = Field(description="The local file that was uploaded.")
    mime_type: str | None = None
    size_bytes: int | None = None
    url: str | None = None
    next_step: str


class DownloadInfo(BaseModel):
    """download_lipsync's result: where the video (and captions) were saved."""

    lipsync_id: str
    video_path: str
    caption_path: str | None = None
    bytes_written: int
    next_step: str


class BatchCreated(BaseModel):
    """create_lipsync_batch's result."""

    batch_id: str
    items: int
    sandbox: bool
    estimate: CostEstimate | None = None
    jobs_left_in_session: int
    next_step: str


class BatchItemInfo(BaseModel):
    """One item of a batch."""

    item_index: int
    status: str = Field(description="queued, processing, completed or failed.")
    lipsync_id: str | None = Field(default=None, description="Use with wait_for_lipsync / download_lipsync.")
    error: str | None = None


class BatchInfo(BaseModel):
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

    @classmethod
    def of(cls, batch: Any, next_step: str) -> BatchInfo:
        """From the library's ``Batch``."""
        return cls(
            batch_id=batch.batch_id,
            status=batch.status,
            total_items=batch.total_items,
            counts_by_status=dict(batch.counts_by_status),
            created_at=batch.created_at,
            title=batch.title,
            items=[
                BatchItemInfo(item_index=i.item_index, status=i.status, lipsync_id=i.lipsync_id, error=i.error)
                for i in batch.items
            ],
            has_more=batch.has_more,
            next_token=batch.next_token,
            next_step=next_step,
        )
