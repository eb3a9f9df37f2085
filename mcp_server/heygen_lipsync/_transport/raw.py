"""Raw responses: the status, headers and request id behind a client call's result.

``client.with_raw_response.get(id)`` runs ``client.get(id)`` and returns a ``RawResponse``
whose ``parsed`` is the usual result and whose other fields describe the last HTTP
response from the API during that call (for ``create`` with local files, the create's own
response, after the uploads). Responses are collected per task through a context
variable, so concurrent calls on one client never see each other's.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from heygen_lipsync._transport.http import EXT_NO_AUTH

__all__ = ["RawResponse", "RawResponses", "record_response"]

T = TypeVar("T")

_collected: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar(
    "heygen_lipsync_raw", default=None
)


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A call's result (``parsed``) with the HTTP response it came from."""

    parsed: T
    status_code: int
    headers: httpx.Headers
    request_id: str | None
    http_response: httpx.Response

    @property
    def method_and_path(self) -> str:
        """E.g. ``GET /v3/lipsyncs/ls_1``."""
        return f"{self.http_response.request.method} {self.http_response.request.url.path}"


async def record_response(response: httpx.Response) -> None:
    """The httpx ``response`` hook feeding ``with_raw_response`` (API responses only, not storage)."""
    holder = _collected.get()
    if holder is not None and not response.request.extensions.get(EXT_NO_AUTH):
        holder.append(response)


async def with_raw(call: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> RawResponse[T]:
    """Run ``call`` and pair its result with the last API response it received.

    Raises:
        HeyGenError: whatever ``call`` raised, unchanged.
        RuntimeError: the call made no API request (never for the client's API methods).
    """
    holder: list[httpx.Response] = []
    token = _collected.set(holder)
    try:
        parsed = await call(*args, **kwargs)
    finally:
        _collected.reset(token)
    if not holder:
        raise RuntimeError(f"{getattr(call, '__name__', call)!r} made no API request")
    last = holder[-1]
    return RawResponse(
        parsed=parsed,
        status_code=last.status_code,
        headers=last.headers,
        request_id=last.headers.get("x-request-id"),
        http_response=last,
    )


class RawResponses:
    """``client.with_raw_response``: the client's methods, returning ``RawResponse`` objects."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._client, name)
        if name.startswith("_") or not callable(method) or name == "iter_lipsyncs":
            raise AttributeError(f"with_raw_response has no method {name!r}")

        async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return await with_raw(method, *args, **kwargs)

        return call
