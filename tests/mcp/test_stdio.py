"""The real command over stdio, driven by the SDK's stdio client, against --sandbox."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client import stdio as stdio_module
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.mcp.conftest import structured

pytestmark = pytest.mark.anyio

FAKE_KEY = "hg-test-key-must-never-appear-7f3a9c"


async def test_stdio_create_wait_download(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lines: list[str] = []
    parse = stdio_module._parse_line

    def spy(line: str) -> Any:
        lines.append(line)
        return parse(line)

    monkeypatch.setattr(stdio_module, "_parse_line", spy)
    problems: list[BaseException] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, BaseException):
            problems.append(message)

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "heygen_lipsync.mcp", "--sandbox", "--allowed-dir", str(workdir), "--log-level", "DEBUG"],
        env={
            "HEYGEN_API_KEY": FAKE_KEY,
            "HEYGEN_LIPSYNC_SANDBOX_DIR": str(tmp_path / "sandbox"),
            "HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "0.05",
            "HEYGEN_LIPSYNC_SANDBOX_RUNNING_SECONDS": "0.2",
        },
        cwd=str(workdir),
    )
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), message_handler=on_message) as client:
            assert client.server_info is None or client.server_info.name == "heygen-lipsync"
            assert "wait_for_lipsync" in (client.instructions or "")
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert {"create_lipsync", "wait_for_lipsync", "download_lipsync", "create_lipsync_batch"} <= names

            created = structured(
                await client.call_tool("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav"})
            )
            lipsync_id = created["lipsync_id"]
            waited: dict[str, Any] = {"still_running": True}
            for _ in range(20):
                waited = structured(
                    await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id, "timeout_seconds": 10})
                )
                if not waited["still_running"]:
                    break
            assert waited["status"] == "completed"
            saved = structured(await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id}))

    assert Path(saved["video_path"]).parent == workdir
    assert Path(saved["video_path"]).stat().st_size > 0
    assert problems == []
    assert lines, "nothing was read from the server's stdout"
    for line in lines:
        message = json.loads(line)
        assert message.get("jsonrpc") == "2.0", line
    stderr = stderr_path.read_text()
    assert "ready" in stderr  # logs went to stderr
    assert FAKE_KEY not in "".join(lines) + stderr
