"""Failures reach the model as tool errors with a code and a next action; never a traceback or a secret."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.client import AsyncLipsyncClient
from heygen_lipsync.config import Settings
from heygen_lipsync.errors import APIConnectionError, RateLimitError, WaitTimeoutError
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.errors import ERROR_META_KEY, error_result
from heygen_lipsync.mcp.settings import ServerSettings
from tests.mcp.conftest import error_of, output_schema, preview

pytestmark = pytest.mark.anyio

SECRET = "sk-live-do-not-leak-0123456789"


async def test_unexpected_exceptions_become_a_generic_message_and_a_log_line(
    sandbox_server: MCPServer[Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    async def explode(self: AsyncLipsyncClient, lipsync_id: str) -> None:
        raise RuntimeError(f"database password is {SECRET}")

    monkeypatch.setattr(AsyncLipsyncClient, "get", explode)
    with caplog.at_level(logging.ERROR, logger="heygen_lipsync.mcp"):
        async with Client(sandbox_server) as client:
            result = await client.call_tool("get_lipsync", {"lipsync_id": "ls_1"})
    error = error_of(result)
    assert error["code"] == "internal_error"
    assert SECRET not in str(result.model_dump()) and "Traceback" not in str(result.model_dump())
    assert "RuntimeError" not in str(result.model_dump())
    assert any(record.exc_info and SECRET in str(record.exc_info[1]) for record in caplog.records)


async def test_a_missing_api_key_says_what_to_set(settings: ServerSettings):
    server = build_server(settings, library_settings=Settings(base_url="https://api.heygen.com"))
    async with Client(server) as client:
        error = error_of(await client.call_tool("list_lipsyncs", {}))
    assert error["code"] == "configuration_error"
    assert "HEYGEN_API_KEY" in error["message"] and "--sandbox" in error["next_action"]


async def test_api_errors_keep_heygen_code_param_and_request_id(settings: ServerSettings, workdir: Path):
    upstream_rejected = await _call_rejected(settings)
    assert upstream_rejected["code"] == "unauthorized"
    assert "HEYGEN_API_KEY" in upstream_rejected["next_action"]
    assert upstream_rejected["request_id"]
    assert "bad-key-value" not in str(upstream_rejected)


def test_a_create_with_an_unknown_outcome_hands_the_model_its_idempotency_key():
    exc = APIConnectionError("could not reach the HeyGen API")
    exc.idempotency_key = "hl-0123abcd"  # set by the library when it generated the key itself
    result = error_result(exc, tool="create_lipsync")
    error = result.meta[ERROR_META_KEY]  # type: ignore[index]
    assert error["idempotency_key"] == "hl-0123abcd"
    assert "idempotency_key='hl-0123abcd'" in error["next_action"]
    assert "idempotency_key='hl-0123abcd'" in result.content[0].text  # type: ignore[union-attr]


def test_a_wait_that_gave_up_says_it_runs_on_and_names_the_tool_that_resumes_it():
    exc = WaitTimeoutError("ls_1", last_status="running", elapsed=61.2)
    error = error_result(exc, tool="wait_for_lipsync").meta[ERROR_META_KEY]  # type: ignore[index]
    assert error["code"] == "wait_timeout" and "still running, not failed" in error["message"]
    # The library's own wording names its Python call; a model can only call the tool.
    assert error["message"].endswith("resume with wait_for_lipsync(lipsync_id='ls_1')")


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("upload_asset", {"path": "talk.mp4"}),
        ("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", "confirm_spend": True}),
    ],
)
async def test_api_errors_during_uploads_keep_their_code(
    settings: ServerSettings, tool: str, arguments: dict[str, Any], caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.DEBUG):
        error = await _call_rejected(settings, tool, arguments)
    assert error["code"] == "unauthorized"
    assert "Traceback" not in caplog.text


async def _call_rejected(
    settings: ServerSettings, tool: str = "list_lipsyncs", arguments: dict[str, Any] | None = None
) -> dict[str, Any]:
    from heygen_lipsync.sandbox import EmbeddedSandbox

    with EmbeddedSandbox() as box:
        server = build_server(settings, library_settings=Settings(api_key="bad-key-value", base_url=box.base_url))
        async with Client(server) as client:
            if arguments and arguments.get("confirm_spend"):
                arguments = {**arguments, "approval_token": await preview(client, tool, arguments)}
            return error_of(await client.call_tool(tool, arguments or {}))


def test_rate_limits_say_how_long_to_wait_and_secrets_are_scrubbed():
    exc = RateLimitError(
        f"slow down {SECRET}", status_code=429, code="rate_limit_exceeded", retry_after=12, request_id="req_1"
    )
    result = error_result(exc, tool="create_lipsync", secrets=[SECRET])
    error = result.meta[ERROR_META_KEY]  # type: ignore[index]
    assert result.is_error
    assert error["code"] == "rate_limit_exceeded" and error["retry_after_seconds"] == 12
    assert "wait 12 s" in error["next_action"]
    assert SECRET not in str(result.model_dump())


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("create_lipsync", {"video_path": "talk.mp4"}),  # the tool body refuses it
        ("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", "colour": 1}),  # argument check
        ("wait_for_lipsync", {"lipsync_id": "ls_unknown"}),  # HeyGen's 404
        ("download_lipsync", {"lipsync_id": "ls_unknown", "filename": "../x.mp4"}),  # the file sandbox
    ],
)
async def test_errors_pass_a_strict_clients_output_schema_check(
    sandbox_server: MCPServer[Any], tool: str, arguments: dict[str, Any]
):
    # The TypeScript SDK (Claude Desktop, Claude Code) validates structuredContent against the
    # outputSchema whenever it is present, isError or not: a mismatch becomes a protocol error
    # and the model never sees the message. So errors carry none; code and next step are in
    # the text, and the error object in _meta for programs.
    async with Client(sandbox_server) as client:
        result = await client.call_tool(tool, arguments)
        schema = await output_schema(client, tool)
    assert result.is_error
    if result.structured_content is not None:
        jsonschema.validate(result.structured_content, schema)
    error = error_of(result)
    assert result.meta is not None and result.meta[ERROR_META_KEY] == error
    assert f"Error ({error['code']})" in result.content[0].text  # type: ignore[union-attr]
