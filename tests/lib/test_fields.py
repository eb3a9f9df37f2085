"""The create request's fields come from one table, and a spec change reaches every front-end.

The drill regenerates the client from a changed copy of the vendored spec into a temporary
package and runs the CLI, the MCP server and the library against it in a subprocess: a field
HeyGen adds must be a flag, a tool argument and a sent field, a new mode value must be
accepted, and a field HeyGen removes must be gone everywhere, with no hand edit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

# The fields every front-end takes beyond the request's own (not request fields), and the
# one deliberate exception of the table: video/audio flattened per front-end.
CLI_OWN = {"ctx", "data", "idempotency_key", "new", "wait", "timeout", "poll_interval", "download", "overwrite",
           "delete_uploads", "request_schema", "response_schema", "yes", "dry_run"}  # fmt: skip
MCP_OWN = {"idempotency_key", "confirm_spend", "new_job", "approval_token", "delete_uploads"}
FLATTENED = {f"{kind}_{how}" for kind in ("video", "audio") for how in ("url", "asset_id", "path")}


def _cli_fields() -> set[str]:
    import typer.main

    from heygen_lipsync.cli import app

    command = typer.main.get_command(app)
    create = command.get_command(None, "create")  # type: ignore[attr-defined,arg-type]
    return {param.name for param in create.params} - CLI_OWN


def _unflatten(names: set[str]) -> set[str]:
    sources = {name.split("_", 1)[0] for name in names & FLATTENED}
    return (names - FLATTENED) | sources


@pytest.mark.anyio
async def test_every_front_end_takes_exactly_the_generated_models_fields() -> None:
    from mcp import Client

    from heygen_lipsync.mcp import build_server
    from heygen_lipsync.request import LipsyncRequest
    from heygen_lipsync_api.models import CreateLipsyncRequest

    generated = {a.name for a in attrs.fields(CreateLipsyncRequest)}
    assert set(LipsyncRequest.field_names()) == generated
    assert _cli_fields() == generated
    async with Client(build_server(sandbox=True)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    create = set(tools["create_lipsync"].input_schema["properties"]) - MCP_OWN
    item = set(tools["create_lipsync_batch"].input_schema["$defs"]["BatchItemInput"]["properties"])
    assert _unflatten(create) == generated
    assert _unflatten(item) == generated
    # Each source is offered in all three forms, in both tools.
    assert create & FLATTENED == FLATTENED and item & FLATTENED == FLATTENED


def test_the_table_says_what_the_spec_says() -> None:
    from heygen_lipsync.fields import LOCAL_RULES, request_fields

    table = {f.name: f for f in request_fields()}
    assert table["mode"].choices == ("speed", "precision")
    assert table["mode"].default == "speed"
    assert table["enable_dynamic_duration"].kind == "bool" and table["enable_dynamic_duration"].default is True
    assert table["start_time"].kind == "number" and table["start_time"].minimum == 0
    assert table["video"].is_source and table["video"].required
    # Every local rule names a field the spec has (a rule for a removed field would be dead).
    assert set(LOCAL_RULES) <= set(table)


PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    import httpx
    from typer.testing import CliRunner
    from heygen_lipsync.cli import app
    from heygen_lipsync.config import Settings
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.errors import ValidationError
    from heygen_lipsync.request import LipsyncRequest
    from mcp import Client
    from heygen_lipsync.mcp import build_server
    from heygen_lipsync.mcp.errors import ERROR_META_KEY
    import heygen_lipsync_api

    out = {"generated_from": heygen_lipsync_api.__file__}
    out["help"] = CliRunner().invoke(app, ["create", "--help"], env={"COLUMNS": "200"}).stdout
    sent = []

    def handler(request):
        if request.method == "POST" and request.url.path == "/v3/lipsyncs":
            sent.append(json.loads(request.content))
            return httpx.Response(200, json={"data": {"lipsync_id": f"ls_{len(sent)}"}})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no"}})

    async def main():
        request = LipsyncRequest(video="https://example.com/v.mp4", audio="https://example.com/a.wav",
                                 background_color="#102030", mode="ultra").validate()
        async with AsyncLipsyncClient(api_key="k", base_url="https://api.example.com",
                                 transport=httpx.MockTransport(handler)) as client:
            await client.create(request)
        try:
            LipsyncRequest(video="https://example.com/v.mp4", audio="https://example.com/a.wav", folder_id="f")
            out["removed_accepted"] = True
        except ValidationError as exc:
            out["removed_accepted"] = False
            out["removed_error"] = str(exc)
        server = build_server(sandbox=True)
        async with Client(server) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        create = tools["create_lipsync"].input_schema["properties"]
        out["mcp_create"] = sorted(create)
        out["mcp_background"] = create.get("background_color", {}).get("description")
        out["mcp_mode"] = json.dumps(create.get("mode"))
        item = tools["create_lipsync_batch"].input_schema["$defs"]["BatchItemInput"]["properties"]
        out["mcp_item"] = sorted(item)
        server = build_server(library_settings=Settings(api_key="k", base_url="https://api.example.com"),
                              http_transport=httpx.MockTransport(handler))
        async with Client(server) as client:
            arguments = {"video_url": "https://example.com/v.mp4", "audio_url": "https://example.com/a.wav",
                         "background_color": "#405060", "mode": "ultra"}
            shown = await client.call_tool("create_lipsync", arguments)  # the preview: spends nothing
            token = shown.meta[ERROR_META_KEY]["details"]["approval_token"]
            result = await client.call_tool("create_lipsync", {**arguments, "confirm_spend": True,
                                                               "approval_token": token})
        out["mcp_result"] = result.structured_content
        out["sent"] = sent

    asyncio.run(main())
    print(json.dumps(out))
    """
)


def _changed_spec(tmp_path: Path) -> Path:
    spec = yaml.safe_load((ROOT / "openapi" / "heygen-lipsync.yaml").read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["CreateLipsyncRequest"]["properties"]["background_color"] = {
        "type": "string",
        "description": "Background colour behind the speaker, as #RRGGBB",
    }
    del schemas["CreateLipsyncRequest"]["properties"]["folder_id"]
    schemas["VideoTranslationMode"]["enum"].append("ultra")
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_spec_update_drill_reaches_every_front_end(tmp_path: Path) -> None:
    package = tmp_path / "generated" / "heygen_lipsync_api"
    regen = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "regenerate.py"),
            "--spec",
            str(_changed_spec(tmp_path)),
            "--target",
            str(package),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert regen.returncode == 0, regen.stderr
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package.parent), str(ROOT / "mcp_server")])}
    env.pop("HEYGEN_API_KEY", None)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False, env=env, cwd=tmp_path
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    out: dict[str, Any] = json.loads(probe.stdout.strip().splitlines()[-1])
    assert Path(out["generated_from"]).parent == package

    # CLI: the new field is a flag with the spec's description; the removed one is gone.
    help_text = " ".join(out["help"].split())
    assert "--background-color" in help_text
    assert "Background colour behind the speaker, as #RRGGBB" in help_text
    assert "--folder-id" not in help_text

    # MCP: create_lipsync and the batch items take the new field, not the removed one; the new mode is allowed.
    for names in (out["mcp_create"], out["mcp_item"]):
        assert "background_color" in names and "folder_id" not in names
    assert out["mcp_background"].startswith("Background colour behind the speaker")
    assert "ultra" in out["mcp_mode"]

    # Library and MCP: the new field and mode are sent; the removed field is refused by name.
    assert out["sent"][0]["background_color"] == "#102030" and out["sent"][0]["mode"] == "ultra"
    assert out["sent"][1]["background_color"] == "#405060" and out["sent"][1]["mode"] == "ultra"
    assert out["mcp_result"]["lipsync_id"] == "ls_2"
    assert out["removed_accepted"] is False and "folder_id" in out["removed_error"]
