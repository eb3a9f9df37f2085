"""Bad arguments each give a clear tool error that names the argument."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import error_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("tool", "arguments", "param", "words"),
    [
        ("list_lipsyncs", {"limit": "lots"}, "limit", "valid integer"),
        ("list_lipsyncs", {"limit": 500}, "limit", "less than or equal to 100"),
        ("get_lipsync", {}, "lipsync_id", "missing required argument lipsync_id"),
        ("get_lipsync", {"lipsync_id": "../assets"}, "lipsync_id", "is a file path"),
        ("update_lipsync", {"lipsync_id": "ls_1", "title": 7}, "title", "valid string"),
        ("get_lipsync", {"lipsync_id": "ls_1", "verbose": True}, "verbose", "unknown argument(s) verbose"),
        (
            "create_lipsync",
            {"video_path": "talk.mp4", "audio_path": "dub.wav", "speed": 2},
            "speed",
            "unknown argument",
        ),
        ("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", "mode": "turbo"}, "mode", "'speed'"),
        (
            "create_lipsync",
            {"video_path": "talk.mp4", "video_url": "https://x.test/v.mp4", "audio_path": "dub.wav"},
            "video_path",
            "exactly one of video_url, video_asset_id, video_path: got video_url and video_path",
        ),
        ("create_lipsync", {"video_path": "talk.mp4"}, "audio_url", "exactly one of audio_url"),
        (
            "create_lipsync",
            {"video_url": "http://example.com/v.mp4", "audio_path": "dub.wav"},
            "video_url",
            "https",
        ),
        (
            "create_lipsync",
            {"video_path": "talk.mp4", "audio_path": "dub.wav", "start_time": 5, "end_time": 2},
            "end_time",
            "after start_time",
        ),
        ("create_lipsync", {"video_path": "dub.wav", "audio_path": "dub.wav"}, "video_path", "not a video"),
        (
            "create_lipsync",
            {"video_path": "talk.mp4", "audio_path": "dub.wav", "idempotency_key": "has space"},
            "idempotency_key",
            "pattern",
        ),
        ("create_lipsync_batch", {"items": []}, "items", "at least 1"),
        (
            "create_lipsync_batch",
            {"items": [{"video_path": "talk.mp4", "audio_path": "dub.wav", "colour": "red"}]},
            "items[0].colour",
            "unknown field items[0].colour",
        ),
        (
            "create_lipsync_batch",
            {"items": [{"video_path": "talk.mp4", "audio_path": "dub.wav"}, {"video_path": "talk.mp4"}]},
            "items[1].audio_url",
            "items[1].audio_url",
        ),
        (
            "create_lipsync",
            {"video_path": "https://cdn.example.com/talk.mp4", "audio_path": "dub.wav"},
            "video_path",
            "is a URL",
        ),
        ("create_lipsync", {"video_path": "talk.mp4", "audio_url": "dub.wav"}, "audio_url", "not one"),
        ("wait_for_lipsync", {"lipsync_id": "ls_1", "timeout_seconds": -1}, "timeout_seconds", "greater than 0"),
        ("download_lipsync", {"lipsync_id": "ls_1", "overwrite": "maybe"}, "overwrite", "valid boolean"),
    ],
)
async def test_bad_arguments_name_the_argument(
    sandbox_server: MCPServer[Any], tool: str, arguments: dict[str, Any], param: str, words: str
):
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool(tool, arguments))
    assert error["param"] == param
    assert words in error["message"]
    assert error["code"] in ("invalid_argument", "validation_error")
    assert "Traceback" not in error["message"] and "pydantic" not in error["message"]


async def test_input_schemas_refuse_unknown_arguments(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        for tool in (await client.list_tools()).tools:
            assert tool.input_schema.get("additionalProperties") is False, tool.name


async def test_an_unknown_tool_lists_the_tools_there_are(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("create_lipsinc", {}))
    assert error["code"] == "unknown_tool" and "'create_lipsinc'" in error["message"]
    assert "create_lipsync" in error["next_action"] and "wait_for_lipsync" in error["next_action"]


@pytest.mark.parametrize(
    ("tool", "arguments", "param", "hint"),
    [
        ("wait_for_lipsync", {"lipsync_id": "ls_nope"}, "lipsync_id", "list_lipsyncs"),
        ("download_lipsync", {"lipsync_id": "ls_nope"}, "lipsync_id", "list_lipsyncs"),
        ("get_lipsync_batch", {"batch_id": "lsb_nope"}, "batch_id", "create_lipsync_batch"),
    ],
)
async def test_an_unknown_id_names_the_id_argument(
    sandbox_server: MCPServer[Any], tool: str, arguments: dict[str, Any], param: str, hint: str
):
    async with Client(sandbox_server) as client:
        result = await client.call_tool(tool, arguments)
    error = error_of(result)
    assert error["code"] == "not_found" and error["param"] == param
    assert hint in error["next_action"]
    assert f"Argument: {param}." in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("arguments", "param", "advice"),
    [
        ({"video_path": "https://cdn.example.com/talk.mp4", "audio_path": "dub.wav"}, "video_path", "video_url"),
        ({"video_path": "talk.mp4", "audio_url": "dub.wav"}, "audio_url", "audio_path"),
    ],
)
async def test_a_source_in_the_wrong_kind_of_argument_says_which_one_to_use(
    sandbox_server: MCPServer[Any], arguments: dict[str, Any], param: str, advice: str
):
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("create_lipsync", arguments))
    assert error["param"] == param and advice in error["next_action"]
