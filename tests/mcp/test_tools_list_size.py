"""The tool list a model reads in every conversation: at most 25 KB, inputs validating as pydantic's, terse outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.server import MCPServer
from pydantic import TypeAdapter

from heygen_lipsync.config import Settings
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings

pytestmark = pytest.mark.anyio

# What the whole tool list may take of every conversation (issue: it was 61 KB, then 43.7 KB).
TOOLS_LIST_BUDGET = 25 * 1024

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


async def _tools_list_bytes(server: MCPServer[Any]) -> bytes:
    """The ``tools/list`` response as it goes over stdio: the JSON-RPC envelope around the listed tools.

    (The protocol's newest revision adds the server's name to every result: the same for every server.)
    """
    async with Client(server) as client:
        listed = await client.list_tools()
    tools = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]
    return json.dumps({"jsonrpc": "2.0", "id": 2, "result": {"tools": tools}}, separators=(",", ":")).encode()


@pytest.mark.parametrize("sandbox", [False, True])
async def test_the_whole_tool_list_fits_in_25_kb(tmp_path: Path, sandbox: bool) -> None:
    # The directories appear in the descriptions: a path of a usual length, as a user configures it.
    media = tmp_path / "media"
    settings = ServerSettings(allowed_dirs=(media,), output_dir=media / "out")
    library = Settings(api_key="k", base_url="http://127.0.0.1:9")
    server = build_server(settings, sandbox=sandbox, library_settings=library)
    wire = await _tools_list_bytes(server)
    assert len(json.loads(wire)["result"]["tools"]) == 20  # every tool is still there
    assert len(wire) <= TOOLS_LIST_BUDGET, f"tools/list is {len(wire)} bytes ({len(wire) / 1024:.1f} KB)"


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema.validators.validator_for(schema)(schema)


def _instances(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Objects that set one property at a time to each sample value (and the required ones to a string)."""
    base = {name: "ls_1" for name in schema.get("required", [])}
    return [{**base, name: value} for name in schema.get("properties", {}) for value in SAMPLES]


def test_compact_input_schemas_accept_and_refuse_exactly_what_pydantics_do(sandbox_server: MCPServer[Any]) -> None:
    checked = 0
    for tool in sandbox_server._by_name.values():  # type: ignore[attr-defined]
        original = tool.fn_metadata.arg_model.model_json_schema(by_alias=True)
        original["additionalProperties"] = False
        before, after = _validator(original), _validator(tool.parameters)
        for value in _instances(original):
            assert before.is_valid(value) == after.is_valid(value), (tool.name, value)
            checked += 1
    assert checked > 1000


def _field(schema: dict[str, Any], name: str) -> Any:
    """A validator of one top-level field of ``schema`` (its ``$defs`` kept, so references resolve)."""
    return _validator({"$defs": schema.get("$defs", {}), **schema["properties"][name]})


def test_terse_output_schemas_name_every_field_with_its_type_and_accept_every_result(
    sandbox_server: MCPServer[Any],
) -> None:
    checked = 0
    for tool in sandbox_server._by_name.values():  # type: ignore[attr-defined]
        original = TypeAdapter(tool.fn_metadata.output_model).json_schema()
        terse = tool.output_schema
        assert list(terse["properties"]) == list(original["properties"]), tool.name  # every field, in order
        assert "$defs" not in terse and "required" not in terse, tool.name  # nothing nested; every field is sent
        for name in original["properties"]:
            before, after = _field(original, name), _field(terse, name)
            for value in SAMPLES:
                if before.is_valid(value):  # a value the result model allows is never refused
                    assert after.is_valid(value), (tool.name, name, value)
                elif after.is_valid(value):  # only a nested object's or list's contents go undescribed
                    assert isinstance(value, dict | list), (tool.name, name, value)
                checked += 1
    assert checked > 1000
