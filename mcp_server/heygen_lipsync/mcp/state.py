"""What every tool shares: the lifespan state, the session key, the result and error wrappers."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import anyio
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ContentBlock, TextContent
from pydantic import BaseModel

from heygen_lipsync.mcp.batch_memory import BatchMemory
from heygen_lipsync.mcp.campaigns import Campaigns
from heygen_lipsync.mcp.errors import error_result
from heygen_lipsync.mcp.files import FileSandbox
from heygen_lipsync.mcp.session_cap import JobCounter
from heygen_lipsync.mcp.settings import ServerSettings

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient


__all__ = ["AppState", "guarded", "ok", "session_key", "state_of"]

_DEFAULT_SESSION = "default"


@dataclass
class AppState:
    """What the lifespan hands every tool.

    The client (and, under ``--sandbox``, the embedded sandbox) is built on first use, not at
    start-up: building an HTTPS client costs tens of milliseconds, and a client that cannot be
    built (no API key) must not stop the server from answering ``initialize``.
    """

    settings: ServerSettings
    files: FileSandbox
    jobs: JobCounter
    sandbox: bool
    secrets: tuple[str, ...]
    connect: Callable[[], Awaitable[AsyncLipsyncClient]]
    batches: BatchMemory = field(default_factory=BatchMemory)  # labels of the batches created here
    campaigns: Campaigns | None = None  # dub_many's background campaigns, cancelled by the lifespan
    # create_lipsync(delete_uploads=true): ids whose uploads go once wait/download sees the job finished.
    delete_uploads_when_finished: set[str] = field(default_factory=set)
    # The approval seal (jobs.approval.ApprovalSeal), made on first use from the store's secret.
    seal: Any = None
    # delete_lipsync's and delete_asset's successes, for "already gone" when the ledger is off.
    deleted_ids: set[str] = field(default_factory=set)
    _client: AsyncLipsyncClient | None = None
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    async def require_client(self) -> AsyncLipsyncClient:
        """The client, built on the first call.

        Raises:
            HeyGenError: the client cannot be built (e.g. no API key: a ConfigurationError saying what to set).
        """
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await self.connect()
        return self._client

    def client_if_built(self) -> AsyncLipsyncClient | None:
        """The client if it was built already (no network, no await)."""
        return self._client


def state_of(ctx: Context) -> AppState:
    """The lifespan state of the server handling this request."""
    return cast(AppState, ctx.request_context.lifespan_context)


def session_key(ctx: Context) -> str:
    """One job counter per MCP session: the HTTP session id the server issued, or the process.

    Stateless HTTP issues no session ids: a header there is whatever the client made up, so
    every call counts against the process's one counter (clients cannot dodge the cap).
    """
    if state_of(ctx).settings.stateless:
        return _DEFAULT_SESSION
    try:
        headers = ctx.headers
    except ValueError:
        return _DEFAULT_SESSION
    return (headers.get("mcp-session-id") if headers else None) or _DEFAULT_SESSION


def ok(result: BaseModel, *extra: ContentBlock) -> CallToolResult:
    """A successful result: the model as structuredContent, and as JSON text for text-only clients."""
    text = TextContent(type="text", text=result.model_dump_json(exclude_none=True))
    return CallToolResult(content=[text, *extra], structured_content=result.model_dump(mode="json"))


def guarded(fn: Callable[..., Awaitable[CallToolResult]]) -> Callable[..., Awaitable[CallToolResult]]:
    """Turn whatever a tool raises into a tool error (``errors.error_result``)."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> CallToolResult:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the one boundary where every failure becomes a tool error
            secrets: tuple[str, ...] = ()
            sandbox = False
            for value in kwargs.values():
                if isinstance(value, Context):
                    with suppress(ValueError, AttributeError):
                        secrets, sandbox = state_of(value).secrets, state_of(value).sandbox
            # HeyGen's 404 names no param; the tool's id argument is the one to check.
            id_arg = next((name for name in ("lipsync_id", "batch_id") if name in kwargs), None)
            return error_result(exc, tool=fn.__name__, secrets=secrets, not_found_param=id_arg, sandbox=sandbox)

    return wrapper
