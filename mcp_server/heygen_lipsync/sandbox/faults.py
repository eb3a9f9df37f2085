"""The outermost ASGI layer: request ids and injected faults.

Faults are drawn from a `random.Random(seed)` that is reset whenever the config's
`faults` object is replaced, and every request draws the same five numbers whatever
happens to it, so a given seed and request sequence always meet the same faults.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heygen_lipsync.sandbox.config import FaultConfig, SandboxConfig

__all__ = ["ConnectionDropped", "SandboxASGI"]


class ConnectionDropped(Exception):
    """Raised in place of a dropped connection when the server underneath exposes no transport.

    Under uvicorn the socket is closed instead; under httpx's in-process ASGITransport
    this exception reaches the client, which is the nearest analogue.
    """


def _drop(send: Send) -> None:
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("the sandbox dropped the connection (injected fault)")
    cycle.disconnected = True  # uvicorn then sends nothing more
    transport.close()


def _json_headers(request_id: str, extra: list[tuple[bytes, bytes]] | None = None) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"x-request-id", request_id.encode()), *(extra or [])]


class SandboxASGI:
    """Adds `X-Request-Id` to every response and injects the configured faults."""

    def __init__(self, app: ASGIApp, config: SandboxConfig) -> None:
        self.app = app
        self.sandbox: Any = None  # the SandboxApp behind it, for tests and the embedded server
        self.config = config
        self._faults: FaultConfig | None = None
        self._rng = random.Random(0)  # noqa: S311 - reproducible faults, not secrets
        self._burst_left = 0

    def _draws(self, faults: FaultConfig) -> list[float]:
        if faults is not self._faults:
            self._faults = faults
            self._rng = random.Random(faults.seed)  # noqa: S311
            self._burst_left = 0
        return [self._rng.random() for _ in range(5)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = "req_" + secrets.token_hex(12)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        faults = self.config.faults
        if not faults.active or not scope["path"].startswith(faults.paths):
            await self.app(scope, receive, send_with_id)
            return
        burst, error, drop, slow, commit_drop = self._draws(faults)
        if self._burst_left > 0 or burst < faults.rate_limit_rate:
            self._burst_left = (self._burst_left or faults.rate_limit_burst) - 1
            retry = str(faults.rate_limit_retry_after).encode()
            await self._error(
                send, request_id, 429, "rate_limit_exceeded", "Too many requests (injected fault).", retry
            )
            return
        if error < faults.error_rate:
            await self._error(send, request_id, 500, "internal_error", "Internal server error (injected fault).")
            return
        if drop < faults.drop_rate:
            _drop(send)
            return
        if slow < faults.slow_rate:
            await asyncio.sleep(faults.slow_seconds)
        if commit_drop < faults.commit_then_drop_rate and scope["method"] == "POST":

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            _drop(send)
            return
        await self.app(scope, receive, send_with_id)

    @staticmethod
    async def _error(
        send: Send, request_id: str, status: int, code: str, message: str, retry_after: bytes | None = None
    ) -> None:
        body = json.dumps({"error": {"code": code, "message": message, "param": None, "doc_url": None}}).encode()
        extra = [(b"retry-after", retry_after)] if retry_after is not None else []
        headers = [*_json_headers(request_id, extra), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
