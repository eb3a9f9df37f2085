"""delete_lipsync and delete_asset never report a mistyped id as deleted: only what this install saw go is "gone"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.sandbox import EmbeddedSandbox
from heygen_lipsync.store import Ledger
from tests.mcp.conftest import CountingTransport, approved, check_output, error_of, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
ARGS = {"video_path": "talk.mp4", "audio_path": "dub.wav"}


@pytest.fixture
def ledger_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(path))
    return path


async def _create(client: Client) -> str:
    created = await client.call_tool("create_lipsync", await approved(client, "create_lipsync", ARGS))
    return str(structured(created)["lipsync_id"])


async def test_a_mistyped_id_is_not_found_and_nothing_claims_a_deletion(paid_server: Make, ledger_path: Path) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client)
        typo = lipsync_id[:-1] + ("x" if lipsync_id[-1] != "x" else "y")
        error = error_of(await client.call_tool("delete_lipsync", {"lipsync_id": typo}))
        still = structured(await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id}))
    assert error["code"] == "not_found" and error["param"] == "lipsync_id"
    assert typo in error["message"] and "nothing was deleted" in error["message"]
    assert "list_lipsyncs" in error["next_action"]
    assert still["lipsync"]["id"] == lipsync_id  # the real job is untouched


async def test_a_repeated_delete_of_a_job_deleted_here_is_already_gone(paid_server: Make, ledger_path: Path) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client)
        first = await check_output(
            client, "delete_lipsync", await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id})
        )
    assert first["already_gone"] is False
    record = Ledger.open(ledger_path).find_by_id(lipsync_id)  # type: ignore[union-attr]
    assert record is not None and record.status == "deleted"
    # Another server process on the same ledger (a client that starts one per call) knows it too.
    again_server, _ = paid_server()
    async with Client(again_server) as client:
        again = await check_output(
            client, "delete_lipsync", await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id})
        )
    assert again["already_gone"] is True and again["deleted_id"] == lipsync_id


async def test_a_job_made_here_but_deleted_elsewhere_is_not_found_and_says_so(
    paid_server: Make, ledger_path: Path, upstream: EmbeddedSandbox
) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client)
        async with httpx.AsyncClient(base_url=upstream.base_url, headers={"x-api-key": upstream.api_key}) as http:
            assert (await http.delete(f"/v3/lipsyncs/{lipsync_id}")).status_code == 200
        error = error_of(await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id}))
    assert error["code"] == "not_found" and error["param"] == "lipsync_id"
    assert "not deleted by this server" in error["message"] or "deleted elsewhere" in error["message"]


async def test_without_a_ledger_only_this_servers_own_deletes_are_already_gone(
    sandbox_server: MCPServer[Any],
) -> None:
    async with Client(sandbox_server) as client:
        created = await client.call_tool("create_lipsync", ARGS)
        lipsync_id = structured(created)["lipsync_id"]
        structured(await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id}))
        again = structured(await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id}))
        never = error_of(await client.call_tool("delete_lipsync", {"lipsync_id": "ls_never_made"}))
    assert again["already_gone"] is True
    assert never["code"] == "not_found"


async def test_an_asset_id_never_uploaded_is_not_found_and_a_repeat_delete_is_already_gone(
    paid_server: Make, ledger_path: Path
) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        asset_id = structured(await client.call_tool("upload_asset", {"path": "talk.mp4"}))["asset_id"]
        never = error_of(await client.call_tool("delete_asset", {"asset_id": asset_id + "x"}))
        structured(await client.call_tool("delete_asset", {"asset_id": asset_id}))
    again_server, _ = paid_server()  # another process on the same ledger
    async with Client(again_server) as client:
        again = structured(await client.call_tool("delete_asset", {"asset_id": asset_id}))
    assert never["code"] == "not_found" and never["param"] == "asset_id" and "nothing was deleted" in never["message"]
    assert again["already_gone"] is True
