"""create_lipsync(delete_uploads=true): the uploads go when a later call sees the job finished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import check_output

pytestmark = pytest.mark.anyio


async def test_the_download_deletes_its_uploads_and_the_read_only_wait_never_does(
    sandbox_server: MCPServer[Any], workdir: Path
):
    async with Client(sandbox_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["wait_for_lipsync"].annotations.read_only_hint is True  # hosts run it unasked
        created = await check_output(
            client,
            "create_lipsync",
            await client.call_tool(
                "create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", "delete_uploads": True}
            ),
        )
        assert "deleted by the download_lipsync call" in created["next_step"]
        lipsync_id = created["lipsync_id"]
        waited = await check_output(
            client, "wait_for_lipsync", await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        )
        assert waited["status"] == "completed"
        assert "Deleted" not in waited["next_step"] and "download_lipsync also deletes" in waited["next_step"]
        # The output video does not need the inputs: the download saves it, then deletes them.
        saved = await check_output(
            client, "download_lipsync", await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id})
        )
        assert Path(saved["video_path"]).stat().st_size > 0
        assert "Deleted its uploads from HeyGen" in saved["next_step"]


async def test_without_it_the_uploads_are_kept(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        created = await check_output(
            client,
            "create_lipsync",
            await client.call_tool("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav"}),
        )
        waited = await check_output(
            client,
            "wait_for_lipsync",
            await client.call_tool("wait_for_lipsync", {"lipsync_id": created["lipsync_id"]}),
        )
        assert "Deleted" not in waited["next_step"]
