"""One stderr line per request `sandbox serve` answers: method, path, status, request id, time.

Never the query string: the sandbox's output and upload URLs carry their signatures there,
as HeyGen's presigned URLs do (uvicorn's own access log would print them whole).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["RequestLog"]

Asgi = Callable[[dict[str, Any], Any, Any], Any]


class RequestLog:
    """An ASGI wrapper that writes one line per HTTP request once its response has started."""

    def __init__(self, app: Asgi, stream: TextIO | None = None) -> None:
        self._app = app
        self._stream = stream

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Pass the request on; log it when its response status is sent (or when it fails unanswered)."""
        if scope.get("type") != "http":
            await self._app(scope, receive, send)
            return
        started = time.monotonic()
        seen: dict[str, Any] = {}

        async def logging_send(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                seen["status"] = message.get("status")
                headers = dict(message.get("headers") or [])
                seen["request_id"] = headers.get(b"x-request-id", b"-").decode("latin-1")
            await send(message)

        try:
            await self._app(scope, receive, logging_send)
        finally:
            status = seen.get("status", "-")
            (self._stream or sys.stderr).write(
                f"{scope.get('method', '?')} {scope.get('path', '?')} -> {status} "
                f"(request id {seen.get('request_id', '-')}, {(time.monotonic() - started) * 1000:.0f} ms)\n"
            )
            (self._stream or sys.stderr).flush()
