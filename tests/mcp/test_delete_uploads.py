"""create_lipsync(delete_uploads=true): the uploads go when a later call sees the job finished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import check_output

pytestmark = pytest.mark.anyio


async def test_the_wait_that_sees_the_job_finished_deletes_its_uploads(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        created = await check_output(
            client,
            "create_lipsync",
            await client.call_tool(
                "create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", "delete_uploads": True}
            ),
        )
        assert "uploads are deleted once" in created["next_step"]
        lipsync_id = created["lipsync_id"]
        waited = await check_output(
            client, "wait_for_lipsync", await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        )
        assert waited["status"] == "completed"
        assert "Deleted its uploads from HeyGen" in waited["next_step"]
        again = await check_output(
            client, "wait_for_lipsync", await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        )
        assert "Deleted" not in again["next_step"]  # once
        # The output video does not need the inputs: it still downloads.
        saved = await check_output(
            client, "download_lipsync", await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id})
        )
        assert Path(saved["video_path"]).stat().st_size > 0


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
