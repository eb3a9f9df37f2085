"""What a client sees before calling anything: tools, annotations, schemas, instructions."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp.results import BatchInfo, BatchItemInfo, FromLibrary, LipsyncInfo, LipsyncList, UploadInfo
from heygen_lipsync.models import Asset, Batch, BatchItem, Lipsync, LipsyncPage

pytestmark = pytest.mark.anyio

TOOLS = {
    "create_lipsync",
    "get_lipsync",
    "list_lipsyncs",
    "update_lipsync",
    "delete_lipsync",
    "wait_for_lipsync",
    "wait_for_lipsync_batch",
    "list_media",
    "upload_asset",
    "download_lipsync",
    "create_lipsync_batch",
    "get_lipsync_batch",
    "dub_many",
    "get_dub_run",
    "delete_asset",
    "get_account",
    "get_folder",
    "list_webhook_endpoints",
    "list_webhook_event_types",
    "list_webhook_events",
}
READ_ONLY = {
    "get_lipsync",
    "list_lipsyncs",
    "wait_for_lipsync",
    "get_lipsync_batch",
    "wait_for_lipsync_batch",
    "list_media",
    "get_dub_run",
    "get_account",
    "get_folder",
    "list_webhook_endpoints",
    "list_webhook_event_types",
    "list_webhook_events",
}


async def test_every_tool_has_a_title_a_description_explicit_annotations_and_an_output_schema(
    sandbox_server: MCPServer[Any],
):
    async with Client(sandbox_server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for name, tool in tools.items():
        assert tool.title, name
        assert tool.description and len(tool.description) > 80, name
        hints = tool.annotations
        assert hints is not None, name
        for hint in ("read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint"):
            assert getattr(hints, hint) is not None, f"{name}.{hint} left to the client's default"
        assert hints.read_only_hint is (name in READ_ONLY), name
        assert hints.open_world_hint is (name != "list_media"), name  # list_media only reads local files
        assert tool.output_schema is not None and tool.output_schema["type"] == "object", name
        assert "next_step" in tool.output_schema["properties"], name

    assert tools["create_lipsync"].annotations.destructive_hint is False  # type: ignore[union-attr]
    assert tools["create_lipsync"].annotations.idempotent_hint is False  # type: ignore[union-attr]
    assert tools["delete_lipsync"].annotations.destructive_hint is True  # type: ignore[union-attr]
    assert "wait_for_lipsync" in (tools["create_lipsync"].description or "")
    assert "download_lipsync" in (tools["wait_for_lipsync"].description or "")


async def test_create_lipsync_takes_every_create_field_flattened(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    properties = set(tools["create_lipsync"].input_schema["properties"])
    fields = {
        "title", "mode", "callback_url", "callback_id", "enable_caption", "keep_the_same_format",
        "enable_dynamic_duration", "disable_music_track", "enable_speech_enhancement", "enable_watermark",
        "start_time", "end_time", "fps_mode", "folder_id",
    }  # fmt: skip
    sources = {f"{kind}_{how}" for kind in ("video", "audio") for how in ("url", "asset_id", "path")}
    options = {"idempotency_key", "confirm_spend", "new_job", "approval_token", "delete_uploads"}
    assert properties == fields | sources | options
    assert "required" not in tools["create_lipsync"].input_schema  # sources are checked: exactly one of each


async def test_instructions_describe_the_workflow(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        text = client.instructions or ""
    steps = ["upload_asset", "create_lipsync", "wait_for_lipsync", "download_lipsync"]
    assert [text.index(step) for step in steps] == sorted(text.index(step) for step in steps)
    assert "SANDBOX" in text


async def test_batch_and_dub_items_take_create_lipsyncs_fields_described_there_once(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    create = tools["create_lipsync"].input_schema["properties"]
    for tool in ("create_lipsync_batch", "dub_many"):
        schema = tools[tool].input_schema
        item = schema["$defs"]["BatchItemInput"]["properties"]
        assert set(item) == set(create) - {
            "idempotency_key",
            "confirm_spend",
            "approval_token",
            "new_job",
            "delete_uploads",
        }
        for name, field in item.items():
            # The same types and checks as create_lipsync's argument; its description is said there, once.
            assert field == {k: v for k, v in create[name].items() if k != "description"}, (tool, name)
            assert create[name].get("description"), f"create_lipsync's {name} has no description"
        assert "create_lipsync" in schema["properties"]["items"]["description"], tool
    # The field that sets the billed length says so.
    assert "per second of output" in create["enable_dynamic_duration"]["description"]


async def test_every_argument_has_a_short_description(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        tools = (await client.list_tools()).tools
    for tool in tools:
        for name, schema in tool.input_schema.get("properties", {}).items():
            description = schema.get("description") or ""
            assert description, f"{tool.name}.{name} has no description"
            assert len(description) <= 200, f"{tool.name}.{name}: {len(description)} characters"
    # The paying tools' spend arguments point at create_lipsync, which explains them; confirm_spend says its rule.
    by_name = {tool.name: tool.input_schema["properties"] for tool in tools}
    for name in ("create_lipsync_batch", "dub_many"):
        assert by_name[name]["approval_token"]["description"] == "As in create_lipsync."
        assert "ONLY after telling the user the estimated cost" in by_name[name]["confirm_spend"]["description"]


async def test_wait_says_its_default_and_warns_before_raising_the_bound(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    description = tools["wait_for_lipsync"].description or ""
    assert "default 20 s" in description and "at most 600 s" in description  # the fixture's settings
    assert "60 s" in description  # the usual client timeout, before a model raises timeout_seconds


@pytest.mark.parametrize(
    ("model", "library"),
    [
        (LipsyncInfo, Lipsync),
        (LipsyncList, LipsyncPage),
        (UploadInfo, Asset),
        (BatchInfo, Batch),
        (BatchItemInfo, BatchItem),
    ],
)
def test_result_models_show_every_field_the_library_reports(model: type[FromLibrary], library: type[Any]):
    # The models are filled by name from the library's objects (FromLibrary.of): a field the
    # library gains must reach the model's output schema too, not be dropped on the way.
    fields = {f.name for f in dataclasses.fields(library)} - {"extra"}  # unknown API fields, kept by the library
    assert fields <= set(model.model_fields), sorted(fields - set(model.model_fields))
