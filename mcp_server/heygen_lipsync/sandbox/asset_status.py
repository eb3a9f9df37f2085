"""An asset's status, as `complete`, `GET /v3/assets/statuses` and creates see it.

A multipart upload is usable at once. A direct upload is `pending_upload` until it is
completed, then `processing` for `asset_processing_seconds` (HeyGen may still be
preparing a large file when `complete` returns), then ready.

    stored status     complete / asset statuses    usable in a create
    pending_upload    (complete refuses) / queued   no
    uploaded, before ready_at    processing         no
    uploaded, after ready_at     uploaded / completed   yes
"""

from __future__ import annotations

from heygen_lipsync.sandbox import clock
from heygen_lipsync.sandbox.store import AssetRow

__all__ = ["is_ready", "read_status"]


def is_ready(asset: AssetRow | None) -> bool:
    """True when the asset exists, its bytes are complete and its processing is over."""
    if asset is None or asset.status != "uploaded":
        return False
    return asset.ready_at is None or clock.now() >= asset.ready_at


def read_status(asset: AssetRow | None) -> str:
    """The asset's status in HeyGen's read-model vocabulary (queued, processing, completed, not_found)."""
    if asset is None:
        return "not_found"
    if asset.status != "uploaded":
        return "queued"
    return "completed" if is_ready(asset) else "processing"
