"""The ledger's jobs and the downloaded files as MCP resources, through the SDK's in-memory client."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError

from tests.mcp.conftest import CountingTransport, preview, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
ARGS = {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "french cut"}


@pytest.fixture(autouse=True)
def _ledger(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(tmp_path / "ledger.sqlite3"))


async def _create(client: Client) -> str:
    token = await preview(client, "create_lipsync", ARGS)
    created = await client.call_tool("create_lipsync", {**ARGS, "confirm_spend": True, "approval_token": token})
    return str(structured(created)["lipsync_id"])


async def test_each_job_is_a_resource_listed_and_read_with_its_status_refreshed(paid_server: Make) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client)
        templates = (await client.list_resource_templates()).resource_templates
        assert "lipsync://jobs/{job_id}" in {t.uri_template for t in templates}
        listed = {str(r.uri): r for r in (await client.list_resources(cache_mode="bypass")).resources}
        uri = f"lipsync://jobs/{lipsync_id}"
        assert listed[uri].title == "french cut" and listed[uri].mime_type == "application/json"
        structured(await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}))
        (content,) = (await client.read_resource(uri)).contents
        job = json.loads(content.text)  # type: ignore[union-attr]
    assert job["lipsync_id"] == lipsync_id and job["title"] == "french cut"
    assert job["status"] == "completed" and job["remote"]["status"] == "completed"
    assert job["inputs"]["video"].endswith("talk.mp4")


async def test_a_job_not_in_the_ledger_is_an_error_naming_what_to_use(paid_server: Make) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        with pytest.raises(MCPError, match=r"not in the job ledger.*get_lipsync"):
            await client.read_resource("lipsync://jobs/ls_nothere")


async def test_subscribe_is_not_advertised(paid_server: Make) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        resources = client.server_capabilities.resources
    assert resources is not None and not resources.subscribe


async def test_download_links_are_served_as_blobs_and_nothing_outside_the_output_dir(
    paid_server: Make, workdir: Path
) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client)
        structured(await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}))
        saved = await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id})
        links = [block for block in saved.content if block.type == "resource_link"]
        assert links, saved.content
        (content,) = (await client.read_resource(str(links[0].uri))).contents
        assert content.mime_type == "video/mp4"
        video = Path(structured(saved)["video_path"])
        assert base64.b64decode(content.blob) == video.read_bytes()  # type: ignore[union-attr]
        with pytest.raises(MCPError, match="outside the output directory"):
            await client.read_resource((workdir / "talk.mp4").as_uri())  # allowed to read, not a download
        (workdir / "out" / "escape.mp4").symlink_to(workdir / "talk.mp4")
        with pytest.raises(MCPError, match=r"cannot be read|outside the output directory"):
            await client.read_resource((workdir / "out" / "escape.mp4").as_uri())
