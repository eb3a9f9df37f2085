"""Streamable HTTP: loopback with DNS-rebinding protection by default; a bearer token before anything else."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from heygen_lipsync.errors import ConfigurationError
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.http_server import uvicorn_config
from heygen_lipsync.mcp.main import BearerTokenMiddleware, http_app
from heygen_lipsync.mcp.settings import ServerSettings
from tests.mcp.conftest import FAST

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def _message(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC message of a response, whether sent as JSON or as one SSE event."""
    if response.headers["content-type"].startswith("application/json"):
        return dict(response.json())
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    return dict(json.loads(data[-1]))


@asynccontextmanager
async def serving(app: Any, host: str) -> AsyncIterator[httpx.AsyncClient]:
    inner: Starlette = app.app if isinstance(app, BearerTokenMiddleware) else app
    async with inner.router.lifespan_context(inner):
        transport = httpx.ASGITransport(app=app)
        netloc = host if ":" in host else f"{host}:8000"
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{netloc}") as client:
            yield client


async def test_loopback_http_rejects_other_hosts(settings: ServerSettings):
    app = http_app(build_server(settings, sandbox=FAST), settings, host="127.0.0.1", stateless=True)
    async with serving(app, "127.0.0.1") as client:
        ok = await client.post("/mcp", json=INITIALIZE, headers=HEADERS)
        assert ok.status_code == 200, ok.text
        assert _message(ok)["result"]["serverInfo"]["name"] == "heygen-lipsync"
        rebound = await client.post("/mcp", json=INITIALIZE, headers={**HEADERS, "host": "evil.example:8000"})
        assert rebound.status_code == 421
        foreign = await client.post("/mcp", json=INITIALIZE, headers={**HEADERS, "origin": "https://evil.example"})
        assert foreign.status_code == 403


def test_a_public_address_needs_a_token(settings: ServerSettings):
    with pytest.raises(ConfigurationError, match="HEYGEN_LIPSYNC_MCP_TOKEN"):
        http_app(build_server(settings, sandbox=FAST), settings, host="0.0.0.0", stateless=True)


async def test_with_a_token_every_request_must_carry_it(settings: ServerSettings):
    secured = dataclasses.replace(settings, mcp_token="t0ken-for-tests")
    app = http_app(build_server(secured, sandbox=FAST), secured, host="0.0.0.0", stateless=True)
    async with serving(app, "10.0.0.5") as client:
        missing = await client.post("/mcp", json=INITIALIZE, headers=HEADERS)
        assert missing.status_code == 401 and "Bearer" in missing.headers["www-authenticate"]
        wrong = await client.post("/mcp", json=INITIALIZE, headers={**HEADERS, "authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await client.post(
            "/mcp", json=INITIALIZE, headers={**HEADERS, "authorization": "Bearer t0ken-for-tests"}
        )
        assert right.status_code == 200, right.text


@asynccontextmanager
async def listening(app: Any, **options: Any) -> AsyncIterator[str]:
    """Serve ``app`` as ``heygen-lipsync-mcp --transport http`` does, on a free loopback port; yield the MCP URL."""
    import socket
    import threading

    import anyio
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        await anyio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


async def test_the_job_cap_counts_per_http_session(settings: ServerSettings):
    from mcp import Client

    from tests.mcp.conftest import error_of, structured

    capped = dataclasses.replace(settings, max_jobs_per_session=1)
    app = http_app(build_server(capped, sandbox=FAST), capped, host="127.0.0.1", stateless=False)

    def job(n: int) -> dict[str, str]:  # each its own job: an identical create returns the earlier one for free
        return {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": f"job {n}"}

    async with listening(app) as url:
        async with Client(url, mode="legacy") as first, Client(url, mode="legacy") as second:
            assert structured(await first.call_tool("create_lipsync", job(1)))["jobs_left_in_session"] == 0
            assert error_of(await first.call_tool("create_lipsync", job(2)))["code"] == "session_job_limit"
            assert structured(await second.call_tool("create_lipsync", job(3)))["jobs_left_in_session"] == 0
        # Without sessions (the 2026-07-28 protocol has none) every caller shares the process's cap:
        # the safe side, since callers cannot be told apart.
        async with Client(url) as one, Client(url) as other:
            assert structured(await one.call_tool("create_lipsync", job(4)))["jobs_left_in_session"] == 0
            assert error_of(await other.call_tool("create_lipsync", job(5)))["code"] == "session_job_limit"


async def test_listed_public_hosts_are_checked_when_configured(settings: ServerSettings):
    secured = dataclasses.replace(settings, mcp_token="t0ken-for-tests")
    app = http_app(
        build_server(secured, sandbox=FAST),
        secured,
        host="0.0.0.0",
        stateless=True,
        allowed_hosts=["mcp.example.com:443"],
    )
    auth = {**HEADERS, "authorization": "Bearer t0ken-for-tests"}
    async with serving(app, "mcp.example.com:443") as client:
        good = await client.post("/mcp", json=INITIALIZE, headers={**auth, "origin": "https://mcp.example.com"})
        assert good.status_code == 200, good.text
        other = await client.post("/mcp", json=INITIALIZE, headers={**auth, "host": "evil.example"})
        assert other.status_code == 421


async def test_stateless_http_runs_the_whole_workflow_with_progress(settings: ServerSettings):
    # --stateless (replicas behind a load balancer): no session id, yet every tool works and a
    # wait still streams its progress notifications in the reply.
    from mcp import Client

    from tests.mcp.conftest import structured

    app = http_app(build_server(settings, sandbox=FAST), settings, host="127.0.0.1", stateless=True)
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async with listening(app) as url, Client(url, mode="legacy") as client:
        created = structured(
            await client.call_tool("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav"})
        )
        waited = structured(
            await client.call_tool(
                "wait_for_lipsync", {"lipsync_id": created["lipsync_id"]}, progress_callback=on_progress
            )
        )
        assert waited["status"] == "completed", waited
        saved = structured(await client.call_tool("download_lipsync", {"lipsync_id": created["lipsync_id"]}))
    assert progress and progress == sorted(progress)
    assert saved["bytes_written"] > 0


SLOW_CLIENTS = {
    "sends nothing": b"",
    "stops in the headers": b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty",
    "stops in the body": b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Accept: application/json, text/event-stream\r\nContent-Length: 400\r\n\r\n{"jsonrpc": ',
}


async def test_http_closes_clients_that_send_their_request_too_slowly(settings: ServerSettings):
    app = http_app(build_server(settings, sandbox=FAST), settings, host="127.0.0.1", stateless=True)
    async with listening(app, request_read_seconds=0.3) as url:
        port = httpx.URL(url).port
        assert port is not None
        streams = []
        for _ in range(3):  # a few of each kind
            for start in SLOW_CLIENTS.values():
                stream = await anyio.connect_tcp("127.0.0.1", port)
                if start:
                    await stream.send(start)
                streams.append(stream)
        closed = 0
        with anyio.fail_after(5):  # bounded: a server that keeps them open fails here
            for stream in streams:
                try:
                    await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionResetError):
                    closed += 1
                await stream.aclose()
        assert closed == len(streams)
        # A client that sends at a normal pace is still served.
        async with httpx.AsyncClient() as client:
            response = await client.post(url, json=INITIALIZE, headers=HEADERS)
        assert response.status_code == 200, response.text
