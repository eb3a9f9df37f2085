"""The library against the sandbox's newest shapes (issue 25): errors, 409 on complete, hex checksums, pages of 100."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, AuthenticationError
from heygen_lipsync.media import files
from heygen_lipsync.sandbox import SAMPLE_VIDEO, EmbeddedSandbox
from tests.sandbox.conftest import fast_config

pytestmark = pytest.mark.anyio


class Recording(httpx.AsyncBaseTransport):
    """The real network, with every request kept (method, path, query, JSON body)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        try:
            parsed = json.loads(body) if body and b"{" in body[:1] else None
        except ValueError:
            parsed = None
        self.seen.append((request.method, request.url.path, dict(request.url.params), parsed))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def served() -> AsyncIterator[EmbeddedSandbox]:
    async with EmbeddedSandbox(fast_config(put_visible_seconds=0.5)) as sb:
        yield sb


async def test_a_wrong_key_is_an_authentication_error_with_heygens_code_and_link(served: EmbeddedSandbox) -> None:
    async with AsyncLipsyncClient(base_url=served.base_url, api_key="wrong", ledger=None) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list()
    assert caught.value.code == "unauthorized"
    assert caught.value.param is None
    assert caught.value.doc_url is not None and caught.value.doc_url.endswith("#unauthorized")


async def test_the_older_envelope_and_unknown_codes_still_map() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        old = {"error": {"code": "authentication_failed", "message": "bad key", "param": None, "doc_url": None}}
        new = {"error": {"code": "brand_new_code", "message": "new", "doc_url": "https://d#brand-new-code"}}
        return httpx.Response(401, json=old) if "old" in request.url.path else httpx.Response(409, json=new)

    async with AsyncLipsyncClient(
        base_url="https://api.example", api_key="k", transport=httpx.MockTransport(answer), ledger=None
    ) as client:
        with pytest.raises(AuthenticationError) as old:
            await client.get("old")
        with pytest.raises(Exception) as new:
            await client.get("new")
    assert old.value.code == "authentication_failed"
    assert getattr(new.value, "code", None) == "brand_new_code"
    assert getattr(new.value, "doc_url", None) == "https://d#brand-new-code"


async def test_a_direct_upload_retries_the_409_of_complete_and_sends_a_hex_checksum(
    served: EmbeddedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the sample goes the direct way
    network = Recording()
    async with AsyncLipsyncClient(
        base_url=served.base_url, api_key=served.api_key, transport=network, ledger=None
    ) as client:
        asset = await client.upload(SAMPLE_VIDEO)
    completes = [body for method, path, _, body in network.seen if path.endswith("/complete")]
    assert len(completes) >= 2  # the first one met the PUT not yet visible: 409, retried
    assert asset.asset_id
    expected = hashlib.sha256(SAMPLE_VIDEO.read_bytes()).hexdigest()
    assert completes[-1] == {"checksum_sha256": expected}  # hex, as HeyGen's own upload code sends it


async def test_listing_every_job_asks_for_pages_of_100() -> None:
    asked: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params.get("limit"))
        return httpx.Response(200, json={"data": [{"id": "ls_1", "status": "completed"}], "has_more": False})

    async with AsyncLipsyncClient(
        base_url="https://api.example", api_key="k", transport=httpx.MockTransport(answer), ledger=None
    ) as client:
        assert [job.id async for job in client.iter_lipsyncs()] == ["ls_1"]
    assert asked == ["100"]
