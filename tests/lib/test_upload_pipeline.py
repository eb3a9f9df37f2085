"""A direct upload's fixed costs shrink: the PUT's first piece is small, so its first byte
waits for little, and what ``complete`` needs is loaded while the PUT sends (issue 24, "Speed").

The guarantees stay: every byte comes from the descriptor that was checked, and the checksum
sent to ``complete`` is that of the bytes sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.resources.put_body import HashingPutBody
from heygen_lipsync.sources import open_checked
from tests.lib.fakeapi import FakeHeyGen
from tests.lib.test_sources import MP4

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
PRESIGN = "/v3/assets/direct-uploads"


@pytest.fixture
def video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the direct flow
    monkeypatch.setattr(files, "UPLOAD_CHUNK_SIZE", 4096)  # several pieces
    path = tmp_path / "talk.mp4"
    path.write_bytes(MP4 + bytes(range(256)) * 100)
    return path


class Reads:
    """Every ``read_at`` of an opened file, as (offset, size), in the order they finished."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.done: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        original = OpenedInput.read_at

        def read_at(opened: OpenedInput, offset: int, size: int) -> bytes:
            data = original(opened, offset, size)
            with self._lock:
                self.done.append((offset, size))
            return data

        monkeypatch.setattr(OpenedInput, "read_at", read_at)


async def test_the_puts_first_piece_is_small_and_the_next_ones_grow_to_the_full_size(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The PUT's first byte waits for a sixteenth of a piece to be read and hashed, not a whole
    # one; each next piece is as large as all the bytes before it, up to the full size.
    reads = Reads(monkeypatch)
    asset = await client.upload(video)
    data = video.read_bytes()
    pieces = reads.done[1:]  # after the sniff of the file's first bytes
    assert [size for _, size in pieces[:7]] == [256, 256, 512, 1024, 2048, 4096, 4096]
    assert [offset for offset, _ in pieces] == sorted({offset for offset, _ in pieces})  # in order, once each
    assert sum(size for _, size in pieces) == len(data)
    assert fake.uploads[asset.asset_id] == data
    complete = json.loads(fake.calls("POST", f"/v3/assets/{asset.asset_id}/complete")[0].content)
    assert complete == {"checksum_sha256": hashlib.sha256(data).hexdigest()}


async def test_a_retried_put_resends_the_prefetched_bytes_and_their_checksum(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path
) -> None:
    fake.script.append(lambda r: httpx.Response(503) if r.method == "PUT" else None)
    asset = await client.upload(video)
    puts = [r for r in fake.requests if r.method == "PUT"]
    data = video.read_bytes()
    assert len(puts) == 2 and all(p.content == data for p in puts)
    complete = json.loads(fake.calls("POST", f"/v3/assets/{asset.asset_id}/complete")[0].content)
    assert complete == {"checksum_sha256": hashlib.sha256(data).hexdigest()}


async def test_the_next_piece_is_read_only_once_the_one_before_is_handed_on(
    video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One piece at a time: the upload never keeps a second core busy reading and hashing ahead
    # of the socket (on a two-core machine that core was the receiver's), and holds one piece.
    reads = Reads(monkeypatch)
    opened = open_checked(video, field="file")
    try:
        body = HashingPutBody(opened, video.stat().st_size)
        received: list[bytes] = []
        async for piece in body:
            received.append(piece)
            await asyncio.sleep(0.05)  # a read running ahead would be done by now
            assert len(reads.done) == len(received)  # none read beyond the piece in hand
    finally:
        opened.close()
    data = video.read_bytes()
    assert len(received) > 5 and b"".join(received) == data
    assert body.hexdigest == hashlib.sha256(data).hexdigest()


_LOADED_DURING_PUT = """
import asyncio, sys
from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.media import files
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen

NAME = "heygen_lipsync_api.api.assets.complete_asset_direct_upload"
files.MULTIPART_MAX_BYTES = 1024
fake = FakeHeyGen()
seen = []

def put_arrives(request):
    if request.method == "PUT":  # the body has been sent, no answer yet: is complete's code loaded?
        seen.append(NAME in sys.modules)

fake.script.append(put_arrives)

async def main():
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=fake.transport()) as client:
        await client.upload(sys.argv[1])

asyncio.run(main())
print(seen)
"""


def test_what_complete_needs_is_loaded_while_the_put_sends(video: Path) -> None:
    # In a fresh interpreter: the first upload of a process is the one that pays for imports.
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_DURING_PUT, str(video)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[True]"
