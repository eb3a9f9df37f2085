"""The session's job cap counts every job that may have been paid for, not only those confirmed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import CountingTransport, approved, check_output, error_of, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
REMOTE = {"video_url": "https://cdn.example.com/talk.mp4", "audio_url": "https://cdn.example.com/fr.mp3"}
PAID = {**REMOTE, "confirm_spend": True}


def _is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path in ("/v3/lipsyncs", "/v3/lipsyncs/batches")


class LosingTransport(CountingTransport):
    """Delivers every create to the API (the job is made), then loses the response."""

    def __init__(self) -> None:
        super().__init__()
        self.losing = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.losing and _is_create(request):
            await response.aread()
            raise httpx.ReadTimeout("the response was lost", request=request)
        return response


class RefusingTransport(CountingTransport):
    """Answers every create with a 400 that names the field: nothing is created."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if _is_create(request):
            self.requests.append(request)
            body = {
                "error": {"code": "invalid_parameter", "message": "video_url is not reachable", "param": "video_url"}
            }
            return httpx.Response(400, json=body, request=request)
        return await super().handle_async_request(request)


def _creates(transport: CountingTransport) -> int:
    return sum(1 for request in transport.requests if _is_create(request))


async def _spend(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    """Preview, then spend with the preview's token (each token pays once); the code of what came back."""
    first = error_of(await client.call_tool(tool, arguments))
    if first["code"] != "confirmation_required":
        return str(first["code"])
    paid = {**arguments, "confirm_spend": True, "approval_token": first["details"]["approval_token"]}
    result = await client.call_tool(tool, paid)
    return str(error_of(result)["code"]) if result.is_error else "created"


async def test_creates_whose_response_is_lost_count_against_the_cap(paid_server: Make):
    server, transport = paid_server(transport=LosingTransport(), max_jobs_per_session=3)
    codes: list[str] = []
    async with Client(server) as client:
        for n in range(20):  # each its own job (new_job): a lost one may have been made and paid for
            codes.append(await _spend(client, "create_lipsync", {**REMOTE, "new_job": True, "title": f"take {n}"}))
        batch = await _spend(client, "create_lipsync_batch", {"items": [REMOTE]})
    # Each lost create may have made a paid job: three reached the API, then the cap held.
    assert _creates(transport) == 3
    assert codes[:3] == ["timeout"] * 3
    assert set(codes[3:]) == {"session_job_limit"}
    assert batch == "session_job_limit"


async def test_a_lost_batch_counts_all_its_items_and_its_retry_takes_no_more(paid_server: Make):
    losing = LosingTransport()
    server, transport = paid_server(transport=losing, max_jobs_per_session=3)
    async with Client(server) as client:
        paid = await approved(client, "create_lipsync_batch", {"items": [REMOTE] * 2, "confirm_spend": True})
        lost = error_of(await client.call_tool("create_lipsync_batch", paid))
        assert lost["idempotency_key"]
        # The same batch again is the same job under the same key: no new slot, no new question.
        losing.losing = False
        retried = structured(await client.call_tool("create_lipsync_batch", {"items": [REMOTE] * 2}))
        assert retried["jobs_left_in_session"] == 1
        other = {"items": [{**REMOTE, "title": "other"}] * 2}
        error = error_of(await client.call_tool("create_lipsync_batch", other))
    assert error["code"] == "session_job_limit" and "1 left" in error["message"]
    assert _creates(transport) == 2  # the lost create and its retry (HeyGen replays the first answer)


async def test_a_retry_with_the_key_of_a_lost_create_gets_its_job_without_another_slot(paid_server: Make):
    losing = LosingTransport()
    server, transport = paid_server(transport=losing, max_jobs_per_session=1)
    async with Client(server) as client:
        paid = await approved(client, "create_lipsync", PAID)
        key = error_of(await client.call_tool("create_lipsync", paid))["idempotency_key"]
        losing.losing = False
        retried = await client.call_tool("create_lipsync", {**paid, "idempotency_key": key})
        data = await check_output(client, "create_lipsync", retried)
        assert data["jobs_left_in_session"] == 0
        # A new job is still refused: the cap is 1 and one job was made.
        new = {**REMOTE, "new_job": True}
        assert error_of(await client.call_tool("create_lipsync", new))["code"] == "session_job_limit"
    assert _creates(transport) == 2  # the lost create and its retry, which the API answers with the same job


async def test_a_create_the_api_refuses_gives_its_slot_back(paid_server: Make):
    server, transport = paid_server(transport=RefusingTransport(), max_jobs_per_session=1)
    async with Client(server) as client:
        for _ in range(3):  # a refused create spent nothing: the next needs a new yes, and gets a slot
            paid = await approved(client, "create_lipsync", PAID)
            error = error_of(await client.call_tool("create_lipsync", paid))
            assert error["code"] == "invalid_parameter" and error.get("idempotency_key") is None
    assert _creates(transport) == 3  # each refusal proved nothing was created, so the next could go
