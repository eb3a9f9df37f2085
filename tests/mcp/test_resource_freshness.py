"""resources/list never shows a stale status as current: refreshed from HeyGen, or marked as last seen, and when."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.sandbox import EmbeddedSandbox
from heygen_lipsync.store import Ledger
from tests.mcp.conftest import CountingTransport, approved, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
ARGS = {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "french cut"}


@pytest.fixture
def ledger_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(path))
    return path


class NoStatuses(CountingTransport):
    """HeyGen unreachable for the statuses read (everything else goes through)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/lipsyncs/statuses":
            raise httpx.ConnectError("connection refused", request=request)
        return await super().handle_async_request(request)


async def _create(client: Client, args: dict[str, Any]) -> str:
    return str(
        structured(await client.call_tool("create_lipsync", await approved(client, "create_lipsync", args)))[
            "lipsync_id"
        ]
    )


async def _listed(client: Client, lipsync_id: str) -> str:
    resources = {str(r.uri): r for r in (await client.list_resources(cache_mode="bypass")).resources}
    return resources[f"lipsync://jobs/{lipsync_id}"].description or ""


async def test_a_job_that_failed_since_is_listed_as_failed_not_pending(paid_server: Make, ledger_path: Path) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client, {"video_url": "http://127.0.0.1:9/gone.mp4", "audio_path": "dub.wav"})
        assert Ledger.open(ledger_path).find_by_id(lipsync_id).status == "pending"  # type: ignore[union-attr]
        await anyio.sleep(1.0)  # the sandbox fails it meanwhile; nobody asks
        described = await _listed(client, lipsync_id)
    assert "failed" in described and "pending" not in described
    assert "checked on HeyGen" in described
    assert Ledger.open(ledger_path).find_by_id(lipsync_id).status == "failed"  # type: ignore[union-attr]


async def test_a_job_deleted_elsewhere_is_not_listed_as_completed(
    paid_server: Make, ledger_path: Path, upstream: EmbeddedSandbox
) -> None:
    server, _ = paid_server()
    async with Client(server) as client:
        lipsync_id = await _create(client, ARGS)
        structured(await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}))
        assert "completed" in await _listed(client, lipsync_id)
        async with httpx.AsyncClient(base_url=upstream.base_url, headers={"x-api-key": upstream.api_key}) as http:
            assert (await http.delete(f"/v3/lipsyncs/{lipsync_id}")).status_code == 200
        described = await _listed(client, lipsync_id)
        (content,) = (await client.read_resource(f"lipsync://jobs/{lipsync_id}")).contents
    assert "completed" not in described and "deleted" in described
    assert json.loads(content.text)["status"] == "not_found"  # type: ignore[union-attr]


async def test_without_heygen_the_status_is_marked_as_last_seen_with_its_time(
    paid_server: Make, ledger_path: Path
) -> None:
    server, _ = paid_server(transport=NoStatuses())
    async with Client(server) as client:
        lipsync_id = await _create(client, ARGS)
        described = await _listed(client, lipsync_id)
        resource = next(
            r for r in (await client.list_resources()).resources if str(r.uri) == f"lipsync://jobs/{lipsync_id}"
        )
    assert re.search(r"pending as last seen at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", described), described
    assert "HeyGen could not be asked" in described
    assert resource.annotations is not None and resource.annotations.last_modified
