"""Read-only tools for HeyGen's folders and registered webhooks: check a folder id, see endpoints, event types, events.

Registering or changing endpoints is left to the CLI and the library: a model only reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from heygen_lipsync.mcp.inputs import ID_PATTERN
from heygen_lipsync.mcp.state import guarded, ok, state_of

__all__ = ["WEBHOOK_TOOLS", "FolderInfo", "WebhookPage", "get_folder", "list_webhook_endpoints"]

_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
Limit = Annotated[int | None, Field(default=None, ge=1, le=100, description="Page size.")]
Token = Annotated[str | None, Field(default=None, max_length=2000, description="next_token of the previous page.")]


class FolderInfo(BaseModel):
    """get_folder's result: HeyGen's folder fields."""

    folder: dict[str, Any]
    usable: bool = Field(description="False when the folder is in the trash: a create into it is refused.")
    next_step: str


class WebhookPage(BaseModel):
    """A page of endpoints, event types or events, in HeyGen's field names."""

    data: list[dict[str, Any]]
    next_token: str | None = None
    next_step: str


@guarded
async def get_folder(
    ctx: Context,
    folder_id: Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="A folder id.")],
) -> Annotated[CallToolResult, FolderInfo]:
    folder = await (await state_of(ctx).require_client()).get_folder(folder_id)
    step = "Pass it as folder_id to create_lipsync." if not folder.is_trash else "It is in the trash: use another."
    return ok(FolderInfo(folder=folder.to_dict(), usable=not folder.is_trash, next_step=step))


@guarded
async def list_webhook_endpoints(
    ctx: Context, limit: Limit = None, token: Token = None
) -> Annotated[CallToolResult, WebhookPage]:
    client = await state_of(ctx).require_client()
    endpoints, next_token = await client.list_webhook_endpoints(limit=limit, token=token)
    step = "Pass next_token for more." if next_token else "That is every endpoint."
    return ok(WebhookPage(data=[e.to_dict() for e in endpoints], next_token=next_token, next_step=step))


@guarded
async def list_webhook_event_types(ctx: Context) -> Annotated[CallToolResult, WebhookPage]:
    types = await (await state_of(ctx).require_client()).list_webhook_event_types()
    step = "list_webhook_events shows what HeyGen sent."
    return ok(WebhookPage(data=[t.to_dict() for t in types], next_step=step))


@guarded
async def list_webhook_events(
    ctx: Context,
    event_type: Annotated[str | None, Field(default=None, max_length=100, description="e.g. batch.finished.")] = None,
    entity_id: Annotated[str | None, Field(default=None, max_length=200, description="A batch id.")] = None,
    limit: Limit = None,
    token: Token = None,
) -> Annotated[CallToolResult, WebhookPage]:
    client = await state_of(ctx).require_client()
    events, next_token = await client.list_webhook_events(
        event_type=event_type, entity_id=entity_id, limit=limit, token=token
    )
    step = "A batch.finished event is a hint: confirm with get_lipsync_batch."
    return ok(WebhookPage(data=[e.to_dict() for e in events], next_token=next_token, next_step=step))


# name, function, title, annotations, description (as tools.TOOLS)
WEBHOOK_TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
    (
        "get_folder",
        get_folder,
        "Check a folder",
        _READ_ONLY,
        "Check that a folder_id names a usable HeyGen folder (not in the trash). Next: create_lipsync with folder_id.",
    ),
    (
        "list_webhook_endpoints",
        list_webhook_endpoints,
        "List webhook endpoints",
        _READ_ONLY,
        "List the webhook endpoints registered with HeyGen: URL, events, status; secrets are never shown.",
    ),
    (
        "list_webhook_event_types",
        list_webhook_event_types,
        "List webhook event types",
        _READ_ONLY,
        "List the event types HeyGen sends to registered endpoints; a batch's is batch.finished, none is per job.",
    ),
    (
        "list_webhook_events",
        list_webhook_events,
        "List webhook events",
        _READ_ONLY,
        "List events HeyGen sent, newest first, by event_type or entity_id (a batch id). Next: get_lipsync_batch.",
    ),
)
