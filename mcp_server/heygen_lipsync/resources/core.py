"""What every part of the client shares: its settings, connections, ledger and spend authority."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from heygen_lipsync._transport.responses import call_generated
from heygen_lipsync.config import Settings
from heygen_lipsync.media.probe import MediaProbe
from heygen_lipsync.store import DailyCaps, Ledger
from heygen_lipsync_api.client import AuthenticatedClient

if TYPE_CHECKING:  # only their types: resources sit below the jobs floor
    from heygen_lipsync.jobs.authority import SpendAuthority
    from heygen_lipsync.jobs.cleanup import UploadMemory


class ClientCore:
    """The state ``AsyncLipsyncClient.__init__`` sets up, which the operation mixins use."""

    settings: Settings
    ledger: Ledger | None
    caps: DailyCaps
    origin: str
    authority: SpendAuthority
    uploads: UploadMemory
    _http: httpx.AsyncClient
    _api: AuthenticatedClient
    _probes: dict[str, MediaProbe]
    _uploaded: dict[str, tuple[Path, int, int]]

    async def _call(self, fn: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Run one generated ``asyncio_detailed`` function; return the 2xx JSON body as a dict."""
        return await call_generated(self._api, fn, *args, **kwargs)
