"""heygen_lipsync: dub videos with HeyGen's Lipsync API.

The public surface of the library; the CLI and the MCP server are thin layers over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from heygen_lipsync._transport.raw import RawResponse
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.config import DEFAULT_BASE_URL, Settings, resolve_settings
    from heygen_lipsync.errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        ApprovalError,
        AuthenticationError,
        BadRequestError,
        BalanceTooLowError,
        CampaignStoppedError,
        ConfigurationError,
        ConflictError,
        DailyCapError,
        DownloadError,
        HeyGenError,
        InsufficientCreditError,
        JobFailedError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        SpendError,
        StoreUnavailableError,
        SyncClientInAsyncContextError,
        ValidationError,
        WaitTimeoutError,
    )
    from heygen_lipsync.jobs.callbacks import CallbackReceiver
    from heygen_lipsync.models import (
        FINISHED_STATUSES,
        FPS_MODES,
        MODES,
        Account,
        Asset,
        AssetDetail,
        AssetStatus,
        Batch,
        BatchItem,
        DownloadResult,
        DubResult,
        ItemError,
        Lipsync,
        LipsyncPage,
        StatusEntry,
        Wallet,
    )
    from heygen_lipsync.redaction import redact
    from heygen_lipsync.request import LipsyncRequest
    from heygen_lipsync.sources import AssetSource, FileSource, MediaSource, UrlSource, parse_source, sniff_media_type
    from heygen_lipsync.sync_client import LipsyncClient
    from heygen_lipsync.upload_events import UploadEvent, UploadEvents

# Names are imported on first use (PEP 562), not with the package: `heygen-lipsync-mcp`
# and the CLI import this package at start-up, and the client half (httpx, the generated
# client, attrs) would otherwise cost ~100 ms before either could answer anything.
_LAZY: dict[str, str] = {
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APIStatusError": "errors",
    "APITimeoutError": "errors",
    "Account": "models",
    "Asset": "models",
    "AssetDetail": "models",
    "AssetStatus": "models",
    "ItemError": "models",
    "Wallet": "models",
    "AssetSource": "sources",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "Batch": "models",
    "BatchItem": "models",
    "ConfigurationError": "errors",
    "ConflictError": "errors",
    "DEFAULT_BASE_URL": "config",
    "DownloadError": "errors",
    "DownloadResult": "models",
    "DubResult": "models",
    "FINISHED_STATUSES": "models",
    "FPS_MODES": "models",
    "FileSource": "sources",
    "HeyGenError": "errors",
    "InsufficientCreditError": "errors",
    "JobFailedError": "errors",
    "Lipsync": "models",
    "LipsyncClient": "sync_client",
    "AsyncLipsyncClient": "client",
    "CallbackReceiver": "jobs.callbacks",
    "LipsyncPage": "models",
    "LipsyncRequest": "request",
    "MODES": "models",
    "MediaSource": "sources",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "RawResponse": "_transport.raw",
    "ServerError": "errors",
    "Settings": "config",
    "StatusEntry": "models",
    "SyncClientInAsyncContextError": "errors",
    "SpendError": "errors",
    "DailyCapError": "errors",
    "BalanceTooLowError": "errors",
    "CampaignStoppedError": "errors",
    "ApprovalError": "errors",
    "StoreUnavailableError": "errors",
    "UploadEvent": "upload_events",
    "UploadEvents": "upload_events",
    "UrlSource": "sources",
    "ValidationError": "errors",
    "WaitTimeoutError": "errors",
    "parse_source": "sources",
    "redact": "redaction",
    "resolve_settings": "config",
    "sniff_media_type": "sources",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_BASE_URL",
    "FINISHED_STATUSES",
    "FPS_MODES",
    "MODES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "ApprovalError",
    "Asset",
    "AssetDetail",
    "AssetSource",
    "AssetStatus",
    "AsyncLipsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BalanceTooLowError",
    "Batch",
    "BatchItem",
    "CallbackReceiver",
    "CampaignStoppedError",
    "ConfigurationError",
    "ConflictError",
    "DailyCapError",
    "DownloadError",
    "DownloadResult",
    "DubResult",
    "FileSource",
    "HeyGenError",
    "InsufficientCreditError",
    "ItemError",
    "JobFailedError",
    "Lipsync",
    "LipsyncClient",
    "LipsyncPage",
    "LipsyncRequest",
    "MediaSource",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "ServerError",
    "Settings",
    "SpendError",
    "StatusEntry",
    "StoreUnavailableError",
    "SyncClientInAsyncContextError",
    "UploadEvent",
    "UploadEvents",
    "UrlSource",
    "ValidationError",
    "WaitTimeoutError",
    "Wallet",
    "__version__",
    "parse_source",
    "redact",
    "resolve_settings",
    "sniff_media_type",
]
