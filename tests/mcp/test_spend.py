"""The spending gate: nothing reaches HeyGen until the user has approved the estimated cost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp.server import MCPServer
from mcp_types import ElicitRequestParams, ElicitResult

from tests.mcp.conftest import CountingTransport, approved, check_output, error_of

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
LOCAL = {"video_path": "talk.mp4", "audio_path": "dub.wav"}


async def test_without_elicitation_create_requires_confirm_spend_and_sends_nothing(paid_server: Make):
    server, upstream = paid_server()
    async with Client(server) as client:
        error = error_of(await client.call_tool("create_lipsync", LOCAL))
        assert error["code"] == "confirmation_required"
        assert error["param"] == "confirm_spend"
        # The 3 s sample at the default $0.033/s.
        assert "$0.10" in error["message"] and "3.0 s" in error["message"]
        assert "ask" in error["next_action"] and "confirm_spend=true" in error["next_action"]
        assert upstream.requests == []

        token = error["details"]["approval_token"]
        created = await client.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True, "approval_token": token})
        data = await check_output(client, "create_lipsync", created)
        assert data["sandbox"] is False
        assert data["estimate"]["estimated_usd"] == 0.1
        assert upstream.requests, "the confirmed create never reached the API"


async def test_confirm_spend_description_tells_the_model_to_ask_the_user(paid_server: Make):
    server, _ = paid_server()
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    for name in ("create_lipsync", "create_lipsync_batch"):
        description = tools[name].input_schema["properties"]["confirm_spend"]["description"]
        assert "ONLY after telling the user the estimated cost" in description


async def test_precision_mode_uses_the_configured_precision_rate(paid_server: Make):
    server, upstream = paid_server(rate_precision=1.0)
    async with Client(server) as client:
        error = error_of(await client.call_tool("create_lipsync", {**LOCAL, "mode": "precision"}))
    assert "$3.00" in error["message"] and "precision" in error["message"]
    assert upstream.requests == []


async def test_remote_audio_gives_an_unknown_cost_but_still_needs_confirmation(paid_server: Make):
    server, upstream = paid_server()
    async with Client(server) as client:
        error = error_of(
            await client.call_tool(
                "create_lipsync", {"video_path": "talk.mp4", "audio_url": "https://cdn.example.com/fr.mp3"}
            )
        )
    assert error["code"] == "confirmation_required"
    assert "unknown" in error["message"] and "$0.033" in error["message"]
    assert upstream.requests == []


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_with_elicitation_the_user_is_asked_and_their_yes_creates(paid_server: Make, mode: str):
    server, upstream = paid_server()
    asked: list[str] = []

    async def approve(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        assert upstream.requests == [], "a request left before the user answered"
        return ElicitResult(action="accept", content={"approve": True})

    async with Client(server, elicitation_callback=approve, mode=mode) as client:
        data = await check_output(client, "create_lipsync", await client.call_tool("create_lipsync", LOCAL))
    assert len(asked) == 1
    assert "$0.10" in asked[0] and "Start it?" in asked[0]
    assert data["estimate"]["estimated_usd"] == 0.1
    assert upstream.requests


@pytest.mark.parametrize(
    "answer", [ElicitResult(action="decline"), ElicitResult(action="accept", content={"approve": False})]
)
async def test_with_elicitation_a_no_creates_nothing_even_with_confirm_spend(paid_server: Make, answer: ElicitResult):
    server, upstream = paid_server()

    async def refuse(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        return answer

    async with Client(server, elicitation_callback=refuse) as client:
        error = error_of(await client.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True}))
    assert error["code"] == "spend_declined"
    assert "Do not retry" in error["next_action"]
    assert upstream.requests == []


async def test_invalid_arguments_are_refused_before_asking_the_user(paid_server: Make):
    server, upstream = paid_server()
    asked: list[str] = []

    async def approve(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"approve": True})

    async with Client(server, elicitation_callback=approve) as client:
        error = error_of(
            await client.call_tool("create_lipsync", {"video_path": "missing.mp4", "audio_path": "dub.wav"})
        )
    assert error["code"] == "file_not_found" and error["param"] == "video_path"
    assert asked == [] and upstream.requests == []


async def test_the_session_job_cap_stops_creates_before_any_request(paid_server: Make):
    server, upstream = paid_server(max_jobs_per_session=1)
    async with Client(server) as client:
        first = await client.call_tool("create_lipsync", await approved(client, "create_lipsync", LOCAL))
        assert (await check_output(client, "create_lipsync", first))["jobs_left_in_session"] == 0
        sent = len(upstream.requests)
        # The cap is reported first: the user is not asked to approve a job that would be refused.
        # (The same LOCAL again would be the same job, returned at no cost: this is another one.)
        error = error_of(await client.call_tool("create_lipsync", {**LOCAL, "mode": "precision"}))
        assert error["code"] == "session_job_limit"
        assert "HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION" in error["message"]
        batch = error_of(await client.call_tool("create_lipsync_batch", {"items": [LOCAL]}))
        assert batch["code"] == "session_job_limit"
    assert len(upstream.requests) == sent


async def test_batches_go_through_the_same_gate(paid_server: Make):
    server, upstream = paid_server()
    items = [LOCAL, {**LOCAL, "mode": "precision"}]
    async with Client(server) as client:
        error = error_of(await client.call_tool("create_lipsync_batch", {"items": items}))
        assert error["code"] == "confirmation_required"
        assert "these 2 jobs" in error["message"]
        assert upstream.requests == []
        token = error["details"]["approval_token"]
        created = await client.call_tool(
            "create_lipsync_batch", {"items": items, "confirm_spend": True, "approval_token": token}
        )
        data = await check_output(client, "create_lipsync_batch", created)
    # Each item at its own mode's rate (issue 14): 3 s at $0.033 + 3 s at $0.067.
    assert data["estimate"]["estimated_usd"] == 0.3
    assert upstream.requests


async def test_the_sandbox_needs_no_confirmation(sandbox_server: MCPServer[Any]):
    async def never(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        raise AssertionError("the sandbox asked the user to approve a spend")

    async with Client(sandbox_server, elicitation_callback=never) as client:
        data = await check_output(client, "create_lipsync", await client.call_tool("create_lipsync", LOCAL))
    # The sandbox shows what a real job would have cost (issue 14), and asks nothing.
    assert data["sandbox"] is True and data["estimate"]["estimated_usd"] == 0.1


@pytest.mark.parametrize(
    ("arguments", "seconds"),
    [
        ({}, 3.0),  # default: the output is as long as the audio (dub.wav, 3 s)
        ({"enable_dynamic_duration": False}, 4.0),  # off: as long as the video (talk.mp4, 4 s)
        ({"enable_dynamic_duration": False, "start_time": 1.0, "end_time": 2.5}, 1.5),  # its segment
        ({"enable_dynamic_duration": False, "end_time": 60.0}, 4.0),  # an end past the video's is the video's
    ],
)
async def test_the_estimate_follows_what_decides_the_output_length(
    paid_server: Make, arguments: dict[str, Any], seconds: float
):
    server, upstream = paid_server()
    async with Client(server) as client:
        error = error_of(await client.call_tool("create_lipsync", {**LOCAL, **arguments}))
    assert error["code"] == "confirmation_required"
    assert f"({seconds:.1f} s of output at $0.033/s, speed)" in error["message"]
    assert upstream.requests == []


async def test_without_dynamic_duration_a_remote_video_makes_the_cost_unknown(paid_server: Make):
    # The local audio's length says nothing about the price when the output follows the video.
    server, _ = paid_server()
    arguments = {"video_url": "https://cdn.example.com/talk.mp4", "audio_path": "dub.wav"}
    async with Client(server) as client:
        error = error_of(await client.call_tool("create_lipsync", {**arguments, "enable_dynamic_duration": False}))
    assert error["code"] == "confirmation_required" and "unknown" in error["message"]


async def test_a_batch_over_the_cap_says_how_many_jobs_are_still_allowed(paid_server: Make):
    server, upstream = paid_server(max_jobs_per_session=1)
    async with Client(server) as client:
        error = error_of(await client.call_tool("create_lipsync_batch", {"items": [LOCAL, LOCAL]}))
    assert error["code"] == "session_job_limit"
    assert "at most 1 job(s)" in error["next_action"]
    assert upstream.requests == []


async def test_only_the_sandboxs_create_descriptions_say_nothing_is_spent(
    sandbox_server: MCPServer[Any], paid_server: Make
):
    server, _ = paid_server()
    for built, sandboxed in ((sandbox_server, True), (server, False)):
        async with Client(built) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        for name in ("create_lipsync", "create_lipsync_batch"):
            description = tools[name].description or ""
            assert "SPENDS" in description
            assert ("nothing is spent" in description) is sandboxed, name
