"""upload_many and a batch create's uploads: big files presigned and completed 100 at a time (HeyGen's upload batches).

Against the embedded sandbox over loopback HTTP, requests counted at the transport. The
multipart limit is lowered so the small samples take the direct-upload flow, as files over
32 MB do.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncClient, LipsyncRequest, ValidationError
from heygen_lipsync.media import files
from heygen_lipsync.media.opened import open_input
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from heygen_lipsync.store import Ledger

pytestmark = pytest.mark.anyio

PRESIGN_BATCH = "POST /v3/assets/direct-uploads/batches"
COMPLETE_BATCH = "POST /v3/assets/complete/batches"
PRESIGN_ONE = "POST /v3/assets/direct-uploads"
MULTIPART = "POST /v3/assets"


class Counting(httpx.AsyncBaseTransport):
    """Counts requests by method and path (PUTs to storage as `PUT storage`); can refuse the batch presign."""

    def __init__(self, *, no_batches: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: Counter[str] = Counter()
        self.no_batches = no_batches

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        name = "PUT storage" if request.method == "PUT" else f"{request.method} {path}"
        if name.startswith("GET /v3/assets/batches/"):
            name = "GET /v3/assets/batches/{id}"
        elif name.endswith("/complete") and "/batches" not in name:
            name = "POST /v3/assets/{id}/complete"
        self.seen[name] += 1
        if self.no_batches and name == PRESIGN_BATCH:  # an older server: no such route
            body = b'{"error": {"code": "not_found", "message": "Not Found"}}'
            return httpx.Response(404, content=body, headers={"content-type": "application/json"}, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def box() -> Iterator[EmbeddedSandbox]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.1, asset_processing_seconds=0.05)
    with EmbeddedSandbox(config) as sb:
        yield sb


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the samples take the direct-upload flow


def _copies(folder: Path, n: int) -> list[Path]:
    """``n`` distinct files (their content differs) that are valid media."""
    paths = []
    for i in range(n):
        path = folder / f"talk{i}.mp4"
        shutil.copyfile(SAMPLE_VIDEO, path)
        with path.open("ab") as f:
            f.write(bytes([i]) * (i + 1))  # trailing bytes: still an mp4 by its head, another content
        paths.append(path)
    return paths


def _client(box: EmbeddedSandbox, transport: Counting, ledger: Ledger | None = None) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(base_url=box.base_url, api_key=box.api_key, transport=transport, ledger=ledger)


async def _stored(box: EmbeddedSandbox, client: AsyncLipsyncClient, asset_id: str) -> bytes:
    url = (await client.get_asset(asset_id)).url
    assert url, f"asset {asset_id} has no URL: not ready"
    async with httpx.AsyncClient() as http:
        return (await http.get(url)).content


@pytest.mark.usefixtures("big")
async def test_many_big_files_cost_one_presign_and_one_complete(box: EmbeddedSandbox, tmp_path: Path) -> None:
    paths = _copies(tmp_path, 5)
    transport = Counting()
    async with _client(box, transport) as client:
        assets = await client.upload_many(paths)
        assert len({a.asset_id for a in assets}) == 5
        for path, asset in zip(paths, assets, strict=True):
            assert await _stored(box, client, asset.asset_id) == path.read_bytes()
    assert transport.seen[PRESIGN_BATCH] == 1 and transport.seen[COMPLETE_BATCH] == 1
    assert transport.seen["PUT storage"] == 5
    assert transport.seen[PRESIGN_ONE] == 0 and transport.seen["POST /v3/assets/{id}/complete"] == 0
    # 5 files: presign + complete + at most a few batch reads, where single uploads make 10 and a poll each.
    assert transport.seen["GET /v3/assets/batches/{id}"] <= 3


@pytest.mark.usefixtures("big")
async def test_a_server_without_upload_batches_gets_single_uploads(box: EmbeddedSandbox, tmp_path: Path) -> None:
    paths = _copies(tmp_path, 3)
    transport = Counting(no_batches=True)
    async with _client(box, transport) as client:
        assets = await client.upload_many(paths)
        for path, asset in zip(paths, assets, strict=True):
            assert await _stored(box, client, asset.asset_id) == path.read_bytes()
    assert transport.seen[PRESIGN_BATCH] == 1  # asked once, answered 404
    assert transport.seen[PRESIGN_ONE] == 3 and transport.seen["POST /v3/assets/{id}/complete"] == 3
    assert transport.seen[COMPLETE_BATCH] == 0


async def test_small_files_stay_one_multipart_post_each(box: EmbeddedSandbox, tmp_path: Path) -> None:
    paths = _copies(tmp_path, 3)
    transport = Counting()
    async with _client(box, transport) as client:
        assets = await client.upload_many(paths)
    assert len({a.asset_id for a in assets}) == 3
    assert transport.seen[MULTIPART] == 3 and transport.seen[PRESIGN_BATCH] == 0


@pytest.mark.usefixtures("big")
async def test_remembered_files_are_not_sent_again_and_a_file_given_twice_is_sent_once(
    box: EmbeddedSandbox, tmp_path: Path
) -> None:
    paths = _copies(tmp_path, 3)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    try:
        first = Counting()
        async with _client(box, first, ledger) as client:
            assets = await client.upload_many([*paths, paths[0]])
        assert assets[3].asset_id == assets[0].asset_id and first.seen["PUT storage"] == 3
        again = Counting()
        async with _client(box, again, ledger) as client:
            reused = await client.upload_many(paths)
        assert [a.asset_id for a in reused] == [a.asset_id for a in assets[:3]]
        assert again.seen["PUT storage"] == 0 and again.seen[PRESIGN_BATCH] == 0 and again.seen[MULTIPART] == 0
    finally:
        ledger.close()


@pytest.mark.usefixtures("big")
async def test_bytes_come_from_the_checked_descriptor_not_the_path(box: EmbeddedSandbox, tmp_path: Path) -> None:
    paths = _copies(tmp_path, 2)
    original = paths[0].read_bytes()
    opened = open_input(paths[0])
    try:
        swapped = tmp_path / "swap.mp4"
        shutil.copyfile(SAMPLE_AUDIO, swapped)
        os.replace(swapped, paths[0])  # another file now has the name
        async with _client(box, Counting()) as client:
            assets = await client.upload_many([opened, paths[1]])
            assert await _stored(box, client, assets[0].asset_id) == original
    finally:
        opened.close()


async def test_a_bad_file_is_named_and_nothing_is_sent(box: EmbeddedSandbox, tmp_path: Path) -> None:
    paths = _copies(tmp_path, 1)
    transport = Counting()
    async with _client(box, transport) as client:
        with pytest.raises(ValidationError) as caught:
            await client.upload_many([paths[0], tmp_path / "missing.mp4"])
    assert caught.value.field == "paths[1]" and "not found" in caught.value.reason
    assert sum(transport.seen.values()) == 0


@pytest.mark.usefixtures("big")
async def test_a_batch_create_uploads_its_big_files_in_one_upload_batch(box: EmbeddedSandbox, tmp_path: Path) -> None:
    videos = _copies(tmp_path, 4)
    transport = Counting()
    requests = [LipsyncRequest(video=FileSource(v), audio=FileSource(SAMPLE_AUDIO)) for v in videos]
    async with _client(box, transport) as client:
        batch_id = await client.create_batch(requests)
        items = (await client.get_batch(batch_id)).items
    assert len(items) == 4
    # 4 videos and the one audio they share: 5 files, one presign and one complete.
    assert transport.seen["PUT storage"] == 5
    assert transport.seen[PRESIGN_BATCH] == 1 and transport.seen[COMPLETE_BATCH] == 1
    assert transport.seen[PRESIGN_ONE] == 0


def test_the_blocking_client_uploads_many_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    paths = _copies(tmp_path, 2)
    with (
        EmbeddedSandbox(SandboxConfig(asset_processing_seconds=0)) as sb,
        LipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None) as client,
    ):
        assets = client.upload_many(paths)
    assert len({a.asset_id for a in assets}) == 2


@pytest.mark.usefixtures("big")
async def test_files_keep_their_own_keys_so_a_rerun_stores_nothing_twice(box: EmbeddedSandbox, tmp_path: Path) -> None:
    paths = _copies(tmp_path, 3)
    keys = [f"campaign-row-{i}:video" for i in range(3)]
    async with _client(box, Counting()) as client:  # no ledger: only the keys prevent a second copy
        first = await client.upload_many(paths, idempotency_keys=keys)
        again = await client.upload_many(paths, idempotency_keys=keys)
        assert [a.asset_id for a in again] == [a.asset_id for a in first]
        with pytest.raises(ValidationError) as caught:
            await client.upload_many(paths, idempotency_keys=keys[:2])
        assert caught.value.field == "idempotency_keys" and "one key per path" in caught.value.reason
