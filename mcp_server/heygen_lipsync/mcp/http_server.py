"""How the streamable-HTTP transport is served: uvicorn, closing clients that send too slowly.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) but waits forever for a
request's head and body: 200 clients trickling headers held 200 connections, and as many
file descriptors, indefinitely. ``TimelyH11Protocol`` gives every request a deadline, from
its first byte (or the connection's opening) until its body is complete; a client that
misses it is disconnected. JSON-RPC messages are small, so the deadline is short; a response
(a long SSE stream included) is not bound by it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["KEEP_ALIVE_SECONDS", "REQUEST_READ_SECONDS", "TimelyH11Protocol", "uvicorn_config"]

# From a request's first byte to the end of its body; a JSON-RPC message takes milliseconds.
REQUEST_READ_SECONDS = 10.0
# How long an idle connection is kept open between requests (uvicorn's default).
KEEP_ALIVE_SECONDS = 5

# The client still owes us the request's head (IDLE) or the rest of its body (SEND_BODY).
_READING = (h11.IDLE, h11.SEND_BODY)


class TimelyH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, disconnecting a client that takes too long to send a request."""

    request_read_seconds: float = REQUEST_READ_SECONDS
    _read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends anything is closed too

    def data_received(self, data: bytes) -> None:
        if self._read_deadline is None:
            self._arm()  # the next request on a kept-alive connection starts
        super().data_received(data)
        if self.conn.their_state not in _READING:
            self._disarm()  # the request is in (or the connection is ending)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.request_read_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if self.conn.their_state in _READING and not self.transport.is_closing():
            self.logger.info("closing a connection that sent its request too slowly")
            # The app (if it got the head) sees http.disconnect, as when a client goes away.
            self.transport.close()


def uvicorn_config(
    app: ASGIApp, *, host: str, port: int, log_level: str, request_read_seconds: float = REQUEST_READ_SECONDS
) -> uvicorn.Config:
    """uvicorn's configuration for the MCP HTTP transport (run it with ``uvicorn.Server(config).run()``).

    Raises:
        ValueError: ``request_read_seconds`` is not positive.
    """
    if not request_read_seconds > 0:
        raise ValueError(f"request_read_seconds must be positive, got {request_read_seconds!r}")
    protocol: type[Any] = type(
        "TimelyH11Protocol", (TimelyH11Protocol,), {"request_read_seconds": request_read_seconds}
    )
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # log_config=None: uvicorn's loggers go through ours, to stderr.
        log_config=None,
        log_level=log_level.lower(),
    )
