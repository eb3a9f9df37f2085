"""The review player's Apps extension: its ``ui://`` resource and CSP, and what its results carry.

The page plays what the structured content already holds (the job's ``video_url``,
``caption_url``, title, status, duration). Two things it cannot get by itself are added, for
clients that negotiated MCP Apps only, under ``_meta[PLAYER_META_KEY]`` (never in
``structuredContent``, so every tool keeps its outputSchema and a text-only client's result
is byte-for-byte what it was):

- the captions' text: the page cannot fetch it, HeyGen's file storage (and the sandbox's)
  sends no CORS headers, so the server reads the presigned SRT link once and hands it over;
- what HeyGen's job record lacks, when this install created the job: its mode, segment,
  create arguments (paths resolved) and source video, from the ledger (``sources.py``; a job
  made from ``video_path`` plays beside the asset uploaded from that file), or, with the
  ledger off, from what this server remembers of ``create_lipsync`` and ``upload_asset``. A
  source outside the CSP is left out, as the page could not load it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from mcp.server.apps import Apps, ResourceCsp, client_supports_apps
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolRequestParams, CallToolResult

from heygen_lipsync.errors import HeyGenError
from heygen_lipsync.mcp.player.listing import LIST_TOOLS, list_entries
from heygen_lipsync.mcp.player.sources import DEFAULT_MODE, batch_item_names, job_facts

__all__ = [
    "PLAYER_CSP",
    "PLAYER_META_KEY",
    "PLAYER_TOOLS",
    "PLAYER_URI",
    "PlayerApps",
    "bind_player",
    "player_html",
]

PLAYER_URI = "ui://heygen-lipsync/player.html"

PLAYER_TOOLS = frozenset({"get_lipsync", "wait_for_lipsync", "download_lipsync", *LIST_TOOLS})
"""The tools whose results the host renders in the player (a batch or a dub run as a list)."""

PLAYER_META_KEY = "heygen-lipsync/player"

# HeyGen hands out presigned links on its own file hosts (files.heygen.ai, resource.heygen.ai, ...);
# the sandbox serves its outputs on loopback. resourceDomains become the page's media-src.
HEYGEN_FILE_HOSTS = ("https://*.heygen.ai", "https://*.heygen.com")
LOOPBACK_HOSTS = ("http://127.0.0.1:*", "http://localhost:*")
PLAYER_CSP = ResourceCsp(resource_domains=[*HEYGEN_FILE_HOSTS, *LOOPBACK_HOSTS])

MAX_CAPTION_BYTES = 256 * 1024  # a long film's SRT is ~100 KB; anything bigger is not captions
CAPTION_TIMEOUT_SECONDS = 10.0
_REMEMBERED_JOBS = 1000  # per server process; the oldest are forgotten first
# create_lipsync's arguments that are not inputs of the job (a redo must not repeat them).
_NOT_INPUTS = frozenset({"confirm_spend", "approval_token", "idempotency_key", "new_job", "delete_uploads"})


def player_html() -> str:
    """The player page, shipped beside this module.

    Raises:
        OSError: the file is missing from the installation.
    """
    return (resources.files(__package__) / "player.html").read_text(encoding="utf-8")


def bind_player(tool: Tool) -> Tool:
    """Point ``tool`` at the player (``_meta.ui.resourceUri``) when it is one of ``PLAYER_TOOLS``."""
    if tool.name in PLAYER_TOOLS:
        tool.meta = {**(tool.meta or {}), "ui": {"resourceUri": PLAYER_URI}}
    return tool


def loadable(url: str | None) -> bool:
    """Whether the player's CSP lets the page load media from ``url``."""
    if not url:
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host.endswith(tuple(h.removeprefix("https://*") for h in HEYGEN_FILE_HOSTS)):
        return True
    return parts.scheme == "http" and host in ("127.0.0.1", "localhost")


class PlayerApps(Apps):
    """MCP Apps with the review player registered, adding the player's extras to Apps clients' results."""

    def __init__(self) -> None:
        super().__init__()
        self.add_html_resource(
            PLAYER_URI,
            player_html(),
            name="lipsync-player",
            title="Lipsync review player",
            description="Plays a lipsync job's dubbed video beside its source, with captions and next steps.",
            csp=PLAYER_CSP,
            prefers_border=True,
        )
        self._jobs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._assets: OrderedDict[str, str] = OrderedDict()
        self._batch_items: OrderedDict[str, tuple[str, int]] = OrderedDict()  # lipsync id -> (batch id, index)

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Remember what creates and uploads said; add the player's extras for Apps clients."""
        result = await call_next(ctx)
        if not isinstance(result, CallToolResult) or result.is_error or result.structured_content is None:
            return result
        content = result.structured_content
        self._remember(params.name, params.arguments or {}, content, ctx)
        if params.name not in PLAYER_TOOLS or not client_supports_apps(ctx):
            return result
        if params.name in LIST_TOOLS:
            names = await self._item_names(ctx, content) if content.get("batch_id") else []
            entries = await list_entries(params.name, content, _duration_reader(ctx), names=names)
            extras: dict[str, Any] = {"list": entries}
        else:
            extras = await self._extras(content, ctx)
        if not extras:
            return result
        return result.model_copy(update={"meta": {**(result.meta or {}), PLAYER_META_KEY: extras}})

    def _remember(
        self, tool: str, arguments: dict[str, Any], content: dict[str, Any], ctx: ServerRequestContext[Any, Any]
    ) -> None:
        if tool == "upload_asset" and content.get("asset_id") and content.get("url"):
            _put(self._assets, str(content["asset_id"]), str(content["url"]))
        elif tool == "create_lipsync" and content.get("lipsync_id"):
            # For when the ledger is off: what this create was given (the ledger's record otherwise).
            given = {k: v for k, v in arguments.items() if k not in _NOT_INPUTS and v is not None}
            first_dir = ctx.lifespan_context.files.allowed_dirs[0]
            for name in ("video_path", "audio_path"):
                if name in given and not str(given[name]).startswith("file:"):
                    given[name] = str(first_dir / str(given[name]))  # absolute paths are kept as they are
            source = given.get("video_url") or self._assets.get(str(given.get("video_asset_id")))
            known = {
                "source_video_url": source if loadable(source) else None,
                "source_video_path": given.get("video_path"),
                "mode": given.get("mode") or DEFAULT_MODE,
                "start_time": given.get("start_time"),
                "end_time": given.get("end_time"),
                "create_arguments": given,
            }
            _put(self._jobs, str(content["lipsync_id"]), {k: v for k, v in known.items() if v is not None})
        if tool in LIST_TOOLS and content.get("batch_id"):
            # Each item's place in its batch, so the item chosen in the list finds its inputs in the ledger.
            for item in content.get("items") or []:
                if isinstance(item, dict) and item.get("lipsync_id") and item.get("item_index") is not None:
                    where = (str(content["batch_id"]), int(item["item_index"]))
                    _put(self._batch_items, str(item["lipsync_id"]), where)

    async def _extras(self, content: dict[str, Any], ctx: ServerRequestContext[Any, Any]) -> dict[str, Any]:
        job = content.get("lipsync") or {}
        lipsync_id = str(job.get("id") or content.get("lipsync_id"))
        facts = None
        try:
            client = await ctx.lifespan_context.require_client()
            # A running job's page shows no video yet: its source's asset is read once the job is done.
            finished = job.get("status") == "completed" or "video_path" in content  # download_lipsync: done
            facts = await job_facts(
                client, lipsync_id, loadable, self._batch_items.get(lipsync_id), with_source=finished
            )
        except HeyGenError:
            pass  # no client: what this server remembers, if anything
        extras = dict(facts if facts is not None else self._jobs.get(lipsync_id, {}))
        if job.get("status") == "completed" and job.get("caption_url"):
            srt = await _fetch_captions(str(job["caption_url"]))
            if srt is not None:
                extras["captions_srt"] = srt
        return extras

    async def _item_names(self, ctx: ServerRequestContext[Any, Any], content: dict[str, Any]) -> list[str | None]:
        try:
            client = await ctx.lifespan_context.require_client()
            return await batch_item_names(client, str(content["batch_id"]))
        except HeyGenError:
            return []


def _duration_reader(ctx: ServerRequestContext[Any, Any]) -> Callable[[str], Awaitable[float | None]]:
    async def duration_of(lipsync_id: str) -> float | None:
        # The server's own client (built before the tool ran); the read is the same as get_lipsync's.
        client = await ctx.lifespan_context.require_client()
        return (await client.get(lipsync_id)).duration  # type: ignore[no-any-return]

    return duration_of


def _put(table: OrderedDict[str, Any], key: str, value: Any) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > _REMEMBERED_JOBS:
        table.popitem(last=False)


async def _fetch_captions(url: str) -> str | None:
    """The SRT behind a presigned link, or None (the player then says the captions did not load)."""
    import httpx  # only here: the server starts without the HTTP stack

    if urlsplit(url).scheme not in ("http", "https"):
        return None
    try:
        # A presigned link: no auth header goes with it, like the library's own downloads.
        async with (
            httpx.AsyncClient(timeout=CAPTION_TIMEOUT_SECONDS, follow_redirects=True) as http,
            http.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                return None
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_CAPTION_BYTES:
                    return None
    except httpx.HTTPError:
        return None
    return body.decode("utf-8", errors="replace")
