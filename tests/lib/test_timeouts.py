"""Each kind of request gets the time it needs to answer: reads 30 s, writes 120 s, uploads 10 min.

A create answered after more than 30 s was resent (and risked a second job under a new
attempt); like HeyGen's own CLI, writes now wait 120 s for their answer.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, resolve_settings
from tests.lib.conftest import FakeClock
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen
from tests.lib.test_client import REQUEST
from tests.lib.test_sources import MP4

pytestmark = pytest.mark.anyio


def recording(fake: FakeHeyGen, seen: dict[str, dict[str, float]]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen[f"{request.method} {request.url.path}"] = dict(request.extensions["timeout"])
        return fake.handle(request)

    return httpx.MockTransport(handle)


async def test_reads_writes_and_uploads_each_get_their_read_timeout(
    fake: FakeHeyGen, clock: FakeClock, tmp_path: Path
) -> None:
    seen: dict[str, dict[str, float]] = {}
    video = tmp_path / "talk.mp4"
    video.write_bytes(MP4 + bytes(256))
    settings = resolve_settings(api_key=API_KEY, base_url=BASE_URL, env={})
    async with AsyncLipsyncClient(settings=settings, transport=recording(fake, seen)) as client:
        lipsync_id = await client.create(REQUEST)
        await client.get(lipsync_id)
        await client.update(lipsync_id, title="renamed")
        await client.upload(video)
        await client.delete(lipsync_id)
    assert seen["POST /v3/lipsyncs"]["read"] == 120.0
    assert seen[f"PATCH /v3/lipsyncs/{lipsync_id}"]["read"] == 120.0
    assert seen[f"DELETE /v3/lipsyncs/{lipsync_id}"]["read"] == 120.0
    assert seen[f"GET /v3/lipsyncs/{lipsync_id}"]["read"] == 30.0
    assert seen["POST /v3/assets"]["read"] == 600.0


async def test_each_timeout_is_overridable_from_the_environment(fake: FakeHeyGen, clock: FakeClock) -> None:
    seen: dict[str, dict[str, float]] = {}
    env = {"HEYGEN_LIPSYNC_TIMEOUT": "5", "HEYGEN_LIPSYNC_WRITE_TIMEOUT": "45"}
    settings = resolve_settings(api_key=API_KEY, base_url=BASE_URL, env=env)
    async with AsyncLipsyncClient(settings=settings, transport=recording(fake, seen)) as client:
        lipsync_id = await client.create(REQUEST)
        await client.get(lipsync_id)
    assert seen["POST /v3/lipsyncs"]["read"] == 45.0
    assert seen[f"GET /v3/lipsyncs/{lipsync_id}"]["read"] == 5.0
