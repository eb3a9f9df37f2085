"""Replicas: two ``heygen-lipsync-mcp --transport http --stateless`` processes behind a (pretend) load balancer.

Given the same store (``HEYGEN_LIPSYNC_DATABASE_URL``, or one SQLite file on one machine) and
the same ``HEYGEN_LIPSYNC_APPROVAL_SECRET``, they act as one server: a preview's token from one
pays exactly once on either, and the daily job cap counts the creates of both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from heygen_lipsync.mcp.errors import ERROR_META_KEY
from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.ledger.stores import Store, store
from tests.mcp.conftest import upstream, workdir
from tests.mcp.test_http import HEADERS, _message

pytestmark = pytest.mark.anyio

__all__ = ["store", "upstream", "workdir"]  # fixtures

BOUND = 60.0  # seconds a replica may take to start on a slow, shared machine
LOCAL = {"video_path": "talk.mp4", "audio_path": "dub.wav"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def replicas(upstream: EmbeddedSandbox, workdir: Path, store: Store, tmp_path: Path) -> Iterator[list[str]]:
    """Two server processes sharing the test's store and one approval secret; their /mcp URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEYGEN_", "PYTEST"))}
    env.update(
        HEYGEN_API_KEY=upstream.api_key,
        HEYGEN_BASE_URL=upstream.base_url,
        HEYGEN_LIPSYNC_APPROVAL_SECRET="one-secret-for-every-replica-0123456789",
        HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY="3",
    )
    env["HEYGEN_LIPSYNC_LEDGER" if store.kind == "sqlite" else "HEYGEN_LIPSYNC_DATABASE_URL"] = store.target
    ports = [_free_port(), _free_port()]
    procs = []
    for n, port in enumerate(ports):
        command = [sys.executable, "-m", "heygen_lipsync.mcp", "--transport", "http", "--stateless"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--allowed-dir", str(workdir)]
        log = (tmp_path / f"replica{n}.log").open("w")
        procs.append(subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=log))
    try:
        urls = [f"http://127.0.0.1:{port}/mcp" for port in ports]
        deadline = time.monotonic() + BOUND
        for proc, url in zip(procs, urls, strict=True):
            while True:
                assert proc.poll() is None, (tmp_path / "replica0.log").read_text()
                try:
                    if httpx.post(url, json=_call(0, "tools/list", {}), headers=HEADERS, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "a replica did not start"
                time.sleep(0.2)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _call(n: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": n, "method": method, "params": params}


async def _tool(http: httpx.AsyncClient, url: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call create_lipsync on one replica; its result (``code`` set when it is an error)."""
    body = _call(2, "tools/call", {"name": "create_lipsync", "arguments": arguments})
    response = await http.post(url, json=body, headers={**HEADERS, "mcp-protocol-version": "2025-06-18"})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = _message(response)["result"]
    if result.get("isError"):
        return dict(result["_meta"][ERROR_META_KEY])
    return {"code": "created", **result["structuredContent"]}


def _jobs(box: EmbeddedSandbox) -> int:
    return len(box.app.store.list_jobs(10_000_000, None))


async def test_two_http_replicas_share_approvals_and_the_daily_cap(
    replicas: list[str], upstream: EmbeddedSandbox
) -> None:
    a, b = replicas
    async with httpx.AsyncClient(timeout=BOUND) as http:
        preview = await _tool(http, a, LOCAL)
        assert preview["code"] == "confirmation_required", preview
        paid = {**LOCAL, "confirm_spend": True, "approval_token": preview["details"]["approval_token"]}
        assert (await _tool(http, b, paid))["code"] == "created"  # A's token, honoured by B
        assert (await _tool(http, a, {**paid, "new_job": True}))["code"] == "approval_used"  # once in all
        assert _jobs(upstream) == 1

        calls = []
        for n in range(8):  # eight more jobs, each approved, spread over both: the cap (3) lets two through
            args = {**LOCAL, "title": f"job {n}"}
            token = (await _tool(http, replicas[n % 2], args))["details"]["approval_token"]
            calls.append((replicas[(n + 1) % 2], {**args, "confirm_spend": True, "approval_token": token}))
        codes: list[str] = []

        async def create(url: str, args: dict[str, Any]) -> None:
            codes.append(str((await _tool(http, url, args))["code"]))

        async with anyio.create_task_group() as group:
            for url, args in calls:
                group.start_soon(create, url, args)
    assert sorted(codes) == ["created"] * 2 + ["daily_cap"] * 6, codes
    assert _jobs(upstream) == 3
