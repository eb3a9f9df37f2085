"""A direct upload's fixed costs overlap its waits: the PUT starts with its first piece ready,
and what ``complete`` needs is loaded while the PUT sends (issue 24, "Speed").

The guarantees stay: every byte comes from the descriptor that was checked, the checksum
sent to ``complete`` is that of the bytes sent, and no read of the file outlives the upload.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, BadRequestError
from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput
from tests.lib.fakeapi import FakeHeyGen, envelope_error
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
    """Every ``read_at`` of an opened file: (offset, size), and how many are running now."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> None:
        self.done: list[tuple[int, int]] = []
        self.running = 0
        self._lock = threading.Lock()
        original = OpenedInput.read_at

        def read_at(opened: OpenedInput, offset: int, size: int) -> bytes:
            with self._lock:
                self.running += 1
            try:
                time.sleep(delay)
                return original(opened, offset, size)
            finally:
                with self._lock:
                    self.running -= 1
                    self.done.append((offset, size))

        monkeypatch.setattr(OpenedInput, "read_at", read_at)

    def wait_for(self, read: tuple[int, int], timeout: float = 5.0) -> bool:
        end = time.monotonic() + timeout
        while read not in self.done:
            if time.monotonic() > end:
                return False
            time.sleep(0.005)
        return True


async def test_the_first_piece_is_read_while_the_presign_is_on_its_way(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    seen_during_presign: list[bool] = []

    def presign_waits_for_the_first_piece(request: httpx.Request) -> None:
        if request.url.path == PRESIGN:  # a slow presign: the first piece is read meanwhile
            seen_during_presign.append(reads.wait_for((0, 4096)))

    fake.script.append(presign_waits_for_the_first_piece)
    asset = await client.upload(video)
    assert seen_during_presign == [True]
    data = video.read_bytes()
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


async def test_a_refused_presign_leaves_no_read_of_the_file_running(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first piece's read is slower than the presign's refusal: the upload still ends
    # only once it is over, since the file's descriptor is closed right after.
    reads = Reads(monkeypatch, delay=0.3)
    fake.script.append(lambda r: envelope_error(400, "invalid_parameter", "no") if r.url.path == PRESIGN else None)
    with pytest.raises(BadRequestError):
        await client.upload(video)
    assert reads.running == 0
    assert (0, 4096) in reads.done


_LOADED_DURING_PUT = """
import asyncio, sys, time
import httpx
from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.media import files
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen

NAME = "heygen_lipsync_api.api.assets.complete_asset_direct_upload"
files.MULTIPART_MAX_BYTES = 1024
fake = FakeHeyGen()
seen = []

def put_waits(request):
    if request.method == "PUT":  # the body has been sent: is complete's code already loaded?
        end = time.monotonic() + 5
        while NAME not in sys.modules and time.monotonic() < end:
            time.sleep(0.005)
        seen.append(NAME in sys.modules)

fake.script.append(put_waits)

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
