"""The read-only folder and webhook tools, and enable_caption's deprecation in the create tools' schemas."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp.tools_webhooks import WEBHOOK_TOOLS
from heygen_lipsync.sandbox import EmbeddedSandbox

from .conftest import error_of, structured

pytestmark = pytest.mark.anyio


async def test_the_tools_are_read_only_and_short(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    for name, *_ in WEBHOOK_TOOLS:
        hints = tools[name].annotations
        assert hints is not None and hints.read_only_hint is True and hints.destructive_hint is False, name
        assert len(tools[name].description or "") <= 160, name


async def test_a_folder_is_checked_and_a_missing_one_is_a_not_found(
    paid_server: Any, upstream: EmbeddedSandbox
) -> None:
    server, _ = paid_server()
    with httpx.Client(base_url=upstream.base_url, headers={"x-api-key": upstream.api_key}) as http:
        folder = http.post("/v3/folders", json={"name": "Dubs"}).json()["data"]
    async with Client(server) as client:
        found = structured(await client.call_tool("get_folder", {"folder_id": folder["folder_id"]}))
        missing = error_of(await client.call_tool("get_folder", {"folder_id": "fld_missing"}))
    assert found["usable"] is True and found["folder"]["name"] == "Dubs"
    assert missing["code"] == "not_found"


async def test_endpoints_event_types_and_events_are_listed(paid_server: Any, upstream: EmbeddedSandbox) -> None:
    server, _ = paid_server()
    with httpx.Client(base_url=upstream.base_url, headers={"x-api-key": upstream.api_key}) as http:
        http.post("/v3/webhooks/endpoints", json={"url": "https://hooks.example/mcp"})
    async with Client(server) as client:
        endpoints = structured(await client.call_tool("list_webhook_endpoints", {}))
        types = structured(await client.call_tool("list_webhook_event_types", {}))
        events = structured(await client.call_tool("list_webhook_events", {"event_type": "batch.finished"}))
        bad = error_of(await client.call_tool("list_webhook_events", {"event_type": "lipsync.success"}))
    assert "https://hooks.example/mcp" in [e["url"] for e in endpoints["data"]]
    assert all(e["secret"] is None for e in endpoints["data"])
    assert "batch.finished" in [t["event_type"] for t in types["data"]]
    assert events["data"] == [] or events["data"][0]["event_type"] == "batch.finished"
    assert bad["code"] == "validation_error"


async def test_enable_caption_is_marked_deprecated_in_the_create_tool(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    prop = tools["create_lipsync"].input_schema["properties"]["enable_caption"]
    assert prop.get("deprecated") is True
    assert "Deprecated and ignored by HeyGen" in prop["description"]


async def test_a_create_into_a_missing_folder_tells_the_model_to_check_it(sandbox_server: MCPServer[Any]) -> None:
    arguments = {"video_path": "talk.mp4", "audio_path": "dub.wav", "folder_id": "fld_nowhere"}
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("create_lipsync", arguments))
    assert error["code"] == "not_found" and error["param"] == "folder_id"
    assert "get_folder" in error["next_action"]
