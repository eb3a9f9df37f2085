"""Elicitation answers the gate cannot use, and the approval token: none of them spends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitRequestParams, ElicitResult

from tests.mcp.conftest import CountingTransport, check_output, error_of, preview

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
LOCAL = {"video_path": "talk.mp4", "audio_path": "dub.wav"}
PREVIEWED = "<the token of the preview shown>"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_empty_accept_is_a_tool_error_with_a_next_action(paid_server: Make, mode: str):
    server, upstream = paid_server()

    async def empty(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        return ElicitResult(action="accept")

    async with Client(server, elicitation_callback=empty, mode=mode) as client:
        error = error_of(await client.call_tool("create_lipsync", LOCAL))
        assert error["code"] == "elicitation_failed"
        assert "no answer" in error["message"] and "Nothing was created" in error["message"]
        assert "_ask_before" not in error["message"]  # no internal function named
        assert "ask them whether to go ahead" in error["next_action"]
        assert upstream.requests == []
        # The fallback is the token flow: the user agreed in the conversation, the model carries the token.
        token = error["details"]["approval_token"]
        created = await client.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True, "approval_token": token})
        await check_output(client, "create_lipsync", created)
    assert len(creates(upstream)) == 1


async def test_an_elicitation_answered_with_a_json_rpc_error_is_a_tool_error(paid_server: Make):
    server, upstream = paid_server()

    async def broken(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        raise MCPError(code=-32603, message="the client's form crashed")

    # Mid-call (legacy) is the protocol where the client answers the question with a JSON-RPC error.
    async with Client(server, elicitation_callback=broken, mode="legacy") as client:
        result = await client.call_tool("create_lipsync_batch", {"items": [LOCAL]})
    error = error_of(result)
    assert error["code"] == "elicitation_failed"
    assert "with an error" in error["message"] and "Nothing was created" in error["message"]
    assert "ask them whether to go ahead" in error["next_action"]
    assert upstream.requests == []


def creates(upstream: CountingTransport) -> list[str]:
    return [r.url.path for r in upstream.requests if r.method == "POST" and r.url.path.startswith("/v3/lipsyncs")]


async def test_the_first_call_previews_and_only_the_call_with_its_token_spends(paid_server: Make):
    server, upstream = paid_server()
    async with Client(server) as client:
        first = error_of(await client.call_tool("create_lipsync", LOCAL))
        assert first["code"] == "confirmation_required" and upstream.requests == []
        # The preflight and the estimate are data, not only words in the message.
        assert first["details"]["estimate"]["estimated_usd"] == 0.1
        assert first["details"]["preflight"]["items"][0]["output_seconds"] == 3.0
        token = first["details"]["approval_token"]
        assert token.startswith("apv1.")  # sealed by the server: no client can forge or widen one
        created = await client.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True, "approval_token": token})
        data = await check_output(client, "create_lipsync", created)
    assert data["lipsync_id"]
    assert creates(upstream) == ["/v3/lipsyncs"]


@pytest.mark.parametrize(
    "spend",
    [
        {"confirm_spend": True},  # the same arguments again, without the token
        {"confirm_spend": True, "approval_token": "apv1.made_up.token"},
        {"approval_token": PREVIEWED},
    ],
)
async def test_a_spend_without_the_previews_token_is_refused(paid_server: Make, spend: dict[str, Any]):
    server, upstream = paid_server()
    async with Client(server) as client:
        token = await preview(client, "create_lipsync", LOCAL)
        if spend.get("approval_token") == PREVIEWED:
            spend = {"approval_token": token}
        error = error_of(await client.call_tool("create_lipsync", {**LOCAL, **spend}))
    # A made-up token is "approval_invalid"; the rest are previews again. Each carries a new token.
    assert error["code"] == ("approval_invalid" if "made_up" in str(spend) else "confirmation_required")
    assert "approval_token=" in error["next_action"] and error["details"]["approval_token"] != token
    assert upstream.requests == []


async def test_confirm_spend_on_a_first_call_is_refused_and_a_token_from_other_arguments_too(paid_server: Make):
    server, upstream = paid_server()
    async with Client(server) as client:
        first = error_of(await client.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True}))
        assert first["code"] == "confirmation_required"
        assert "needs the approval_token of a preview" in first["message"]
        token = first["details"]["approval_token"]
        other = {**LOCAL, "mode": "precision", "confirm_spend": True, "approval_token": token}
        error = error_of(await client.call_tool("create_lipsync", other))
    assert error["code"] == "approval_mismatch"
    assert "issued for other jobs" in error["message"]
    assert upstream.requests == []


async def test_an_uploaded_assets_probe_is_returned_and_prices_a_later_create(paid_server: Make):
    server, upstream = paid_server()
    async with Client(server) as client:
        result = await client.call_tool("upload_asset", {"path": "dub.wav"})
        uploaded = await check_output(client, "upload_asset", result)
        media = uploaded["media"]
        assert media["has_audio"] is True and media["has_video"] is False
        assert media["duration_seconds"] == pytest.approx(3.0, abs=0.05)
        arguments = {"video_path": "talk.mp4", "audio_asset_id": uploaded["asset_id"]}
        error = error_of(await client.call_tool("create_lipsync", arguments))
    assert error["code"] == "confirmation_required"
    assert error["details"]["estimate"]["estimated_usd"] == 0.1  # priced from the remembered probe
    assert creates(upstream) == []
