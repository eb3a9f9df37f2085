"""An approval pays once, for exactly the jobs the user was shown: their content, options and number."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.errors import ERROR_META_KEY
from heygen_lipsync.mcp.main import http_app
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SAMPLE_VIDEO, EmbeddedSandbox
from tests.mcp.conftest import FAST, CountingTransport, error_of, structured
from tests.mcp.test_http import HEADERS, _message, serving

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
LOCAL = {"video_path": "talk.mp4", "audio_path": "dub.wav"}


def creates(counter: CountingTransport) -> int:
    return sum(1 for r in counter.requests if r.method == "POST" and r.url.path.startswith("/v3/lipsyncs"))


async def token_of(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    preview = error_of(await client.call_tool(tool, arguments))
    assert preview["code"] == "confirmation_required", preview
    return str(preview["details"]["approval_token"])


async def test_a_create_token_pays_once_whatever_else_changes(paid_server: Make):
    server, counter = paid_server()
    async with Client(server) as client:
        token = await token_of(client, "create_lipsync", LOCAL)
        paid = {**LOCAL, "confirm_spend": True, "approval_token": token}
        structured(await client.call_tool("create_lipsync", paid))
        for changed in ({"new_job": True}, {"idempotency_key": "another-key-1"}, {"new_job": True, "title": "x"}):
            error = error_of(await client.call_tool("create_lipsync", {**paid, **changed}))
            assert error["code"] in ("approval_used", "approval_mismatch"), error
            assert error["details"]["approval_token"] != token  # a new preview, to ask the user with
    assert creates(counter) == 1


async def test_a_batch_token_pays_once_even_with_another_title_or_new_job(paid_server: Make):
    server, counter = paid_server()
    items = {"items": [LOCAL, {**LOCAL, "mode": "precision"}]}
    async with Client(server) as client:
        paid = {**items, "confirm_spend": True, "approval_token": await token_of(client, "create_lipsync_batch", items)}
        structured(await client.call_tool("create_lipsync_batch", paid))
        for changed in ({"title": "renamed"}, {"new_job": True}):
            error = error_of(await client.call_tool("create_lipsync_batch", {**paid, **changed}))
            assert error["code"] == "approval_used"
    assert creates(counter) == 1


async def test_a_dub_run_token_pays_once_and_a_run_into_another_folder_reuses_its_jobs(
    paid_server: Make, upstream: EmbeddedSandbox, ledger_path: Path
):
    server, _ = paid_server()  # with the install's ledger (on by default), which knows the first run's job
    items = {"items": [LOCAL]}
    async with Client(server) as client:
        paid = {**items, "confirm_spend": True, "approval_token": await token_of(client, "dub_many", items)}
        first = structured(await client.call_tool("dub_many", {**paid, "folder": "first"}))
        await finished(client, first["run_id"])
        # The same videos into another folder are the same jobs: nothing new to pay for, so no question.
        second = structured(await client.call_tool("dub_many", {**items, "folder": "second"}))
        done = await finished(client, second["run_id"])
        retry = error_of(await client.call_tool("dub_many", {**paid, "folder": "third", "retry_failed": True}))
    assert done["totals"]["done"] == 1 and Path(done["outputs"]["0"]).is_file()
    assert len(upstream.app.store.list_jobs(1000, None)) == 1  # sent again under its derived key: replayed
    assert retry["code"] == "approval_used"  # a retry pays again: it needs a new yes


async def finished(client: Client, run_id: str) -> dict[str, Any]:
    for _ in range(50):
        run = structured(await client.call_tool("get_dub_run", {"run_id": run_id, "timeout_seconds": 5}))
        if not run["still_running"]:
            return run
    raise AssertionError(f"{run_id} did not finish")


async def test_a_token_pays_once_whichever_client_carries_it(paid_server: Make):
    # Sealed tokens name the jobs, not the caller: another client can use one at most once, for exactly
    # the jobs the user approved; the owner's retry then needs a new yes (or finds that job, for free).
    server, counter = paid_server()
    async with Client(server) as owner, Client(server) as other:
        token = await token_of(owner, "create_lipsync", LOCAL)
        paid = {**LOCAL, "confirm_spend": True, "approval_token": token}
        structured(await other.call_tool("create_lipsync", paid))
        assert error_of(await owner.call_tool("create_lipsync", paid))["code"] == "approval_used"
    assert creates(counter) == 1


async def test_a_file_replaced_after_the_preview_needs_a_new_yes(paid_server: Make, workdir: Path):
    server, counter = paid_server()
    async with Client(server) as client:
        token = await token_of(client, "create_lipsync", LOCAL)  # about $0.10: 3 s of audio
        shutil.copy(SAMPLE_VIDEO, workdir / "dub.wav")  # same path, other (longer) content
        error = error_of(
            await client.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True, "approval_token": token})
        )
    assert error["code"] == "approval_mismatch"
    assert error["details"]["estimate"]["estimated_usd"] > 0.1  # the new preview prices what is there now
    assert creates(counter) == 0


async def test_an_asset_that_does_not_exist_is_refused_before_any_question_or_upload(paid_server: Make):
    server, counter = paid_server()
    async with Client(server) as client:
        error = error_of(
            await client.call_tool("create_lipsync", {"video_asset_id": "asset_nope", "audio_path": "dub.wav"})
        )
    assert error["code"] == "invalid_argument" and error["param"] == "video_asset_id"
    assert counter.requests == [r for r in counter.requests if r.method == "GET"]  # nothing uploaded or created


async def test_stateless_http_counts_every_call_against_one_cap_whatever_session_id_is_sent(settings: ServerSettings):
    capped = dataclasses.replace(settings, max_jobs_per_session=1, stateless=True)
    app = http_app(build_server(capped, sandbox=FAST), capped, host="127.0.0.1", stateless=True)
    codes = []
    async with serving(app, "127.0.0.1") as http:
        for n in range(3):
            call = {
                "jsonrpc": "2.0",
                "id": n + 2,
                "method": "tools/call",
                "params": {"name": "create_lipsync", "arguments": {**LOCAL, "title": f"job {n}"}},
            }
            headers = {**HEADERS, "mcp-session-id": f"made-up-{n}", "mcp-protocol-version": "2025-06-18"}
            response = await http.post("/mcp", json=call, headers=headers)
            assert response.status_code == 200, response.text
            result = _message(response)["result"]
            codes.append(result["_meta"][ERROR_META_KEY]["code"] if result.get("isError") else "created")
    assert codes == ["created", "session_job_limit", "session_job_limit"]


async def test_a_retried_create_counts_once_against_the_session(paid_server: Make):
    server, counter = paid_server(max_jobs_per_session=2)
    async with Client(server) as client:
        paid = {**LOCAL, "confirm_spend": True, "approval_token": await token_of(client, "create_lipsync", LOCAL)}
        first = structured(await client.call_tool("create_lipsync", paid))
        again = structured(await client.call_tool("create_lipsync", LOCAL))  # the same job: no question, no slot
    assert again["lipsync_id"] == first["lipsync_id"]
    assert first["jobs_left_in_session"] == again["jobs_left_in_session"] == 1
    assert creates(counter) <= 2  # the retry carries the same key: HeyGen answers with the same job
