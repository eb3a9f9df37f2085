"""A file named ``~dub.mp4`` in the allowed directory works in every file tool, with no traceback logged."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import structured

pytestmark = pytest.mark.anyio


async def test_upload_and_create_take_a_file_named_tilde_dub(
    sandbox_server: MCPServer[Any], workdir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copy(workdir / "talk.mp4", workdir / "~dub.mp4")
    with caplog.at_level(logging.DEBUG):
        async with Client(sandbox_server) as client:
            asset = structured(await client.call_tool("upload_asset", {"path": "~dub.mp4"}))
            job = structured(
                await client.call_tool("create_lipsync", {"video_path": "~dub.mp4", "audio_path": "dub.wav"})
            )
    assert asset["asset_id"] and job["lipsync_id"]
    assert not [r for r in caplog.records if r.exc_info], "a traceback reached the server's log"
