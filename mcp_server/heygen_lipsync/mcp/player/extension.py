"""The review player's Apps extension: its ``ui://`` resource and CSP, and what its results carry.

The page plays what the structured content already holds (the job's ``video_url``,
``caption_url``, title, status, duration). Two things it cannot get by itself are added, for
clients that negotiated MCP Apps only, under ``_meta[PLAYER_META_KEY]`` (never in
``structuredContent``, so every tool keeps its outputSchema and a text-only client's result
is byte-for-byte what it was):

- the captions' text: the page cannot fetch it, HeyGen's file storage (and the sandbox's)
  sends no CORS headers, so the server reads the presigned SRT link once and hands it over;
- the job's source video and mode, when this server created the job: HeyGen's job record
  holds neither, so the extension remembers them from ``create_lipsync`` (and the asset URLs
  from ``upload_asset``) while the server runs. A source outside the CSP is left out, as the
  page could not load it.
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

from heygen_lipsync.mcp.player.listing import LIST_TOOLS, list_entries

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

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Remember what creates and uploads said; add the player's extras for Apps clients."""
        result = await call_next(ctx)
        if not isinstance(result, CallToolResult) or result.is_error or result.structured_content is None:
            return result
        content = result.structured_content
        self._remember(params.name, params.arguments or {}, content)
        if params.name not in PLAYER_TOOLS or not client_supports_apps(ctx):
            return result
        if params.name in LIST_TOOLS:
            extras: dict[str, Any] = {"list": await list_entries(params.name, content, _duration_reader(ctx))}
        else:
            extras = await self._extras(content)
        if not extras:
            return result
        return result.model_copy(update={"meta": {**(result.meta or {}), PLAYER_META_KEY: extras}})

    def _remember(self, tool: str, arguments: dict[str, Any], content: dict[str, Any]) -> None:
        if tool == "upload_asset" and content.get("asset_id") and content.get("url"):
            _put(self._assets, str(content["asset_id"]), str(content["url"]))
        elif tool == "create_lipsync" and content.get("lipsync_id"):
            source = arguments.get("video_url") or self._assets.get(str(arguments.get("video_asset_id")))
            known = {
                "source_video_url": source if loadable(source) else None,
                "mode": arguments.get("mode"),
                "start_time": arguments.get("start_time"),
                "end_time": arguments.get("end_time"),
            }
            _put(self._jobs, str(content["lipsync_id"]), {k: v for k, v in known.items() if v is not None})

    async def _extras(self, content: dict[str, Any]) -> dict[str, Any]:
        job = content.get("lipsync") or {}
        lipsync_id = job.get("id") or content.get("lipsync_id")
        extras = dict(self._jobs.get(str(lipsync_id), {}))
        if job.get("status") == "completed" and job.get("caption_url"):
            srt = await _fetch_captions(str(job["caption_url"]))
            if srt is not None:
                extras["captions_srt"] = srt
        return extras


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
