"""heygen_lipsync: dub videos with HeyGen's Lipsync API.

The public surface of the library; the CLI and the MCP server are thin layers over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .client import LipsyncClient
from .config import DEFAULT_BASE_URL, Settings, resolve_settings
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DownloadError,
    HeyGenError,
    InsufficientCreditError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from .models import (
    FINISHED_STATUSES,
    FPS_MODES,
    MODES,
    Asset,
    Batch,
    BatchItem,
    DownloadResult,
    Lipsync,
    LipsyncPage,
    StatusEntry,
)
from .sources import (
    AssetSource,
    FileSource,
    LipsyncRequest,
    MediaSource,
    UrlSource,
    parse_source,
    sniff_media_type,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "FINISHED_STATUSES",
    "FPS_MODES",
    "MODES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Asset",
    "AssetSource",
    "AuthenticationError",
    "BadRequestError",
    "Batch",
    "BatchItem",
    "ConfigurationError",
    "ConflictError",
    "DownloadError",
    "DownloadResult",
    "FileSource",
    "HeyGenError",
    "InsufficientCreditError",
    "JobFailedError",
    "Lipsync",
    "LipsyncClient",
    "LipsyncPage",
    "LipsyncRequest",
    "MediaSource",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "Settings",
    "StatusEntry",
    "UrlSource",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    "parse_source",
    "resolve_settings",
    "sniff_media_type",
]
