"""The review player as an MCP client sees it: bound tools, the ui:// resource and its CSP, the results.

The page itself is tested in a real browser (tests/browser/test_player_browser.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.server import MCPServer
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from heygen_lipsync.mcp.player import PLAYER_META_KEY, PLAYER_URI
from heygen_lipsync.mcp.player.extension import loadable
from tests.mcp.conftest import structured

pytestmark = pytest.mark.anyio

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


async def sandbox_job(client: Client) -> tuple[str, str]:
    """A completed sandbox job with captions, made from an uploaded video; its id and the video's URL."""
    asset = structured(await client.call_tool("upload_asset", {"path": "talk.mp4"}))
    created = structured(
        await client.call_tool(
            "create_lipsync",
            {"video_asset_id": asset["asset_id"], "audio_path": "dub.wav", "mode": "speed"},
        )
    )
    lipsync_id = str(created["lipsync_id"])
    waited = structured(await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}))
    assert waited["status"] == "completed"
    return lipsync_id, str(asset["url"])


async def test_the_job_tools_point_at_the_player(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        bound = {name for name, tool in tools.items() if (tool.meta or {}).get("ui", {}).get("resourceUri")}
        assert bound == {
            "get_lipsync",
            "wait_for_lipsync",
            "download_lipsync",
            "get_lipsync_batch",
            "wait_for_lipsync_batch",
            "get_dub_run",
        }
        assert tools["get_lipsync"].meta == {"ui": {"resourceUri": PLAYER_URI}}


async def test_the_player_resource_is_an_mcp_app_with_a_media_csp(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        assert listed[PLAYER_URI].mime_type == APP_MIME_TYPE
        read = await client.read_resource(PLAYER_URI)
        (page,) = read.contents
        assert page.mime_type == APP_MIME_TYPE
        html = page.text  # type: ignore[union-attr]
        assert html.startswith("<!doctype html>") and "<script src" not in html  # self-contained
        csp = listed[PLAYER_URI].meta["ui"]["csp"]  # type: ignore[index]
        assert "https://*.heygen.ai" in csp["resourceDomains"]
        assert "http://127.0.0.1:*" in csp["resourceDomains"]


async def test_an_apps_client_gets_captions_source_and_mode_beside_the_result(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        lipsync_id, video_url = await sandbox_job(client)
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        extras = result.meta[PLAYER_META_KEY]  # type: ignore[index]
        assert extras["source_video_url"] == video_url
        assert extras["mode"] == "speed"
        assert "--> " in extras["captions_srt"] and "sandbox" in extras["captions_srt"]
        assert PLAYER_META_KEY not in structured(result)  # the outputSchema is untouched


async def test_a_client_without_apps_gets_todays_results(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server) as client:
        lipsync_id, _ = await sandbox_job(client)
        for tool in ("get_lipsync", "wait_for_lipsync"):
            result = await client.call_tool(tool, {"lipsync_id": lipsync_id})
            assert PLAYER_META_KEY not in (result.meta or {})
            assert structured(result)["lipsync"]["id"] == lipsync_id


async def sandbox_batch(client: Client) -> dict[str, Any]:
    """A finished sandbox batch of two titled items; wait_for_lipsync_batch's result."""
    asset = structured(await client.call_tool("upload_asset", {"path": "talk.mp4"}))
    item = {"video_asset_id": asset["asset_id"], "audio_path": "dub.wav"}
    created = structured(
        await client.call_tool(
            "create_lipsync_batch", {"items": [{**item, "title": "French"}, {**item, "title": "German"}]}
        )
    )
    waited = structured(await client.call_tool("wait_for_lipsync_batch", {"batch_id": created["batch_id"]}))
    assert not waited["still_running"]
    return waited


async def test_an_apps_client_gets_each_batch_item_with_its_title_status_and_duration(
    sandbox_server: MCPServer[Any],
) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        waited = await sandbox_batch(client)
        for tool in ("get_lipsync_batch", "wait_for_lipsync_batch"):
            result = await client.call_tool(tool, {"batch_id": waited["batch_id"]})
            listed = result.meta[PLAYER_META_KEY]["list"]  # type: ignore[index]
            assert [(i["title"], i["status"], i["playable"]) for i in listed] == [
                ("French", "completed", True),
                ("German", "completed", True),
            ]
            job = structured(await client.call_tool("get_lipsync", {"lipsync_id": listed[1]["lipsync_id"]}))
            assert listed[1]["duration"] == job["lipsync"]["duration"] > 0
            assert PLAYER_META_KEY not in structured(result)


async def test_an_apps_client_gets_each_dub_run_row_with_its_job(sandbox_server: MCPServer[Any]) -> None:
    items = [{"video_path": "talk.mp4", "audio_path": "dub.wav", "title": t} for t in ("fr", "de")]
    async with Client(sandbox_server, extensions=[APPS]) as client:
        started = structured(await client.call_tool("dub_many", {"items": items, "folder": "ep1"}))
        for _ in range(20):  # bounded: each call waits at most its timeout
            result = await client.call_tool("get_dub_run", {"run_id": started["run_id"], "timeout_seconds": 5})
            if not structured(result)["still_running"]:
                break
        listed = result.meta[PLAYER_META_KEY]["list"]  # type: ignore[index]
        assert [(i["status"], i["playable"]) for i in listed] == [("done", True), ("done", True)]
        assert all(i["lipsync_id"] and i["duration"] > 0 for i in listed)
        outputs = structured(result)["outputs"]
        assert [i["title"] for i in listed] == [Path(outputs[k]).name for k in sorted(outputs, key=int)]


async def test_a_client_without_apps_gets_todays_batch_results(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server) as client:
        waited = await sandbox_batch(client)
        result = await client.call_tool("get_lipsync_batch", {"batch_id": waited["batch_id"]})
        assert PLAYER_META_KEY not in (result.meta or {})
        assert [i["title"] for i in structured(result)["items"]] == ["French", "German"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://files.heygen.ai/out.mp4?sig=1", True),
        ("http://127.0.0.1:8123/_sandbox/outputs/a.mp4", True),
        ("https://evil.example/heygen.ai.mp4", False),
        ("http://files.heygen.ai/out.mp4", False),
        (None, False),
    ],
)
def test_only_urls_the_csp_allows_are_offered_as_source(url: str | None, expected: bool) -> None:
    assert loadable(url) is expected
