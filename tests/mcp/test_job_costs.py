"""What did my jobs cost? Each job's mode and cost, and the spend of the last 24 hours, as a model reads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import CountingTransport, approved, check_output

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]


async def test_a_finished_job_says_its_mode_and_billed_cost_and_the_account_sums_the_day(
    paid_server: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(tmp_path / "ledger.sqlite3"))
    server, _ = paid_server()
    arguments = {"video_path": "talk.mp4", "audio_path": "dub.wav", "mode": "precision"}
    async with Client(server) as client:
        created = await check_output(
            client,
            "create_lipsync",
            await client.call_tool("create_lipsync", await approved(client, "create_lipsync", arguments)),
        )
        running = await check_output(
            client, "get_lipsync", await client.call_tool("get_lipsync", {"lipsync_id": created["lipsync_id"]})
        )
        waited = await check_output(
            client,
            "wait_for_lipsync",
            await client.call_tool("wait_for_lipsync", {"lipsync_id": created["lipsync_id"]}),
        )
        account = await check_output(client, "get_account", await client.call_tool("get_account", {}))
    job = waited["lipsync"]
    assert job["mode"] == "precision"
    if running["lipsync"]["status"] != "completed":
        assert running["lipsync"]["cost_basis"] == "estimate" and running["lipsync"]["cost_usd"] == pytest.approx(0.201)
    assert job["cost_basis"] == "billed"
    assert job["cost_usd"] == pytest.approx(job["duration"] * 0.067, abs=0.001)  # the precision rate
    assert account["jobs_last_24h"] == 1 and account["spent_last_24h_usd"] == pytest.approx(0.201)
