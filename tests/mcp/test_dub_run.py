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


async def _finished(client: Client, run_id: str) -> dict[str, Any]:
    """get_dub_run until the run is over (bounded: each call waits at most its timeout)."""
    info: dict[str, Any] = {"still_running": True}
    for _ in range(20):
        info = await check_output(
            client, "get_dub_run", await client.call_tool("get_dub_run", {"run_id": run_id, "timeout_seconds": 5})
        )
        if not info["still_running"]:
            break
    return info


async def test_a_run_starts_at_once_and_lands_every_output_in_the_output_directory(
    sandbox_server: MCPServer[Any], workdir: Path
) -> None:
    async with Client(sandbox_server) as client:
        started = await check_output(
            client, "dub_many", await client.call_tool("dub_many", {"items": ITEMS, "folder": "ep4"})
        )
        assert started["rows"] == 3 and started["run_id"].startswith("dub_")
        info = await _finished(client, started["run_id"])
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


async def test_each_row_carries_the_estimate_the_preflight_priced_it_at(
    sandbox_server: MCPServer[Any], workdir: Path
) -> None:
    """The report and the run's totals say what each row costs, from the library preflight that priced the set."""
    import json

    async with Client(sandbox_server) as client:
        started = await check_output(
            client, "dub_many", await client.call_tool("dub_many", {"items": ITEMS, "folder": "priced"})
        )
        info = await _finished(client, started["run_id"])
    known = started["estimate"]["known_seconds"]
    assert known > 0
    report = [json.loads(line) for line in (workdir / "out" / "priced" / "dub-report.jsonl").read_text().splitlines()]
    assert sum(line["estimate_seconds"] for line in report) == pytest.approx(known, abs=0.01)
    assert info["totals"]["spent_seconds"] == pytest.approx(known, abs=0.01)
