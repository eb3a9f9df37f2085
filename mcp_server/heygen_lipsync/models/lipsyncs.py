"""The lipsync, batch and status models: what the API says of jobs, read leniently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heygen_lipsync.models._read import _bool, _float, _int, _mapping, _str

__all__ = [
    "ASSET_WAITING_STATUSES",
    "BATCH_ITEM_STATUSES",
    "FINISHED_STATUSES",
    "FPS_MODES",
    "LIPSYNC_STATUSES",
    "MODES",
    "Batch",
    "BatchItem",
    "DownloadResult",
    "DubResult",
    "ItemError",
    "Lipsync",
    "LipsyncPage",
    "StatusEntry",
]
# A lipsync's own vocabulary (GET /v3/lipsyncs/{id}); others may appear.
LIPSYNC_STATUSES = ("pending", "running", "completed", "failed")
# The batch / statuses read model's vocabulary; others may appear.
BATCH_ITEM_STATUSES = ("queued", "processing", "completed", "failed", "not_found")
# Shared by both vocabularies: a job in one of these will not change again.
FINISHED_STATUSES = frozenset({"completed", "failed"})
# An asset in one of these is not ready for a create yet; any other status is taken as ready
# (HeyGen's status is an open string, and an unknown one must not block a create forever).
ASSET_WAITING_STATUSES = frozenset({"pending_upload", "queued", "processing", "pending", "uploading"})
MODES = ("speed", "precision")
FPS_MODES = ("vfr", "cfr", "passthrough")


@dataclass(frozen=True)
class Lipsync:
    """One lipsync job (the API's LipsyncDetail)."""

    id: str
    status: str
    title: str | None = None
    duration: float | None = None
    video_url: str | None = None
    caption_url: str | None = None
    callback_id: str | None = None
    created_at: int | None = None
    failure_message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = ("id", "status", "title", "duration", "video_url", "caption_url", "callback_id", "created_at",
              "failure_message")  # fmt: skip

    @property
    def is_finished(self) -> bool:
        """True when the job will not change any more (completed or failed)."""
        return self.status in FINISHED_STATUSES

    @property
    def is_completed(self) -> bool:
        """True when the output video is ready."""
        return self.status == "completed"

    @property
    def is_failed(self) -> bool:
        """True when the job failed; see ``failure_message``."""
        return self.status == "failed"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Lipsync:
        """Build from the API's JSON object, tolerating unknown fields and values."""
        data = _mapping(data)
        return cls(
            id=_str(data.get("id")) or "",
            status=_str(data.get("status")) or "unknown",
            title=_str(data.get("title")),
            duration=_float(data.get("duration")),
            video_url=_str(data.get("video_url")),
            caption_url=_str(data.get("caption_url")),
            callback_id=_str(data.get("callback_id")),
            created_at=_int(data.get("created_at")),
            failure_message=_str(data.get("failure_message")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (unknown fields included)."""
        out: dict[str, Any] = dict(self.extra)
        out.update(
            id=self.id,
            status=self.status,
            title=self.title,
            duration=self.duration,
            video_url=self.video_url,
            caption_url=self.caption_url,
            callback_id=self.callback_id,
            created_at=self.created_at,
            failure_message=self.failure_message,
        )
        return out


@dataclass(frozen=True)
class LipsyncPage:
    """One page of GET /v3/lipsyncs."""

    items: list[Lipsync]
    has_more: bool = False
    next_token: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"data": [...], "has_more", "next_token"}`` as the API shapes it."""
        return {"data": [i.to_dict() for i in self.items], "has_more": self.has_more, "next_token": self.next_token}


@dataclass(frozen=True)
class ItemError:
    """Why a batch item or a statuses entry failed: HeyGen sends an object, kept whole here.

    ``code`` and ``message`` are HeyGen's; every other property it holds is in ``extra``.
    ``str(error)`` is the line to show a person.
    """

    code: str | None = None
    message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.code and self.message:
            return f"{self.message} ({self.code})"
        return self.message or self.code or "failed (no reason given)"

    @classmethod
    def from_api(cls, value: Any) -> ItemError | None:
        """The error of an item: None when there is none; a bare string becomes its message."""
        if value is None or value == "" or value == {}:
            return None
        if isinstance(value, str):
            return cls(message=value)
        if not isinstance(value, Mapping):
            return cls(message=str(value))
        return cls(
            code=_str(value.get("code")),
            message=_str(value.get("message")),
            extra={str(k): v for k, v in value.items() if k not in ("code", "message")},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict as HeyGen shapes it (``code``, ``message`` and the other properties)."""
        return {**self.extra, "code": self.code, "message": self.message}


def _error_dict(error: ItemError | None) -> dict[str, Any] | None:
    return error.to_dict() if error is not None else None


@dataclass(frozen=True)
class BatchItem:
    """One job of a batch; ``lipsync_id`` is the API's ``video_id``."""

    item_index: int
    status: str
    lipsync_id: str | None = None
    error: ItemError | None = None

    @property
    def is_finished(self) -> bool:
        """True when the item will not change any more."""
        return self.status in FINISHED_STATUSES

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> BatchItem:
        """Build from the API's JSON object."""
        data = _mapping(data)
        return cls(
            item_index=_int(data.get("item_index")) or 0,
            status=_str(data.get("status")) or "unknown",
            lipsync_id=_str(data.get("video_id")),
            error=ItemError.from_api(data.get("error")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (``video_id``)."""
        return {
            "item_index": self.item_index,
            "status": self.status,
            "video_id": self.lipsync_id,
            "error": _error_dict(self.error),
        }


@dataclass(frozen=True)
class Batch:
    """A batch of lipsync jobs and one page of its items."""

    batch_id: str
    status: str
    total_items: int = 0
    counts_by_status: dict[str, int] = field(default_factory=dict)
    created_at: int | None = None
    title: str | None = None
    items: list[BatchItem] = field(default_factory=list)
    has_more: bool = False
    next_token: str | None = None

    @property
    def is_finished(self) -> bool:
        """True when the batch as a whole will not change any more."""
        return self.status in FINISHED_STATUSES

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Batch:
        """Build from the API's JSON object."""
        data = _mapping(data)
        counts = {str(k): v for k, v in _mapping(data.get("counts_by_status")).items() if _int(v) is not None}
        raw_items = data.get("items")
        return cls(
            batch_id=_str(data.get("batch_id")) or "",
            status=_str(data.get("status")) or "unknown",
            total_items=_int(data.get("total_items")) or 0,
            counts_by_status={k: int(v) for k, v in counts.items()},
            created_at=_int(data.get("created_at")),
            title=_str(data.get("title")),
            items=[BatchItem.from_api(i) for i in raw_items if isinstance(i, Mapping)]
            if isinstance(raw_items, list)
            else [],
            has_more=_bool(data.get("has_more")),
            next_token=_str(data.get("next_token")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names."""
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "total_items": self.total_items,
            "counts_by_status": dict(self.counts_by_status),
            "created_at": self.created_at,
            "title": self.title,
            "items": [i.to_dict() for i in self.items],
            "has_more": self.has_more,
            "next_token": self.next_token,
        }


@dataclass(frozen=True)
class StatusEntry:
    """One row of GET /v3/lipsyncs/statuses; ``lipsync_id`` is the API's ``video_id``."""

    status: str
    lipsync_id: str | None = None
    batch_id: str | None = None
    item_index: int | None = None
    error: ItemError | None = None

    @property
    def is_finished(self) -> bool:
        """True when the job will not change any more (``not_found`` is not finished)."""
        return self.status in FINISHED_STATUSES

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> StatusEntry:
        """Build from the API's JSON object."""
        data = _mapping(data)
        return cls(
            status=_str(data.get("status")) or "unknown",
            lipsync_id=_str(data.get("video_id")),
            batch_id=_str(data.get("batch_id")),
            item_index=_int(data.get("item_index")),
            error=ItemError.from_api(data.get("error")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (``video_id``)."""
        return {
            "video_id": self.lipsync_id,
            "status": self.status,
            "batch_id": self.batch_id,
            "item_index": self.item_index,
            "error": _error_dict(self.error),
        }


@dataclass(frozen=True)
class DownloadResult:
    """Where a download put its files."""

    video_path: Path
    caption_path: Path | None = None
    bytes_written: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (paths as strings)."""
        return {
            "video_path": str(self.video_path),
            "caption_path": str(self.caption_path) if self.caption_path else None,
            "bytes_written": self.bytes_written,
        }


@dataclass(frozen=True)
class DubResult:
    """What ``dub`` made: the finished job and where its files were saved."""

    lipsync: Lipsync
    files: DownloadResult

    @property
    def video_path(self) -> Path:
        """The saved video."""
        return self.files.video_path
