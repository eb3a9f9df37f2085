"""`--debug` traces each HTTP exchange on stderr; `sandbox serve` logs one line per request. No secrets in either."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from heygen_lipsync.sandbox import EmbeddedSandbox
from heygen_lipsync.sandbox.request_log import RequestLog

from .conftest import Cli, created_id


def test_debug_traces_each_exchange_without_keys_or_signatures(
    cli: Cli, samples: tuple[Path, Path], sandbox: EmbeddedSandbox, tmp_path: Path
) -> None:
    lipsync_id = created_id(cli, samples)
    cli("wait", lipsync_id)
    result = cli("--debug", "download", lipsync_id, tmp_path / "out.mp4")
    assert result.exit_code == 0, result.stderr
    trace = [line for line in result.stderr.splitlines() if line.startswith("http: ")]
    get = next(line for line in trace if f"GET {sandbox.base_url}/v3/lipsyncs/{lipsync_id} " in line)
    assert re.search(r"-> 200 \(request id req_\w+, attempt 1, \d+ ms\)", get)
    assert any("/_sandbox/outputs/" in line for line in trace)  # the presigned download, its query cut
    assert "signature" not in result.stderr and "expires=" not in result.stderr
    assert sandbox.api_key not in result.stderr
    assert not [line for line in cli("get", lipsync_id).stderr.splitlines() if line.startswith("http: ")]


async def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hi", headers={"x-request-id": "req_1"})


@pytest.mark.anyio
async def test_sandbox_serve_logs_one_line_per_request_without_the_query() -> None:
    stream = io.StringIO()
    app = RequestLog(Starlette(routes=[Route("/v3/thing", _hello)]), stream=stream)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        await client.get("/v3/thing?signature=secret")
        await client.get("/nowhere")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"GET /v3/thing -> 200 \(request id req_1, \d+ ms\)", lines[0])
    assert lines[1].startswith("GET /nowhere -> 404")
    assert "secret" not in stream.getvalue()
