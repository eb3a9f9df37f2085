"""wait_for_lipsync_batch with HEYGEN_LIPSYNC_CALLBACK_LISTEN: the delivery ends the wait, not the next round."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SandboxConfig
from tests.mcp.conftest import error_of, structured

pytestmark = pytest.mark.anyio

SLOW = SandboxConfig(pending_seconds=0.05, running_seconds=2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _batch(client: Client, callback_url: str | None) -> str:
    asset = structured(await client.call_tool("upload_asset", {"path": "talk.mp4"}))
    item = {"video_asset_id": asset["asset_id"], "audio_path": "dub.wav"}
    arguments: dict[str, Any] = {"items": [item]}
    if callback_url:
        arguments["callback_url"] = callback_url
    return str(structured(await client.call_tool("create_lipsync_batch", arguments))["batch_id"])


async def test_the_delivery_ends_the_wait(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("HEYGEN_LIPSYNC_CALLBACK_LISTEN", address)
    # Rounds 60 s apart (at most 10 s once capped): only the delivery ends the wait within seconds.
    settings = ServerSettings(allowed_dirs=(workdir,), output_dir=workdir / "out", poll_interval=60, wait_seconds=60)
    async with Client(build_server(settings, sandbox=SLOW)) as client:
        batch_id = await _batch(client, f"http://{address}/heygen-callback")
        started = time.monotonic()
        waited = structured(await client.call_tool("wait_for_lipsync_batch", {"batch_id": batch_id}))
    assert not waited["still_running"] and waited["counts_by_status"] == {"completed": 1}
    assert time.monotonic() - started < 7.5


async def test_a_bad_setting_is_a_clear_error(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_CALLBACK_LISTEN", "not-an-address")
    settings = ServerSettings(allowed_dirs=(workdir,), output_dir=workdir / "out", poll_interval=0.05)
    async with Client(build_server(settings, sandbox=SLOW)) as client:
        error = error_of(await client.call_tool("wait_for_lipsync_batch", {"batch_id": "lsb_123"}))
    assert "HEYGEN_LIPSYNC_CALLBACK_LISTEN" in error["message"] and "HOST:PORT" in error["message"]
