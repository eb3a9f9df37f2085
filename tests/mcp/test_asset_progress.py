"""MCP progress while HeyGen still processes an uploaded file (the wait before it may be used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.media import files
from tests.mcp.conftest import check_output

pytestmark = pytest.mark.anyio


async def test_upload_asset_says_heygen_is_still_processing_the_file(
    sandbox_server: MCPServer[Any], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the direct upload, which HeyGen then processes
    seen: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, message))

    async with Client(sandbox_server) as client:
        result = await client.call_tool("upload_asset", {"path": "talk.mp4"}, progress_callback=on_progress)
        await check_output(client, "upload_asset", result)
    assert any("waiting for HeyGen to finish processing asset" in (message or "") for _, message in seen)
    values = [value for value, _ in seen]
    assert values == sorted(values) and len(set(values)) == len(values)  # MCP: progress always increases
