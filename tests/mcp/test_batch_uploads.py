"""create_lipsync_batch with local files over 32 MB sends them as one upload batch (the library's batch create)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.jobs import upload_many
from heygen_lipsync.media import files
from tests.mcp.conftest import structured

pytestmark = pytest.mark.anyio


async def test_the_items_files_go_up_in_one_upload_batch(
    sandbox_server: MCPServer[Any], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the samples stand for files over 32 MB
    batches: list[list[str]] = []
    real = upload_many.upload_batch

    async def spy(http: Any, api: Any, batch: Any, **kwargs: Any) -> Any:
        batches.append([file.field for file in batch])
        return await real(http, api, batch, **kwargs)

    monkeypatch.setattr(upload_many, "upload_batch", spy)
    (workdir / "talk2.mp4").write_bytes((workdir / "talk.mp4").read_bytes() + b"\x00")
    items = [{"video_path": name, "audio_path": "dub.wav"} for name in ("talk.mp4", "talk2.mp4")]
    async with Client(sandbox_server) as client:
        created = structured(await client.call_tool("create_lipsync_batch", {"items": items}))
        waited = structured(await client.call_tool("wait_for_lipsync_batch", {"batch_id": created["batch_id"]}))
    assert waited["counts_by_status"].get("completed") == 2
    assert batches == [["lipsyncs[0].video", "lipsyncs[0].audio", "lipsyncs[1].video"]]
