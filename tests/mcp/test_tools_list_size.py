"""The tool list a model reads in every conversation: small, and its compact schemas validate as pydantic's did."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.server import MCPServer
from pydantic import TypeAdapter

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings

pytestmark = pytest.mark.anyio

# The tools that read and manage jobs (the create, batch and dub tools' schemas are measured on their own).
READ_AND_MANAGE = (
    "get_lipsync",
    "list_lipsyncs",
    "update_lipsync",
    "delete_lipsync",
    "wait_for_lipsync",
    "upload_asset",
    "download_lipsync",
    "get_lipsync_batch",
    "delete_asset",
    "get_account",
)
# They took 23.6 KB of every conversation before their schemas were compacted and their texts cut
# (scripts/bench/tools_list.py); a budget so that they do not creep back up.
READ_AND_MANAGE_BUDGET = 16 * 1024

SAMPLES: list[Any] = [None, "x", "ls_1", "", 0, 1, 2.5, -1, True, [], ["a"], [{}], {}, "speed", "precision", 101]


def _wire(tool: Any) -> bytes:
    return json.dumps(tool.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":")).encode()


async def test_the_read_and_manage_tools_fit_their_budget(settings: ServerSettings) -> None:
    async with Client(build_server(settings)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    size = sum(len(_wire(tools[name])) for name in READ_AND_MANAGE)
    assert size <= READ_AND_MANAGE_BUDGET, f"{size} bytes"
    listed = json.dumps([json.loads(_wire(t)) for t in tools.values()])
    assert '"title":"Lipsync Id"' not in listed and '{"type":"null"}' not in listed  # pydantic's padding is gone


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema.validators.validator_for(schema)(schema)


def _instances(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Objects that set one property at a time to each sample value (and the required ones to a string)."""
    base = {name: "ls_1" for name in schema.get("required", [])}
    return [{**base, name: value} for name in schema.get("properties", {}) for value in SAMPLES]


def test_compact_schemas_accept_and_refuse_exactly_what_pydantics_do(sandbox_server: MCPServer[Any]) -> None:
    checked = 0
    for tool in sandbox_server._by_name.values():  # type: ignore[attr-defined]
        original_input = tool.fn_metadata.arg_model.model_json_schema(by_alias=True)
        original_input["additionalProperties"] = False
        pairs = [(original_input, tool.parameters)]
        if tool.fn_metadata.output_model is not None:
            pairs.append((TypeAdapter(tool.fn_metadata.output_model).json_schema(), tool.output_schema))
        for original, compact in pairs:
            before, after = _validator(original), _validator(compact)
            for value in _instances(original):
                assert before.is_valid(value) == after.is_valid(value), (tool.name, value)
                checked += 1
    assert checked > 1000
