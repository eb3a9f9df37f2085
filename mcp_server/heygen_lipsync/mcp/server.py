"""``build_server()``: the heygen-lipsync MCP server, independent of the transport it runs on.

A lifespan owns one ``AsyncLipsyncClient`` (and the embedded sandbox under ``--sandbox``); the
tools are in ``tools.py``, their arguments' checks in ``inputs.py``, the creates' spending
gate in ``spending.py``. Every failure goes through ``errors.error_result``. Heavy imports
(the client, the generated package, PyAV, the sandbox) happen inside the lifespan and the
tools, so that the server starts about as fast as an empty one.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pydantic
from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp_types import (
    INVALID_PARAMS,
    CallToolResult,
    GetPromptResult,
    InputRequiredResult,
    ListResourcesResult,
    ListRootsRequest,
    ListRootsResult,
    PaginatedRequestParams,
)

from heygen_lipsync import __version__
from heygen_lipsync.errors import ConfigurationError, HeyGenError
from heygen_lipsync.mcp.batch_wait import BATCH_WAIT_TOOLS
from heygen_lipsync.mcp.campaigns import Campaigns
from heygen_lipsync.mcp.errors import ToolFailure, error_result
from heygen_lipsync.mcp.files import FileSandbox, root_dirs
from heygen_lipsync.mcp.inputs import argument_failure
from heygen_lipsync.mcp.media import MEDIA_TOOLS
from heygen_lipsync.mcp.player import PlayerApps, bind_player
from heygen_lipsync.mcp.prompts import dub_video
from heygen_lipsync.mcp.resources import job_resources, read_output_file, register_resources
from heygen_lipsync.mcp.schemas import compact_tool
from heygen_lipsync.mcp.session_cap import JobCounter
from heygen_lipsync.mcp.settings import ServerSettings, load_server_settings
from heygen_lipsync.mcp.state import AppState
from heygen_lipsync.mcp.tools import TOOLS
from heygen_lipsync.mcp.tools_account import ACCOUNT_TOOLS
from heygen_lipsync.mcp.tools_dub import DUB_TOOLS
from heygen_lipsync.mcp.tools_webhooks import WEBHOOK_TOOLS

if TYPE_CHECKING:
    import httpx

    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.config import Settings
    from heygen_lipsync.sandbox import SandboxConfig


__all__ = ["SERVER_NAME", "AppState", "build_server"]

logger = logging.getLogger("heygen_lipsync.mcp")

SERVER_NAME = "heygen-lipsync"


def _instructions(settings: ServerSettings, sandbox: bool) -> str:
    dirs = ", ".join(str(d) for d in settings.allowed_dirs)
    text = (
        "HeyGen Lipsync: re-animate a speaker's lips in a video to match new audio (dubbing).\n"
        "Workflow: (1) inputs: local files (video_path/audio_path; or upload_asset to reuse one), https URLs "
        "(video_url/audio_url) or asset ids; (2) create_lipsync returns a lipsync_id at once and costs the user's "
        "credits, so it is confirmed with the user first; (3) wait_for_lipsync, again while still_running is true "
        "(jobs take minutes; each call waits under a minute); (4) download_lipsync saves the MP4 and returns its "
        "path. Use get_lipsync/list_lipsyncs to look jobs up, the batch tools for many videos at once.\n"
        f"Files: the server reads and writes only inside: {dirs}. A relative path starts at the first of them "
        f"({settings.allowed_dirs[0]}): pass 'talk.mp4', not a path repeating that directory's name. list_media "
        f"lists the usable files. Downloads go to {settings.output_dir}.\n"
        f"Limits: at most {settings.max_jobs_per_session} paid jobs per session (batch items count); each wait "
        f"call waits at most {settings.max_wait_seconds:g} s (a longer timeout_seconds is cut, and the result "
        "says so). wait_for_lipsync_batch waits for a whole batch.\n"
        "Errors carry a code and a 'Next' line: follow it."
    )
    if sandbox:
        text += "\nSANDBOX MODE: a local imitation of HeyGen; nothing is spent and lips are not re-animated."
    return text


class _LipsyncServer(MCPServer[AppState]):
    """MCPServer whose argument errors name the argument and refuse unknown ones."""

    def __init__(self, *args: Any, tools: list[Tool], use_roots: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, tools=tools, **kwargs)
        self._by_name = {tool.name: tool for tool in tools}
        self._use_roots = use_roots  # no allowed directory configured: the client's roots decide

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tool = self._by_name.get(name)
        if tool is None:
            # The SDK's own "Unknown tool" error has no next step; say which names exist.
            unknown = ToolFailure(
                "unknown_tool",
                f"there is no tool named {name!r}",
                next_action="Call one of: " + ", ".join(self._by_name) + ".",
            )
            return error_result(unknown, tool=name)
        failure = argument_failure(tool, arguments)
        if failure is not None:
            return error_result(failure, tool=name)
        if self._use_roots and context is not None:
            roots = await _client_roots(context)
            if roots:
                state = context.request_context.lifespan_context
                with state.files.using_roots(roots):
                    return await super().call_tool(name, arguments, context)
        return await super().call_tool(name, arguments, context)

    async def _handle_list_resources(
        self, ctx: ServerRequestContext[AppState], params: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        # The ledger's recent jobs join the static resources (the SDK lists only registered ones).
        listed = await super()._handle_list_resources(ctx, params)
        return ListResourcesResult(resources=[*listed.resources, *await job_resources(ctx.lifespan_context)])

    async def read_resource(
        self, uri: Any, context: Context[AppState, Any] | None = None
    ) -> Iterable[ReadResourceContents] | InputRequiredResult:
        # download_lipsync's file:// links: any path, so no URI template; resources.py checks it.
        if context is not None and str(uri).startswith("file:"):
            return await read_output_file(str(uri), context)
        return await super().read_resource(uri, context)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[AppState, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        # The SDK reports a missing or invalid prompt argument as a plain error (code 0); a
        # client can only act on it as what it is: invalid params (-32602), naming the argument.
        try:
            return await super().get_prompt(name, arguments, context)
        except ValueError as exc:
            cause: BaseException | None = exc
            while cause is not None and not isinstance(cause, pydantic.ValidationError):
                cause = cause.__cause__  # the SDK wraps it twice
            if isinstance(cause, pydantic.ValidationError):
                detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in cause.errors())
                raise MCPError(INVALID_PARAMS, f"invalid arguments for prompt {name!r}: {detail}") from None
            if "Missing required arguments" in str(exc) or "Unknown prompt" in str(exc):
                raise MCPError(INVALID_PARAMS, str(exc)) from None
            raise


async def _client_roots(context: Context[AppState, Any]) -> tuple[Path, ...]:
    """The directories of the client's roots, when it offers the capability; () otherwise or on failure.

    Asked on every call (cheap, and a client may change its roots); a client that fails to
    answer leaves the configured default in place rather than failing the tool.
    """
    try:
        capabilities = context.client_capabilities
        if capabilities is None or capabilities.roots is None:
            return ()
        # Sent as part of this tool call (like an elicitation), so transports whose only way
        # back to the client is the call's own response stream can carry it. The capability is
        # deprecated in the protocol's next revision; clients of this one still offer it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            listed = await context.session.send_request(
                ListRootsRequest(),
                ListRootsResult,
                metadata=ServerMessageMetadata(related_request_id=context.request_id),
            )
    except Exception as exc:  # noqa: BLE001 - roots are a convenience; never fail a tool over them
        logger.info("the client's roots could not be read (%s); using the default directory", exc)
        return ()
    dirs = root_dirs(str(root.uri) for root in listed.roots)
    if not dirs and listed.roots:
        logger.info("none of the client's roots is a usable local directory (never /); using the default")
    return dirs


def build_server(
    settings: ServerSettings | None = None,
    *,
    sandbox: bool | SandboxConfig = False,
    library_settings: Settings | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> MCPServer[AppState]:
    """Build the MCP server; run it with any transport (``server.run()``, ``streamable_http_app()``, ...).

    Args:
        settings: the server's own settings; default from the environment.
        sandbox: run against an embedded sandbox (True, or a ``SandboxConfig``); nothing is spent.
        library_settings: the client's settings (API key, base URL, ...); default from the environment.
        http_transport: an httpx transport for the client (tests count requests with it).

    Raises:
        ConfigurationError: a setting is malformed.
    """
    server_settings = settings or load_server_settings()
    fmt = {
        "wait": server_settings.wait_seconds,
        "max_wait": server_settings.max_wait_seconds,
        "dirs": ", ".join(str(d) for d in server_settings.allowed_dirs),
        "output": str(server_settings.output_dir),
        "first_dir": str(server_settings.allowed_dirs[0]),
        "max_jobs": server_settings.max_jobs_per_session,
    }
    tools: list[Tool] = []
    for name, fn, title, hints, description in (
        *TOOLS,
        *BATCH_WAIT_TOOLS,
        *MEDIA_TOOLS,
        *DUB_TOOLS,
        *ACCOUNT_TOOLS,
        *WEBHOOK_TOOLS,
    ):
        text = description.format(**fmt)
        if sandbox is not False and name in ("create_lipsync", "create_lipsync_batch", "dub_many"):
            # The model reads this, not the instructions, when deciding to ask the user about money.
            text += " SANDBOX here: nothing is spent, no confirmation needed."
        tool = Tool.from_function(
            fn,
            name=name,
            title=title,
            description=text,
            # The title is said once, at the top level; annotations.title is the older place for the same text.
            annotations=hints,
            structured_output=True,
        )
        # Unknown arguments are refused (inputs.argument_failure); say so in the schema too.
        tool.parameters["additionalProperties"] = False
        # schemas.py: the same validation in fewer bytes; jobs, batches and dub runs render the player in Apps hosts.
        tools.append(bind_player(compact_tool(tool)))

    @asynccontextmanager
    async def lifespan(_server: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with AsyncExitStack() as stack:
            lib = library_settings
            try:
                from heygen_lipsync.config import resolve_settings

                lib = lib or resolve_settings()
                if sandbox is False and not lib.has_credentials and not lib.is_loopback:
                    lib.auth_headers()  # raises the ConfigurationError that says what to set
            except HeyGenError as exc:
                # Keep serving: every tool call then reports what to set (see connect()).
                logger.warning("the HeyGen client is not available: %s", exc)

            async def connect() -> AsyncLipsyncClient:
                from heygen_lipsync.client import AsyncLipsyncClient
                from heygen_lipsync.config import resolve_settings

                if sandbox is not False:
                    from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

                    try:
                        # Like the CLI's --sandbox: HEYGEN_LIPSYNC_SANDBOX_* settings, jobs kept between runs.
                        config = sandbox if isinstance(sandbox, SandboxConfig) else SandboxConfig.from_env()
                    except ValueError as exc:
                        raise ConfigurationError(str(exc)) from None
                    from heygen_lipsync.store import sandbox_ledger

                    box = await stack.enter_async_context(EmbeddedSandbox(config))
                    # The sandbox's own ledger, beside its data: sandbox jobs never mix with real ones.
                    client = AsyncLipsyncClient(
                        base_url=box.base_url,
                        api_key=box.api_key,
                        transport=http_transport,
                        ledger=sandbox_ledger(config.data_dir),
                        origin="sandbox",  # its data, not its port, is its identity
                    )
                else:
                    settings = library_settings or resolve_settings()
                    if not settings.has_credentials and not settings.is_loopback:
                        settings.auth_headers()  # the ConfigurationError that says what to set
                    client = AsyncLipsyncClient(settings=settings, transport=http_transport)
                return await stack.enter_async_context(client)

            secrets = tuple(s for s in (lib.api_key, lib.bearer_token) if s) if lib else ()
            if server_settings.mcp_token:
                secrets += (server_settings.mcp_token,)
            logger.info(
                "heygen-lipsync MCP server ready (%s); files limited to %s",
                "sandbox" if sandbox is not False else (lib.base_url if lib else "unconfigured"),
                fmt["dirs"],
            )
            runs = Campaigns()
            try:
                yield AppState(
                    settings=server_settings,
                    files=FileSandbox(server_settings.allowed_dirs, server_settings.output_dir),
                    jobs=JobCounter(server_settings.max_jobs_per_session),
                    sandbox=sandbox is not False,
                    secrets=secrets,
                    connect=connect,
                    campaigns=runs,
                )
            finally:
                await runs.aclose()  # before the stack closes the client the runs use

    server = _LipsyncServer(
        SERVER_NAME,
        title="HeyGen Lipsync",
        instructions=_instructions(server_settings, sandbox is not False),
        version=__version__,
        tools=tools,
        use_roots=not server_settings.allowed_dirs_configured,
        lifespan=lifespan,
        extensions=[PlayerApps()],
        # Nothing here sends resource updates or list changes: advertising subscriptions/listen
        # (which the 2026-07-28 capabilities read as "subscribe") would promise notifications never sent.
        subscriptions=False,
        log_level=cast(Any, server_settings.log_level),
    )
    # validate_call: a mode of 'fast' is refused (-32602, see get_prompt), not pasted into the text.
    register_resources(server)
    server.prompt(name="dub_video", title="Dub a video")(pydantic.validate_call(dub_video))
    return server
