"""The MCP creates through the ledger: an identical create returns its job and takes no session slot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.mcp.conftest import CountingTransport, preview, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]


@pytest.fixture(autouse=True)
def _ledger(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(path))
    return path


async def _spend(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    token = await preview(client, tool, arguments)
    return structured(await client.call_tool(tool, {**arguments, "confirm_spend": True, "approval_token": token}))


def _jobs(box: EmbeddedSandbox) -> int:
    return len(box.app.store.list_jobs(10_000_000, None))


async def test_a_reused_create_takes_no_session_slot(paid_server: Make, upstream: EmbeddedSandbox) -> None:
    server, _ = paid_server(max_jobs_per_session=3)
    args = {"video_path": "talk.mp4", "audio_path": "dub.wav"}
    async with Client(server) as client:
        first = await _spend(client, "create_lipsync", args)
        again = structured(await client.call_tool("create_lipsync", args))  # nothing new to pay: no question
    assert first["reused"] is False and first["jobs_left_in_session"] == 2
    assert again["reused"] is True and again["lipsync_id"] == first["lipsync_id"]
    assert again["jobs_left_in_session"] == 2, "the earlier job was returned: nothing new to count"
    assert _jobs(upstream) == 1


async def test_batch_new_job_makes_another_batch_and_a_repeat_is_reused(
    paid_server: Make, upstream: EmbeddedSandbox
) -> None:
    server, _ = paid_server(max_jobs_per_session=10)
    args = {"items": [{"video_path": "talk.mp4", "audio_path": "dub.wav"}], "title": "fr"}
    async with Client(server) as client:
        first = await _spend(client, "create_lipsync_batch", args)
        again = structured(await client.call_tool("create_lipsync_batch", args))  # nothing new to pay: no question
        fresh = await _spend(client, "create_lipsync_batch", {**args, "new_job": True})
    assert again["batch_id"] == first["batch_id"] and again["reused"] is True
    assert again["jobs_left_in_session"] == 9
    assert fresh["batch_id"] != first["batch_id"] and fresh["reused"] is False
    assert fresh["jobs_left_in_session"] == 8
