"""Fixtures for the MCP server's tests: a working directory with sample media, fast sandboxes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp_types import CallToolResult

from heygen_lipsync.config import Settings
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.errors import ERROR_META_KEY
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

FAST = SandboxConfig(pending_seconds=0.05, running_seconds=0.2)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The only directory the server may use: sample media inside, downloads to ./out."""
    root = tmp_path / "work"
    root.mkdir()
    shutil.copy(SAMPLE_VIDEO, root / "talk.mp4")
    shutil.copy(SAMPLE_AUDIO, root / "dub.wav")
    return root.resolve()


@pytest.fixture
def settings(workdir: Path) -> ServerSettings:
    return ServerSettings(allowed_dirs=(workdir,), output_dir=workdir / "out", poll_interval=0.05, wait_seconds=20)


@pytest.fixture
def sandbox_server(settings: ServerSettings) -> MCPServer[Any]:
    """The server under --sandbox: nothing is spent, no confirmation."""
    return build_server(settings, sandbox=FAST)


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts the requests that actually leave for the API and could spend.

    The preflight reads the account's balance (GET /v3/users/me) before it asks the user;
    that read spends nothing and is not counted, so "nothing was sent" still means no
    upload and no create.
    """

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not (request.method == "GET" and request.url.path == "/v3/users/me"):
            self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def upstream() -> Iterator[EmbeddedSandbox]:
    """A sandbox standing in for the real API, for the paid (non-sandbox) mode."""
    with EmbeddedSandbox(FAST) as box:
        yield box


@pytest.fixture
def paid_server(
    settings: ServerSettings, upstream: EmbeddedSandbox
) -> Callable[..., tuple[MCPServer[Any], CountingTransport]]:
    """A server in paid mode (spend gate on) pointed at ``upstream``, and its request counter.

    ``make(transport=...)`` puts another ``CountingTransport`` (one that injects faults) in between.
    """

    def make(transport: CountingTransport | None = None, **changes: Any) -> tuple[MCPServer[Any], CountingTransport]:
        import dataclasses

        counter = transport or CountingTransport()
        server = build_server(
            dataclasses.replace(settings, **changes),
            library_settings=Settings(api_key=upstream.api_key, base_url=upstream.base_url, max_retries=0),
            http_transport=counter,
        )
        return server, counter

    return make


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def error_of(result: CallToolResult) -> dict[str, Any]:
    """The error object of a tool error: in ``_meta``, never in structuredContent (see mcp/errors.py)."""
    assert result.is_error, result.content
    assert result.structured_content is None, "an error in structuredContent breaks the tool's outputSchema"
    assert result.meta is not None
    error: dict[str, Any] = result.meta[ERROR_META_KEY]
    text = result.content[0].text  # type: ignore[union-attr]
    assert error["message"] in text and "Next:" in text
    return error


async def preview(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    """Show a spend's preview (without elicitation the first call never spends); its approval token."""
    error = error_of(await client.call_tool(tool, {k: v for k, v in arguments.items() if k != "confirm_spend"}))
    assert error["code"] == "confirmation_required", error
    token: str = error["details"]["approval_token"]
    return token


async def approved(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments of the call that spends: previewed first, then with confirm_spend and the preview's token."""
    return {**arguments, "confirm_spend": True, "approval_token": await preview(client, tool, arguments)}


async def output_schema(client: Client, tool: str) -> dict[str, Any]:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    schema = tools[tool].output_schema
    assert schema is not None
    return schema


async def check_output(client: Client, tool: str, result: CallToolResult) -> dict[str, Any]:
    """The structured content matches the tool's advertised outputSchema, and the text carries it too."""
    data = structured(result)
    jsonschema.validate(data, await output_schema(client, tool))
    text = result.content[0].text  # type: ignore[union-attr]
    assert json.loads(text) == _drop_none(data)
    return data


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
