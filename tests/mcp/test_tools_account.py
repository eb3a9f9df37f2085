"""delete_asset and get_account, in-process against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import check_output, error_of

pytestmark = pytest.mark.anyio


async def test_delete_asset_deletes_an_upload_and_a_repeat_reports_it_gone(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        upload = await client.call_tool("upload_asset", {"path": "talk.mp4"})
        asset_id = (await check_output(client, "upload_asset", upload))["asset_id"]
        first = await check_output(client, "delete_asset", await _delete(client, asset_id))
        assert first["asset_id"] == asset_id and first["already_gone"] is False
        again = await check_output(client, "delete_asset", await _delete(client, asset_id))
        assert again["already_gone"] is True
        # The asset really is gone: a create from it is refused.
        refused = await client.call_tool(
            "create_lipsync", {"video_asset_id": asset_id, "audio_path": "dub.wav", "new_job": True}
        )
        assert asset_id in error_of(refused)["message"]


async def _delete(client: Client, asset_id: str) -> Any:
    return await client.call_tool("delete_asset", {"asset_id": asset_id})


async def test_delete_asset_refuses_a_malformed_id(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("delete_asset", {"asset_id": "../x"}))
        assert "asset_id" in error["message"]


async def test_get_account_shows_the_sandbox_wallet(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        data = await check_output(client, "get_account", await client.call_tool("get_account", {}))
    assert data["sandbox"] is True
    assert data["billing_type"] == "wallet"
    assert isinstance(data["remaining_balance"], float | int)
