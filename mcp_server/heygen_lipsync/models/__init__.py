"""The library's own result types: frozen dataclasses of plain Python values.

They are built from the API's JSON leniently: unknown fields go to ``extra`` (or are
ignored), unknown status values are passed through as strings, and a field of an
unexpected type becomes None rather than an exception. ``to_dict()`` gives JSON-ready
dicts with the API's field names."""

from heygen_lipsync.models.assets import Account, Asset, AssetDetail, AssetStatus, Wallet
from heygen_lipsync.models.lipsyncs import (
    ASSET_WAITING_STATUSES,
    BATCH_ITEM_STATUSES,
    FINISHED_STATUSES,
    FPS_MODES,
    LIPSYNC_STATUSES,
    MODES,
    Batch,
    BatchItem,
    DownloadResult,
    DubResult,
    ItemError,
    Lipsync,
    LipsyncPage,
    StatusEntry,
)

__all__ = [
    "ASSET_WAITING_STATUSES",
    "BATCH_ITEM_STATUSES",
    "FINISHED_STATUSES",
    "FPS_MODES",
    "LIPSYNC_STATUSES",
    "MODES",
    "Account",
    "Asset",
    "AssetDetail",
    "AssetStatus",
    "Batch",
    "BatchItem",
    "DownloadResult",
    "DubResult",
    "ItemError",
    "Lipsync",
    "LipsyncPage",
    "StatusEntry",
    "Wallet",
]
