"""The sandbox's HTTP API: every operation of the vendored spec, plus the URLs it hands out.

Routes under `/v3/` behave as HeyGen documents them. Routes under `/_sandbox/` are the
sandbox's own: stored assets, presigned outputs and upload URLs, and the admin
endpoints (`/_sandbox/faults`, `/_sandbox/info`).

This module only assembles the app. Who owns what:

- `routes/`: one module per resource (lipsyncs, batches, statuses, assets, `/_sandbox/`)
- `web`: authentication, JSON bodies, size limits, error pages
- `idempotency`: Idempotency-Key replay records
- `signing`: presigned URLs
- `cursors`: page tokens
- `scheduler`: when jobs start, and the worker that produces their outcomes
- `webhooks`: callback delivery
- `status`: a job's status, in both of HeyGen's vocabularies
- `store`: SQLite and files; `jobs`/`media`: producing an output
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from heygen_lipsync.sandbox import web
from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError
from heygen_lipsync.sandbox.faults import SandboxASGI
from heygen_lipsync.sandbox.jobs import SANDBOX_NOTE
from heygen_lipsync.sandbox.routes import build_routes

__all__ = ["SANDBOX_NOTE", "SandboxApp", "create_app"]


class SandboxApp:
    """State and routes of one sandbox; `asgi` is the app to serve, `store` its persistence."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.services = Services.build(config)
        self.store = self.services.store
        starlette = Starlette(
            routes=build_routes(self.services),
            exception_handlers={
                ApiError: web.api_error,
                HTTPException: web.http_error,
                ClientDisconnect: web.client_gone,
            },
            lifespan=self._lifespan,
        )
        self.asgi = SandboxASGI(starlette, config)
        self.asgi.sandbox = self

    def close(self) -> None:
        """Close the store (an in-memory sandbox also deletes its files)."""
        self.store.close()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with self.services.scheduler.running():
            yield


def create_app(config: SandboxConfig | None = None) -> SandboxASGI:
    """The sandbox as an ASGI app (for in-process tests with httpx.ASGITransport).

    The app keeps `config` (a mutable object: swap `config.faults` to change faults
    between requests). `app.sandbox` (a `SandboxApp`) gives access to the store; call
    `app.sandbox.close()` when done with an in-memory sandbox to delete its files.
    """
    return SandboxApp(config or SandboxConfig()).asgi
