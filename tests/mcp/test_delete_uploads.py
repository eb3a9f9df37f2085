"""create_lipsync(delete_uploads=true): the uploads go when download_lipsync saves the finished job.

Whether an upload is gone is asked of the API (a sandbox standing in for HeyGen), not read from
the tool's message: the assets it holds are counted before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.mcp.conftest import CountingTransport, approved, check_output

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
CREATE = {"video_path": "talk.mp4", "audio_path": "dub.wav"}


def held_assets(upstream: EmbeddedSandbox) -> set[str]:
    """The ids of the assets the API holds now."""
    return {row["id"] for row in upstream.app.store._all("SELECT id FROM assets")}


async def _create_and_wait(client: Client, **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    arguments = await approved(client, "create_lipsync", {**CREATE, **extra})
    created = await check_output(client, "create_lipsync", await client.call_tool("create_lipsync", arguments))
    lipsync_id = created["lipsync_id"]
    waited = await check_output(
        client, "wait_for_lipsync", await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
    )
    assert waited["status"] == "completed"
    return created, waited


async def test_the_download_deletes_its_uploads_and_the_read_only_wait_never_does(
    paid_server: Make, upstream: EmbeddedSandbox
) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["wait_for_lipsync"].annotations.read_only_hint is True  # hosts run it unasked
        created, waited = await _create_and_wait(client, delete_uploads=True)
        assert "deleted by the download_lipsync call" in created["next_step"]
        assert len(held_assets(upstream)) == 2  # the wait deleted nothing
        assert "Deleted" not in waited["next_step"] and "download_lipsync also deletes" in waited["next_step"]
        lipsync_id = created["lipsync_id"]
        # The output video does not need the inputs: the download saves it, then deletes them.
        saved = await check_output(
            client, "download_lipsync", await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id})
        )
        assert Path(saved["video_path"]).stat().st_size > 0
        assert "Deleted its uploads from HeyGen" in saved["next_step"]
        assert held_assets(upstream) == set()


async def test_without_it_the_uploads_are_kept(paid_server: Make, upstream: EmbeddedSandbox) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        _, waited = await _create_and_wait(client)
        assert "Deleted" not in waited["next_step"]
    assert len(held_assets(upstream)) == 2  # the video and the audio, still held by the API
