"""An id argument given something that is not an id (a URL, a path, words) is refused in words, naming the argument."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import error_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("tool", "argument", "value", "said"),
    [
        ("get_lipsync", "lipsync_id", "https://app.heygen.com/lipsync/ls_abc123", "is a URL"),
        ("delete_lipsync", "lipsync_id", "out/ls_abc123.mp4", "is a file path"),
        ("wait_for_lipsync", "lipsync_id", "the french one", "is not an id"),
        ("get_lipsync_batch", "batch_id", "https://app.heygen.com/batches/b_1", "is a URL"),
        ("delete_asset", "asset_id", "talk.mp4/", "is a file path"),
    ],
)
async def test_a_value_that_is_not_an_id_is_refused_in_words(
    sandbox_server: MCPServer[Any], tool: str, argument: str, value: str, said: str
) -> None:
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool(tool, {argument: value}))
    assert error["code"] == "invalid_argument" and error["param"] == argument
    assert error["message"].startswith(f"{argument} takes an id") and said in error["message"]
    assert value in error["message"]
    assert "pattern" not in error["message"] and "^[" not in error["message"]  # no regex for a model to decode
    assert "only the id" in error["next_action"] or "returned" in error["next_action"]


async def test_other_argument_errors_keep_their_wording(sandbox_server: MCPServer[Any]) -> None:
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("list_lipsyncs", {"limit": 0}))
    assert error["param"] == "limit" and "greater than or equal to 1" in error["message"]
