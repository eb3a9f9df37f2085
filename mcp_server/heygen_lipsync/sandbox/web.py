"""HTTP plumbing shared by every route: authentication, JSON bodies, size limits, error pages.

Nothing here knows a resource; the routes (`routes/`) call these helpers so that every
endpoint authenticates, reads bodies and reports errors the same way.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.errors import ApiError, error_response, invalid

__all__ = [
    "MAX_JSON_BYTES",
    "Handler",
    "LimitedRequest",
    "api_error",
    "authenticate",
    "base_url",
    "client_gone",
    "http_error",
    "read_json",
    "resource",
    "too_large",
]

MAX_JSON_BYTES = 4 * 1024 * 1024

logger = logging.getLogger("heygen_lipsync.sandbox")

Handler = Callable[[Request], Awaitable[Response]]


def resource(path: str, **handlers: Handler) -> Route:
    """One route per path, so a 405's Allow header lists every method the resource has."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, dispatch, methods=list(handlers))


def too_large(limit: int) -> ApiError:
    """The 413 of a multipart upload over `limit` bytes, pointing at direct uploads."""
    mib = limit / (1024 * 1024)
    return ApiError(
        413, "payload_too_large", f"File exceeds the {mib:g} MB upload limit. Use a direct upload for larger files."
    )


class LimitedRequest(Request):
    """A request whose body stream raises 413 once it exceeds `limit` bytes."""

    limit = 0

    async def stream(self) -> AsyncGenerator[bytes, None]:
        total = 0
        async for chunk in super().stream():
            total += len(chunk)
            if total > self.limit:
                raise too_large(self.limit)
            yield chunk


def authenticate(request: Request, config: SandboxConfig) -> None:
    """Accept `x-api-key` or `Authorization: Bearer` carrying the configured key.

    Raises:
        ApiError: 401 `unauthorized` (HeyGen's code since its error-codes page).
    """
    expected = config.api_key.encode()
    key = request.headers.get("x-api-key")
    if key is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else None
    if key is None or not hmac.compare_digest(key.encode(), expected):
        raise ApiError(
            401,
            "unauthorized",
            "Invalid or expired API key. Verify your x-api-key header (the sandbox's default key is 'sandbox-key').",
        )


def base_url(request: Request, config: SandboxConfig) -> str:
    """Where the sandbox is reached: `public_base_url` when set, else the request's own scheme and host."""
    if config.public_base_url:
        return config.public_base_url.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


async def read_json(request: Request, *, optional: bool = False) -> Any:
    """The JSON body, read in chunks and refused past `MAX_JSON_BYTES` (never a huge body in memory).

    Raises:
        ApiError: 400 for a body too large, not JSON, or nested too deeply to parse.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise invalid(None, f"The request body exceeds {MAX_JSON_BYTES // 1024 // 1024} MB.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip() and optional:
        return {}
    try:
        return json.loads(raw)
    except ValueError:  # numbers of more than 4,300 digits included
        raise invalid(None, "The request body must be valid JSON.") from None
    except RecursionError:
        raise invalid(None, "The request body nests arrays or objects too deeply; no field needs that.") from None


async def api_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: an `ApiError` becomes HeyGen's error envelope."""
    assert isinstance(exc, ApiError)
    return exc.response()


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: routing's 404/405 in HeyGen's error envelope."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, "not_found", f"No route for {request.url.path}.")
    if exc.status_code == 405:
        return error_response(
            405, "method_not_allowed", f"{request.method} is not allowed here.", headers=dict(exc.headers or {})
        )
    return error_response(exc.status_code, "invalid_request", str(exc.detail))


async def client_gone(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: a client that hung up mid-request is routine, not a server error.

    A client cancelled by its own timeout, or a Ctrl-C during an upload, ends a request
    while its body is read; uncaught, the server logs that as an ERROR with a traceback.
    One INFO line says what happened; the empty answer goes nowhere (nobody is listening).
    """
    assert isinstance(exc, ClientDisconnect)
    logger.info("client disconnected during %s %s; request abandoned", request.method, request.url.path)
    return Response(status_code=499)
