"""The dub_many / get_dub_run tools: one spend gate for the set, a background run, bounded waits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import CountingTransport, check_output, error_of

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
ITEMS = [
    {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "fr"},
    {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "de"},
    {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "es"},
]


async def test_a_run_starts_at_once_and_lands_every_output_in_the_output_directory(
    sandbox_server: MCPServer[Any], workdir: Path
) -> None:
    async with Client(sandbox_server) as client:
        started = await check_output(
            client, "dub_many", await client.call_tool("dub_many", {"items": ITEMS, "folder": "ep4"})
        )
        assert started["rows"] == 3 and started["run_id"].startswith("dub_")
        info: dict[str, Any] = {"still_running": True}
        for _ in range(20):  # bounded: each call waits at most its timeout
            info = await check_output(
                client,
                "get_dub_run",
                await client.call_tool("get_dub_run", {"run_id": started["run_id"], "timeout_seconds": 5}),
            )
            if not info["still_running"]:
                break
        assert not info["still_running"] and info["totals"]["done"] == 3 and not info["failures"]
        outputs = [Path(p) for p in info["outputs"].values()]
        assert len(outputs) == 3 and all(p.is_file() and p.parent == workdir / "out" / "ep4" for p in outputs)
        assert (workdir / "out" / "ep4" / "dub-report.jsonl").is_file()


async def test_without_confirmation_a_paid_run_is_refused_and_sends_nothing(paid_server: Make) -> None:
    server, counter = paid_server()
    async with Client(server) as client:
        error = error_of(await client.call_tool("dub_many", {"items": ITEMS}))
        assert error["param"] == "confirm_spend"
    assert not [r for r in counter.requests if r.method == "POST"]


async def test_an_unknown_run_says_how_to_resume(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("get_dub_run", {"run_id": "dub_nothing"}))
        assert error["param"] == "run_id" and "dub_many again" in error["next_action"]
