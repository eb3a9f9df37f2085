"""Fixtures for the sandbox tests: a served sandbox, in-process apps, plain httpx clients."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from heygen_lipsync.sandbox import DEFAULT_SANDBOX_KEY, SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

AUTH = {"x-api-key": DEFAULT_SANDBOX_KEY}
FINISHED = ("completed", "failed")


def fast_config(**overrides: Any) -> SandboxConfig:
    """Jobs that finish within a fraction of a second; direct uploads ready at once."""
    values: dict[str, Any] = {"pending_seconds": 0.05, "running_seconds": 0.1, "asset_processing_seconds": 0}
    values.update(overrides)
    return SandboxConfig(**values)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(fast_config()) as sb:
        yield sb


@pytest.fixture
def client(sandbox: EmbeddedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}, timeout=30) as c:
        yield c


def upload(client: httpx.Client, path: Path = SAMPLE_VIDEO) -> str:
    response = client.post("/v3/assets", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["asset_id"])


def sample_request(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    """A create body using the shipped samples, uploaded as assets."""
    return {
        "video": {"type": "asset_id", "asset_id": upload(client, SAMPLE_VIDEO)},
        "audio": {"type": "asset_id", "asset_id": upload(client, SAMPLE_AUDIO)},
        **extra,
    }


def create(client: httpx.Client, body: dict[str, Any]) -> str:
    response = client.post("/v3/lipsyncs", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["lipsync_id"])


def wait(client: httpx.Client, lipsync_id: str, *, limit: float = 60.0) -> dict[str, Any]:
    """Poll until the job finishes; `limit` only stops a hung test, it asserts nothing about speed."""
    give_up = time.monotonic() + limit
    while True:
        data: dict[str, Any] = client.get(f"/v3/lipsyncs/{lipsync_id}").json()["data"]
        if data["status"] in FINISHED or time.monotonic() > give_up:
            return data
        time.sleep(0.02)
