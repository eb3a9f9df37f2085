"""Running one generated call and reading its answer: response capture and lenient parsing.

The generated ``*_detailed`` functions parse 2xx bodies into strict models that reject
fields and values HeyGen adds later. So the real ``httpx.Response`` of each call is
captured (an httpx response hook, per task through a context variable): a non-2xx becomes
a typed error in ``errors.raise_for_response``, and a 2xx body the generated models cannot
parse is read as plain JSON instead, so new fields and values never crash.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from heygen_lipsync._transport.mapping import error_from_transport, raise_for_response
from heygen_lipsync.errors import APIError, HeyGenError
from heygen_lipsync.models import Asset
from heygen_lipsync_api.client import AuthenticatedClient
from heygen_lipsync_api.models import ErrorEnvelope

__all__ = ["asset_of", "call_generated", "capture_response", "data_of", "lenient_body"]

# The response of the generated call in flight, per task: lets us map errors and read
# bodies from the real httpx.Response even when the generated parser gives up.
_captured: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar(
    "heygen_lipsync_captured", default=None
)


async def capture_response(response: httpx.Response) -> None:
    """The httpx ``response`` event hook that records the response of the call in flight."""
    holder = _captured.get()
    if holder is not None:
        holder.append(response)


async def call_generated(
    api: AuthenticatedClient, fn: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """Run one generated ``asyncio_detailed`` function; return the 2xx JSON body as a dict.

    Raises:
        APIStatusError: a non-2xx answer (the subclass for its status family).
        APIConnectionError: the API could not be reached after retries.
        APIError: no response, or a 2xx body that is not a JSON object (``unexpected_response``).
    """
    holder: list[httpx.Response] = []
    token = _captured.set(holder)
    parse_error: Exception | None = None
    result: Any = None
    try:
        result = await fn(*args, client=api, **kwargs)
    except HeyGenError:
        raise
    except httpx.TransportError as exc:
        raise error_from_transport(exc) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # The generated parser rejected the body (non-JSON error page, odd shape,
        # undocumented status code): fall back to the raw response below.
        parse_error = exc
    finally:
        _captured.reset(token)
    raw = holder[-1] if holder else None
    if raw is None:
        raise APIError(f"no response received ({parse_error or 'unknown error'})") from parse_error
    raise_for_response(raw)
    parsed = getattr(result, "parsed", None)
    if parsed is not None and not isinstance(parsed, ErrorEnvelope) and hasattr(parsed, "to_dict"):
        body = parsed.to_dict()
        if isinstance(body, dict):
            return body
    return lenient_body(raw)


def lenient_body(raw: httpx.Response) -> dict[str, Any]:
    """A 2xx body read as plain JSON, whatever fields it has.

    Raises:
        APIError: the body is not a JSON object (``unexpected_response``).
    """
    request_id = raw.headers.get("x-request-id")
    try:
        body = json.loads(raw.content) if raw.content else None
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        snippet = " ".join(raw.text.split())[:200] if raw.content else "(empty)"
        raise APIError(
            f"unexpected response from {raw.request.method} {raw.request.url.path}: HTTP {raw.status_code} "
            f"with a body that is not a JSON object: {snippet}",
            code="unexpected_response",
            request_id=request_id,
        )
    return body


def data_of(body: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    """The ``data`` object of an answer.

    Raises:
        APIError: there is none (``unexpected_response``).
    """
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise APIError(
            f"unexpected response for {what}: no 'data' object in {str(body)[:200]}", code="unexpected_response"
        )
    return data


def asset_of(body: Mapping[str, Any], what: str) -> Asset:
    """The asset an upload answered with.

    Raises:
        APIError: no ``data`` object or no ``asset_id`` in it (``unexpected_response``).
    """
    asset = Asset.from_api(data_of(body, what))
    if not asset.asset_id:
        raise APIError(f"{what} returned no asset_id", code="unexpected_response")
    return asset
