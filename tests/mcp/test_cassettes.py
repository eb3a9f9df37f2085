"""The MCP tools replayed against the library's recorded cassettes (record mode "none": no network).

Each test makes, through the tools, the same requests as a recorded scenario
(tests/cassettes/scenarios.py) and checks the tool error a model would read.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
import vcr
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.config import Settings
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings
from tests.cassettes.scenarios import CASSETTE_DIR, SANDBOX_BASE_URL
from tests.mcp.conftest import error_of, preview, structured

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        not (CASSETTE_DIR / "sandbox" / "index.json").exists(),
        reason="no cassettes: python scripts/record_cassettes.py",
    ),
]


@pytest.fixture
def replayed(settings: ServerSettings) -> Callable[..., MCPServer[Any]]:
    def make(**changes: Any) -> MCPServer[Any]:
        return build_server(
            dataclasses.replace(settings, **changes),
            library_settings=Settings(api_key="replay-key", base_url=SANDBOX_BASE_URL, max_retries=0),
        )

    return make


def cassette(name: str) -> Any:
    return vcr.VCR(record_mode="none").use_cassette(str(CASSETTE_DIR / "sandbox" / f"{name}.yaml"))


async def test_unknown_id_is_not_found_with_the_request_id(replayed: Callable[..., MCPServer[Any]]):
    with cassette("error_404") as played:
        async with Client(replayed()) as client:
            error = error_of(await client.call_tool("get_lipsync", {"lipsync_id": "ls_does_not_exist_0000"}))
    assert played.all_played
    assert error["code"] == "not_found" and error["request_id"]
    assert "list_lipsyncs" in error["next_action"]


async def test_a_create_naming_an_unknown_asset_is_refused_before_the_user_is_asked(
    replayed: Callable[..., MCPServer[Any]],
):
    # The asset is looked up first: no preview (so no approval) for a job that cannot run, nothing uploaded.
    arguments = {"video_asset_id": "asset_does_not_exist", "audio_path": "dub.wav"}
    with cassette("asset_missing") as played:
        async with Client(replayed()) as client:
            error = error_of(await client.call_tool("create_lipsync", arguments))
    assert played.all_played
    assert error["code"] == "invalid_argument"
    assert error["param"] == "video_asset_id"  # the tool's argument, not the API's video.asset_id
    assert "Fix video_asset_id" in error["next_action"]


async def test_over_the_concurrency_cap_says_how_long_to_wait(replayed: Callable[..., MCPServer[Any]]):
    arguments = {"video_path": "talk.mp4", "audio_path": "dub.wav", "confirm_spend": True}
    with cassette("error_429") as played:
        async with Client(replayed()) as client:
            first = {**arguments, "title": "cassette 429 first"}
            first["approval_token"] = await preview(client, "create_lipsync", first)
            structured(await client.call_tool("create_lipsync", first))
            second = {**arguments, "title": "cassette 429 second"}
            second["approval_token"] = await preview(client, "create_lipsync", second)
            error = error_of(await client.call_tool("create_lipsync", second))
    assert played.all_played
    assert error["code"] == "rate_limit_exceeded"
    assert error["retry_after_seconds"] is not None and "wait" in error["next_action"]


async def test_a_failed_batch_item_gives_its_reason(replayed: Callable[..., MCPServer[Any]]):
    facts = json.loads((CASSETTE_DIR / "sandbox" / "index.json").read_text())["batch_failed_item"]["facts"]
    batch_id = facts["batch_id"]
    with cassette("batch_failed_item") as played:
        # The recording polled the batch until it finished: the last recorded read is the finished one.
        reads = sum(1 for request in played.requests if request.path == f"/v3/lipsyncs/batches/{batch_id}")
        async with Client(replayed()) as client:
            for _ in range(reads):
                batch = structured(await client.call_tool("get_lipsync_batch", {"batch_id": batch_id}))
    failed = [item for item in batch["items"] if item["status"] == "failed"]
    assert [item["error"]["message"] for item in failed] == [facts["item_error"]["message"]]
    assert failed[0]["error"]["code"] == "lipsync_failed"
