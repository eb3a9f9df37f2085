"""Against a hostile or broken server: every call is bounded in time and memory, and errors are typed.

Issue 24, items 2-6. A real socket server on 127.0.0.1 (``tests/lib/hostile.py``) trickles
answers a byte at a time, inflates a small gzip answer to 100 MB, nests JSON 100,000 deep,
sends NaN, hands back page tokens it gave before and points output URLs at places the
client must not fetch. Each test bounds itself: the server stops every answer when it stops.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync._transport.output_urls import check_output_url
from heygen_lipsync.config import Settings
from heygen_lipsync.errors import APIError, APITimeoutError, DownloadError, ServerError, WaitTimeoutError
from heygen_lipsync.media import downloads
from heygen_lipsync.models import Lipsync
from tests.lib.hostile import HostileServer, gzip_of_repeated, json_answer, raw_answer, trickle

pytestmark = pytest.mark.anyio

JOB = {"id": "ls_1", "status": "pending", "title": "t"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def client_for(server: HostileServer, **settings: Any) -> AsyncLipsyncClient:
    base = {"api_key": "k", "base_url": server.base_url, "max_retries": 0}
    return AsyncLipsyncClient(settings=Settings(**{**base, **settings}), ledger=None)


def completed(server: HostileServer, **fields: Any) -> dict[str, Any]:
    return {"data": {"id": "ls_1", "status": "completed", "video_url": f"{server.base_url}/out/v.mp4", **fields}}


# -- item 2: a total deadline per request, not per read --------------------------------------


async def test_a_trickled_answer_ends_by_the_read_timeout(server: HostileServer) -> None:
    server.route("/v3/lipsyncs/ls_1", trickle(json.dumps({"data": JOB}).encode(), every=0.2))  # ~9 s in all
    started = time.monotonic()
    async with client_for(server, timeout=1.0) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.get("ls_1")
    assert time.monotonic() - started < 2.5
    assert "HEYGEN_LIPSYNC_TIMEOUT" in str(info.value)


async def test_retries_of_a_trickled_answer_stop_at_the_request_deadline(server: HostileServer) -> None:
    server.route("/v3/lipsyncs/ls_1", trickle(json.dumps({"data": JOB}).encode(), every=0.2))
    started = time.monotonic()
    async with client_for(server, timeout=1.0, max_retries=10, request_deadline=2.0) as client:
        with pytest.raises(APITimeoutError):
            await client.get("ls_1")
    assert time.monotonic() - started < 3.5  # ten retries of 1 s each would take far longer


async def test_a_wait_ends_at_its_bound_even_inside_a_trickled_poll(server: HostileServer) -> None:
    server.route("/v3/lipsyncs/ls_1", trickle(json.dumps({"data": JOB}).encode(), every=0.5))  # ~20 s
    started = time.monotonic()
    async with client_for(server) as client:  # 30 s read timeout: only the wait's own bound can stop it
        with pytest.raises(WaitTimeoutError) as info:
            await client.wait("ls_1", timeout=1.0)
    assert time.monotonic() - started < 2.5
    assert info.value.lipsync_id == "ls_1" and "still running" in str(info.value)


async def test_an_endless_download_ends_by_the_request_deadline(server: HostileServer, tmp_path: Path) -> None:
    server.route("/v3/lipsyncs/ls_1", json_answer(completed(server)))
    server.route("/out/v.mp4", trickle(b"x" * 10, every=0.05, headers={"Content-Length": str(10**9)}, endless=True))
    started = time.monotonic()
    async with client_for(server, request_deadline=1.5) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.download("ls_1", tmp_path)
    assert time.monotonic() - started < 3.5
    assert "HEYGEN_LIPSYNC_REQUEST_DEADLINE" in str(info.value)
    assert list(tmp_path.iterdir()) == []  # no partial file left


@pytest.mark.parametrize(
    ("tool", "arguments", "path"),
    [
        ("wait_for_lipsync", {"lipsync_id": "ls_1"}, "/v3/lipsyncs/ls_1"),
        ("wait_for_lipsync_batch", {"batch_id": "b_1"}, "/v3/lipsyncs/statuses"),
    ],
)
async def test_mcp_waits_hold_their_bound_inside_a_trickled_request(
    server: HostileServer, tmp_path: Path, tool: str, arguments: dict[str, Any], path: str
) -> None:
    from mcp import Client

    from heygen_lipsync.mcp import build_server
    from heygen_lipsync.mcp.settings import ServerSettings

    server.route(path, trickle(json.dumps({"data": JOB}).encode(), every=0.5))  # ~20 s
    mcp_server = build_server(
        ServerSettings(allowed_dirs=(tmp_path,), output_dir=tmp_path / "out", poll_interval=0.05),
        library_settings=Settings(api_key="k", base_url=server.base_url, max_retries=0),
    )
    started = time.monotonic()
    async with Client(mcp_server) as client:
        result = await client.call_tool(tool, {**arguments, "timeout_seconds": 2})
    assert time.monotonic() - started < 4.0  # asked for 2 s: not the 20 s the answer takes
    assert result.structured_content is not None, result.content
    assert result.structured_content["still_running"] is True


# -- item 4: answers and downloads are bounded in size ---------------------------------------


async def test_a_gzip_bomb_is_refused_without_inflating_it(server: HostileServer) -> None:
    bomb = gzip_of_repeated(b'{"data": {"id": "ls_1", "status": "pending", "title": "', b"a", 100 * 2**20, b'"}}')
    assert len(bomb) < 200_000
    server.route("/v3/lipsyncs/ls_1", raw_answer(bomb, headers={"Content-Encoding": "gzip"}))
    async with client_for(server) as client:
        tracemalloc.start()
        try:
            with pytest.raises(APIError) as info:
                await client.get("ls_1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.code == "response_too_large"
    assert "HEYGEN_LIPSYNC_MAX_RESPONSE_BYTES" in str(info.value)
    assert peak < 30 * 2**20, f"peak {peak / 2**20:.0f} MB while refusing a 100 MB answer"


async def test_the_answer_size_limit_is_a_setting(server: HostileServer) -> None:
    server.route("/v3/lipsyncs/ls_1", json_answer({"data": {**JOB, "title": "a" * 5000}}))
    async with client_for(server, max_response_bytes=2048) as client:
        with pytest.raises(APIError, match="larger than 2048 bytes"):
            await client.get("ls_1")
    async with client_for(server) as client:
        assert (await client.get("ls_1")).title == "a" * 5000


async def test_a_download_longer_than_it_said_is_refused(
    server: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "MAX_DOWNLOAD_BYTES", 4096)
    server.route("/v3/lipsyncs/ls_1", json_answer(completed(server)))
    # No Content-Length: the body ends when the server hangs up, and it never does soon.
    server.route("/out/v.mp4", raw_answer(b"v" * 100_000, length=False, headers={"Content-Type": "video/mp4"}))
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match="larger than 4096 bytes"):
            await client.download("ls_1", tmp_path)
    assert list(tmp_path.iterdir()) == []


async def test_a_compressed_download_is_bounded_once_inflated(
    server: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "MAX_DOWNLOAD_BYTES", 2**20)
    server.route("/v3/lipsyncs/ls_1", json_answer(completed(server)))
    bomb = gzip_of_repeated(b"", b"\0", 50 * 2**20, b"")
    server.route("/out/v.mp4", raw_answer(bomb, headers={"Content-Encoding": "gzip"}))
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match="larger than"):
            await client.download("ls_1", tmp_path)
    assert list(tmp_path.iterdir()) == []


# -- item 5: deep JSON and NaN ----------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 900])
async def test_deeply_nested_json_is_an_unexpected_response_naming_the_field(server: HostileServer, depth: int) -> None:
    body = b'{"data": {"id": "ls_1", "status": "pending", "title": ' + b"[" * depth + b"]" * depth + b"}}"
    server.route("/v3/lipsyncs/ls_1", raw_answer(body))
    async with client_for(server) as client:
        with pytest.raises(APIError) as info:
            await client.get("ls_1")
    assert info.value.code == "unexpected_response"
    assert "data.title" in str(info.value) and "deep" in str(info.value)


async def test_a_deeply_nested_error_answer_keeps_its_status(server: HostileServer) -> None:
    body = b'{"error": {"code": "internal_error", "message": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"
    server.route("/v3/lipsyncs/ls_1", raw_answer(body, status=500))
    async with client_for(server) as client:
        with pytest.raises(ServerError) as info:
            await client.get("ls_1")
    assert info.value.status_code == 500


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
async def test_a_number_json_cannot_carry_is_an_unexpected_response(server: HostileServer, number: bytes) -> None:
    body = b'{"data": {"id": "ls_1", "status": "completed", "duration": ' + number + b"}}"
    server.route("/v3/lipsyncs/ls_1", raw_answer(body))
    async with client_for(server) as client:
        with pytest.raises(APIError) as info:
            await client.get("ls_1")
    assert info.value.code == "unexpected_response"
    assert "data.duration" in str(info.value)


@pytest.mark.parametrize("value", [b'"NaN"', b'"-Infinity"', b"1" + b"0" * 400])
async def test_a_duration_no_float_can_hold_is_unknown_not_a_crash(server: HostileServer, value: bytes) -> None:
    body = b'{"data": {"id": "ls_1", "status": "completed", "duration": ' + value + b"}}"
    server.route("/v3/lipsyncs/ls_1", raw_answer(body))
    async with client_for(server) as client:
        job = await client.get("ls_1")
    assert job.duration is None
    json.dumps(job.to_dict(), allow_nan=False)  # what --json prints stays JSON


# -- item 3: page-token cycles ----------------------------------------------------------------


def _cycling_pages(request_token: str | None) -> dict[str, Any]:
    # A, B, A, B...: no token comes back twice in a row, so only remembering all of them helps.
    nxt = {None: "A", "A": "B", "B": "A"}[request_token]
    return {"data": [{**JOB, "id": f"ls_{request_token or 0}"}], "has_more": True, "next_token": nxt}


async def test_a_page_token_seen_before_ends_the_listing(server: HostileServer) -> None:
    def answer(ex: Any) -> None:
        token = ex.seen.query.get("token", [None])[0]
        json_answer(_cycling_pages(token))(ex)

    server.route("/v3/lipsyncs", answer)
    async with client_for(server) as client:
        with pytest.raises(APIError) as info:
            _ = [job async for job in client.iter_lipsyncs()]
    assert info.value.code == "unexpected_response" and "'A' again" in str(info.value)
    assert len(server.requests_to("/v3/lipsyncs")) == 3  # None -> A -> B -> A: stop


# -- item 6: output URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "file:v.mp4", "/out/v.mp4", "ftp://files.example/v.mp4", "http://user:pw@127.0.0.1/v"],
)
async def test_an_output_url_that_is_not_https_is_never_fetched(
    server: HostileServer, tmp_path: Path, url: str
) -> None:
    server.route("/v3/lipsyncs/ls_1", json_answer(completed(server, video_url=url)))
    async with client_for(server) as client:
        with pytest.raises(APIError) as info:
            await client.download("ls_1", tmp_path)
    assert info.value.code == "unexpected_response" and "video_url" in str(info.value)
    assert [s.path for s in server.seen] == ["/v3/lipsyncs/ls_1"]
    assert list(tmp_path.iterdir()) == []


async def test_a_loopback_admin_port_beside_the_sandbox_is_never_fetched(server: HostileServer, tmp_path: Path) -> None:
    with HostileServer() as admin:
        admin.route("/admin/secrets", raw_answer(b"root:secret", headers={"Content-Type": "text/plain"}))
        server.route("/v3/lipsyncs/ls_1", json_answer(completed(server, video_url=f"{admin.base_url}/admin/secrets")))
        async with client_for(server) as client:
            with pytest.raises(APIError, match="internal address"):
                await client.download("ls_1", tmp_path)
        assert admin.seen == []
    assert list(tmp_path.iterdir()) == []


async def test_the_api_key_never_goes_to_the_output_host(server: HostileServer, tmp_path: Path) -> None:
    # The sandbox serves outputs on the API's own origin: the one place http is fetched.
    server.route("/v3/lipsyncs/ls_1", json_answer(completed(server)))
    server.route("/out/v.mp4", raw_answer(b"video", headers={"Content-Type": "video/mp4"}))
    async with client_for(server) as client:
        saved = await client.download("ls_1", tmp_path)
    assert saved.video_path.read_bytes() == b"video"
    (api, output) = server.seen
    assert api.headers.get("x-api-key") == "k"
    assert "x-api-key" not in output.headers and "authorization" not in output.headers


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/v.mp4",
        "https://localhost:8443/v.mp4",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/v.mp4",
        "https://[::1]/v.mp4",
        "http://files.heygen.ai/v.mp4",
    ],
)
def test_a_real_api_never_leads_to_an_internal_or_plain_http_output(url: str) -> None:
    with pytest.raises(APIError) as info:
        check_output_url(url, field="video_url", lipsync_id="ls_1", base_url="https://api.heygen.com")
    assert info.value.code == "unexpected_response"


def test_a_real_output_url_passes() -> None:
    url = "https://files.heygen.ai/outputs/ls_1.mp4?X-Amz-Signature=abc"
    assert check_output_url(url, field="video_url", lipsync_id="ls_1", base_url="https://api.heygen.com") == url


async def test_a_lipsync_whose_id_cannot_name_a_file_is_not_saved_in_a_folder(tmp_path: Path) -> None:
    job = Lipsync(id="../escaped", status="completed", video_url="https://files.heygen.ai/v.mp4")
    async with AsyncLipsyncClient(api_key="k", ledger=None) as client:
        with pytest.raises(ValueError, match="cannot name a file"):
            await client.download(job, tmp_path)
    assert list(tmp_path.parent.glob("escaped*")) == []
