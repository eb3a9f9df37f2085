"""``LipsyncClient``: the blocking twin of ``AsyncLipsyncClient``, a thin layer over it.

Each client owns one private event loop on a daemon thread; every method submits the
async client's coroutine to that loop and waits for it, so there is one implementation
(results and errors are the async client's own objects, passed through unchanged). The
methods are generated from ``AsyncLipsyncClient``'s, keeping names, signatures and
docstrings in step (a test checks the two method sets and signatures match).

A sync method called from a running event loop (async code, or a Jupyter cell) would
block that loop, so it refuses at once with ``SyncClientInAsyncContextError`` saying to
use ``AsyncLipsyncClient`` there, instead of deadlocking. Progress callbacks run on the
client's loop thread.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from collections.abc import Callable, Coroutine, Iterator
from types import TracebackType
from typing import Any, Concatenate, Literal, ParamSpec, Self, TypeVar

import httpx

from heygen_lipsync._transport.raw import RawResponse
from heygen_lipsync.client import AsyncLipsyncClient
from heygen_lipsync.config import Settings
from heygen_lipsync.errors import SyncClientInAsyncContextError
from heygen_lipsync.media.probe import MediaProbe
from heygen_lipsync.models import Lipsync
from heygen_lipsync.store import Ledger

__all__ = ["LipsyncClient", "SyncClientInAsyncContextError"]

P = ParamSpec("P")
R = TypeVar("R")


def _refuse_inside_event_loop(what: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop in this thread: blocking is fine
    raise SyncClientInAsyncContextError(
        f"LipsyncClient.{what}() was called from a running event loop (async code or a "
        f"Jupyter cell), where it would block the loop: use AsyncLipsyncClient there and "
        f"`await client.{what}(...)`"
    )


class _LoopThread:
    """One event loop running forever on a daemon thread (a daemon: never holds up exit)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="heygen-lipsync-loop", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, R]) -> R:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            # Ctrl-C (or any interruption of the wait) cancels the call instead of leaving it running.
            future.cancel()
            raise

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self._thread is not threading.current_thread():
            self._thread.join()
            self.loop.close()


def _blocking(
    method: Callable[Concatenate[AsyncLipsyncClient, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[LipsyncClient, P], R]:
    """The blocking version of one ``AsyncLipsyncClient`` method (same name, signature, docstring)."""
    name = method.__name__

    @functools.wraps(method)
    def call(self: LipsyncClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        _refuse_inside_event_loop(name)
        bound: Callable[P, Coroutine[Any, Any, R]] = getattr(self._async, name)
        return self._loop.run(bound(*args, **kwargs))

    return call


class _SyncRawResponses:
    """``LipsyncClient.with_raw_response``: the client's methods, returning ``RawResponse``."""

    def __init__(self, client: LipsyncClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., RawResponse[Any]]:
        method = getattr(self._client._async.with_raw_response, name)

        def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            _refuse_inside_event_loop(name)
            return self._client._loop.run(method(*args, **kwargs))

        return call


class LipsyncClient:
    """A blocking client for HeyGen's Lipsync API, with ``AsyncLipsyncClient``'s methods.

    ```python
    with LipsyncClient() as client:
        result = client.dub("talk.mp4", "dub.mp3", "out.mp4")
    ```

    Takes the same arguments as ``AsyncLipsyncClient``. Works from scripts and threads; from
    async code (or Jupyter) use ``AsyncLipsyncClient``: calls there raise
    ``SyncClientInAsyncContextError``. Close it (``with``, or ``close()``) when done.

    Raises:
        ConfigurationError: a malformed setting, as ``AsyncLipsyncClient`` raises it.
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
        self._async = AsyncLipsyncClient(
            api_key=api_key,
            bearer_token=bearer_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            settings=settings,
            ledger=ledger,
            origin=origin,
        )
        self._loop = _LoopThread()
        self._finalizer = weakref.finalize(self, self._loop.stop)

    @property
    def settings(self) -> Settings:
        """The resolved settings (as ``AsyncLipsyncClient.settings``)."""
        return self._async.settings

    @property
    def with_raw_response(self) -> _SyncRawResponses:
        """The same methods, returning ``RawResponse`` (``.parsed``, ``.status_code``, ``.headers``, ...)."""
        return _SyncRawResponses(self)

    def __repr__(self) -> str:
        return f"LipsyncClient(base_url={self.settings.base_url!r}, auth={self.settings.auth_description!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close connections and stop the client's loop thread. The client cannot be used afterwards."""
        if self._loop.loop.is_closed():
            return
        _refuse_inside_event_loop("close")
        try:
            self._loop.run(self._async.aclose())
        finally:
            self._finalizer()

    create = _blocking(AsyncLipsyncClient.create)
    get = _blocking(AsyncLipsyncClient.get)
    list = _blocking(AsyncLipsyncClient.list)
    update = _blocking(AsyncLipsyncClient.update)
    delete = _blocking(AsyncLipsyncClient.delete)
    create_batch = _blocking(AsyncLipsyncClient.create_batch)
    get_batch = _blocking(AsyncLipsyncClient.get_batch)
    statuses = _blocking(AsyncLipsyncClient.statuses)
    wait = _blocking(AsyncLipsyncClient.wait)
    wait_many = _blocking(AsyncLipsyncClient.wait_many)
    upload = _blocking(AsyncLipsyncClient.upload)
    upload_many = _blocking(AsyncLipsyncClient.upload_many)
    download = _blocking(AsyncLipsyncClient.download)
    dub = _blocking(AsyncLipsyncClient.dub)
    submit = _blocking(AsyncLipsyncClient.submit)
    submit_batch = _blocking(AsyncLipsyncClient.submit_batch)
    prepare = _blocking(AsyncLipsyncClient.prepare)
    quote = _blocking(AsyncLipsyncClient.quote)
    get_asset = _blocking(AsyncLipsyncClient.get_asset)
    asset_statuses = _blocking(AsyncLipsyncClient.asset_statuses)
    delete_asset = _blocking(AsyncLipsyncClient.delete_asset)
    account = _blocking(AsyncLipsyncClient.account)
    delete_uploads = _blocking(AsyncLipsyncClient.delete_uploads)
    create_folder = _blocking(AsyncLipsyncClient.create_folder)
    get_folder = _blocking(AsyncLipsyncClient.get_folder)
    list_webhook_endpoints = _blocking(AsyncLipsyncClient.list_webhook_endpoints)
    create_webhook_endpoint = _blocking(AsyncLipsyncClient.create_webhook_endpoint)
    update_webhook_endpoint = _blocking(AsyncLipsyncClient.update_webhook_endpoint)
    delete_webhook_endpoint = _blocking(AsyncLipsyncClient.delete_webhook_endpoint)
    rotate_webhook_secret = _blocking(AsyncLipsyncClient.rotate_webhook_secret)
    list_webhook_event_types = _blocking(AsyncLipsyncClient.list_webhook_event_types)
    list_webhook_events = _blocking(AsyncLipsyncClient.list_webhook_events)

    def remember_probe(self, asset_id: str, probe: MediaProbe) -> None:
        """Remember what the file uploaded as ``asset_id`` holds, so preflight can price jobs using it."""
        self._async.remember_probe(asset_id, probe)

    def remembered_probe(self, asset_id: str) -> MediaProbe | None:
        """The probe remembered for ``asset_id`` (see ``remember_probe``), or None."""
        return self._async.remembered_probe(asset_id)

    def iter_lipsyncs(self, *, page_size: int | None = None) -> Iterator[Lipsync]:
        """Every lipsync of the account, fetching pages as needed (as ``AsyncLipsyncClient.iter_lipsyncs``).

        Raises:
            ValidationError: page_size outside 1..100.
            APIStatusError, APIConnectionError: as for every call.
        """
        _refuse_inside_event_loop("iter_lipsyncs")
        pages = self._async.iter_lipsyncs(page_size=page_size)
        done = object()

        async def next_item() -> Any:
            return await anext(pages, done)

        try:
            while (item := self._loop.run(next_item())) is not done:
                yield item
        finally:
            close = getattr(pages, "aclose", None)  # an async generator: let it clean up on its loop
            if close is not None:
                self._loop.run(close())
