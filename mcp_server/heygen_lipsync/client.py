"""``AsyncLipsyncClient``: every operation of the Lipsync API, async, over the generated client.

Requests are built and sent by the generated ``*_detailed`` functions (each operation's
module imported where it is called, so a process loads only the operations it uses) through the one
``httpx.AsyncClient`` whose transport applies the HTTP policy (``_transport.http``). A non-2xx
response becomes a typed error in ``errors.raise_for_response``; a 2xx body the generated
models cannot parse is read leniently instead, so new fields and values never crash.

The class is a facade: its operations live in mixins, each a module of one concern, stacked so
that imports point down: ``resources.lipsync_calls`` and ``resources.asset_calls`` (thin typed
calls), ``jobs.sending`` (one create and its uploads), ``jobs.create_calls`` (the paid creates,
through the spend authority) and ``jobs.follow_calls`` (wait, download, dub).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

import httpx

from heygen_lipsync._transport.http import build_http_client
from heygen_lipsync._transport.raw import RawResponses, record_response
from heygen_lipsync._transport.responses import capture_response
from heygen_lipsync.config import Settings, resolve_settings
from heygen_lipsync.jobs.authority import SpendAuthority
from heygen_lipsync.jobs.cleanup import UploadMemory
from heygen_lipsync.jobs.follow_calls import DownloadProgress, FollowCalls
from heygen_lipsync.jobs.uploads import origin_of
from heygen_lipsync.media.probe import MediaProbe
from heygen_lipsync.resources.uploads import UploadEvent, UploadEvents, UploadProgress
from heygen_lipsync.store import DailyCaps, Ledger, open_default
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = ["AsyncLipsyncClient", "DownloadProgress", "UploadEvent", "UploadEvents", "UploadProgress"]


logger = logging.getLogger("heygen_lipsync")


class AsyncLipsyncClient(FollowCalls):
    """An async client for HeyGen's Lipsync API; construct it once and reuse it.

    ```python
    async with AsyncLipsyncClient() as client:
        lipsync_id = await client.create(LipsyncRequest(video="talk.mp4", audio="https://.../dub.mp3"))
        done = await client.wait(lipsync_id)
        await client.download(done, Path("."))  # ./<id>.mp4
    ```

    Settings are resolved as explicit argument > environment > default (see ``config``);
    ``settings`` replaces resolution entirely, with explicit arguments still applied on top.
    ``transport`` lets tests and the sandbox substitute the network (e.g. ``httpx.MockTransport``).
    ``ledger`` is the job ledger creates and uploads are recorded in (``ledger.py``): by default
    the install's (``HEYGEN_LIPSYNC_LEDGER``), None for none. ``origin`` names the API in
    records and job fingerprints instead of the base URL: an embedded sandbox is ``sandbox``,
    whatever port it listens on, so a rerun finds its job.
    A missing API key raises ``ConfigurationError`` at the first request, not here.

    Raises:
        ConfigurationError: a malformed setting (base URL, timeout, retries) from an argument or
            the environment.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        bearer_token: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: Settings | None = None,
        ledger: Ledger | Literal["default"] | None = "default",
        origin: str | None = None,
    ) -> None:
        if settings is None:
            settings = resolve_settings(
                api_key=api_key, bearer_token=bearer_token, base_url=base_url, timeout=timeout, max_retries=max_retries
            )
        else:
            settings = dataclasses.replace(
                settings,
                api_key=api_key or settings.api_key,
                bearer_token=bearer_token or settings.bearer_token,
                base_url=base_url.rstrip("/") if base_url else settings.base_url,
                timeout=settings.timeout if timeout is None else float(timeout),
                max_retries=settings.max_retries if max_retries is None else int(max_retries),
            )
        self.settings = settings
        self.ledger = open_default() if ledger == "default" else ledger
        self.caps = DailyCaps.from_env()
        #: What records and fingerprints name: the base URL, or "sandbox" for the embedded sandbox (any port).
        self.origin = origin or origin_of(self.ledger, settings.base_url)
        #: The one place this client's paid jobs are authorized (``jobs.authority``).
        self.authority = SpendAuthority(self.ledger, self.caps, origin=self.origin)
        self._http = build_http_client(
            settings, transport=transport, event_hooks={"response": [capture_response, record_response]}
        )
        # The token is unused: credentials are added per request by the policy transport.
        self._api = AuthenticatedClient(base_url=settings.base_url, token="").set_async_httpx_client(self._http)
        # Probes of files this client uploaded, by asset id, so a create from the asset is priced;
        # the ledger keeps them for other processes, this dict when the ledger is off. A file is
        # probed when a price first needs it: ``_uploaded`` says which file, as it was then.
        self._probes: dict[str, MediaProbe] = {}
        self._uploaded: dict[str, tuple[Path, int, int]] = {}
        # What each create uploaded from local files, for delete_uploads (upload_cleanup.py).
        self.uploads = UploadMemory()

    def __repr__(self) -> str:
        return f"AsyncLipsyncClient(base_url={self.settings.base_url!r}, auth={self.settings.auth_description!r})"

    @property
    def with_raw_response(self) -> RawResponses:
        """The same methods, returning ``RawResponse`` (``.parsed``, ``.status_code``, ``.headers``, ``.request_id``).

        ```python
        raw = await client.with_raw_response.get(lipsync_id)
        print(raw.request_id, raw.headers["x-ratelimit-remaining"], raw.parsed.status)
        ```
        """
        return RawResponses(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close connections. The client cannot be used afterwards."""
        await self._http.aclose()
