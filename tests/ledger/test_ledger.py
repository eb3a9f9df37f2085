"""The job ledger: identical creates reuse their job, keys are not reused, files upload once, processes share it.

On both backends (``store``): a SQLite file and a shared PostgreSQL database.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.errors import APIConnectionError, ValidationError
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from heygen_lipsync.store import DailyCapError, DailyCaps, Ledger
from tests.ledger.stores import Store

pytestmark = pytest.mark.anyio

FAST = SandboxConfig(pending_seconds=0.05, running_seconds=0.2)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def box() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(FAST) as sb:
        yield sb


@pytest.fixture
def media(tmp_path: Path) -> tuple[Path, Path, Path]:
    video, other, audio = tmp_path / "talk.mp4", tmp_path / "clip_a.mp4", tmp_path / "dub.wav"
    shutil.copy(SAMPLE_VIDEO, video)
    shutil.copy(SAMPLE_AUDIO, audio)
    other.write_bytes(Path(SAMPLE_VIDEO).read_bytes() + b"\0")  # different content, still an mp4
    return video, other, audio


def _client(box: EmbeddedSandbox, ledger: Ledger | None, **kwargs: object) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(base_url=box.base_url, api_key=box.api_key, ledger=ledger, max_retries=0, **kwargs)  # type: ignore[arg-type]


def _jobs(box: EmbeddedSandbox) -> int:
    return len(box.app.store.list_jobs(10_000_000, None))


def _assets(box: EmbeddedSandbox) -> int:
    return len(box.app.store._all("SELECT id FROM assets"))


async def test_identical_create_reuses_the_job(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store
) -> None:
    video, _, audio = media
    ledger = store.open()
    async with _client(box, ledger) as client:
        first = await client.submit(LipsyncRequest(video=video, audio=audio))
        again = await client.submit(LipsyncRequest(video=video, audio=audio))
        fresh = await client.submit(LipsyncRequest(video=video, audio=audio), new_job=True)
    assert (again.id, again.reused) == (first.id, True)
    assert not first.reused and fresh.id != first.id
    assert _jobs(box) == 2


async def test_lost_response_retried_makes_one_job(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store
) -> None:
    video, _, audio = media
    box.set_faults(commit_then_drop_rate=1.0, paths=("/v3/lipsyncs",))
    async with _client(box, store.open()) as client:
        with pytest.raises(APIConnectionError):
            await client.create(LipsyncRequest(video=video, audio=audio))
    box.set_faults()
    # A second process (its own client and connection to the same ledger file) retries with no key.
    async with _client(box, store.open()) as client:
        lipsync_id = await client.create(LipsyncRequest(video=video, audio=audio))
    assert _jobs(box) == 1
    assert box.app.store.get_job(lipsync_id) is not None


async def test_lost_response_retried_in_a_replica_with_its_own_ledger(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    video, _, audio = media
    box.set_faults(commit_then_drop_rate=1.0, paths=("/v3/lipsyncs",))
    async with _client(box, Ledger.open(tmp_path / "a.sqlite3")) as client:
        with pytest.raises(APIConnectionError):
            await client.create(LipsyncRequest(video=video, audio=audio))
    box.set_faults()
    async with _client(box, Ledger.open(tmp_path / "b.sqlite3")) as client:
        await client.create(LipsyncRequest(video=video, audio=audio))
    assert _jobs(box) == 1  # the derived key is the same on every replica


async def test_key_reused_for_another_video_is_refused_before_upload(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store
) -> None:
    video, other, audio = media
    async with _client(box, store.open()) as client:
        first = await client.create(LipsyncRequest(video=video, audio=audio), idempotency_key="dub-sample-1")
        uploads = _assets(box)
        with pytest.raises(ValidationError) as caught:
            await client.create(LipsyncRequest(video=other, audio=audio), idempotency_key="dub-sample-1")
    assert caught.value.field == "idempotency_key" and first in caught.value.message
    assert _assets(box) == uploads and _jobs(box) == 1


async def test_same_file_in_ten_creates_is_uploaded_once(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store
) -> None:
    video, _, audio = media
    async with _client(box, store.open()) as client:
        for i in range(10):
            await client.create(LipsyncRequest(video=video, audio=audio, title=f"take {i}"))
    assert _jobs(box) == 10
    assert _assets(box) == 2  # the video once, the audio once


async def test_a_failed_earlier_job_does_not_block(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store
) -> None:
    video, _, audio = media
    ledger = store.open()
    assert ledger is not None
    async with _client(box, ledger) as client:
        first = await client.create(LipsyncRequest(video=video, audio=audio))
        await client.delete(first)
        second = await client.submit(LipsyncRequest(video=video, audio=audio))
    assert second.id != first and not second.reused


def _write_records(path: str, n: int) -> None:
    ledger = Ledger.open(path)
    assert ledger is not None
    for i in range(n):
        row = ledger.record(kind="lipsync", base_url="https://api.example", fingerprint=f"fp{i}", idempotency_key=None)
        ledger.update(row, lipsync_id=f"ls_{i}", status="pending")


def test_two_processes_write_at_once(store: Store) -> None:
    path = store.target
    Ledger.open(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_records, args=(path, 20)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    ledger = Ledger.open(path)
    assert ledger is not None and len(ledger.recent(limit=None)) == 40


async def test_corrupt_ledger_warns_and_creates_work(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    video, _, audio = media
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="heygen_lipsync.store"):
        ledger = Ledger.open(path)
        Ledger.open(path)
    # Kept, not dropped: it finds nothing, and a spend that needs it (a cap, a token) refuses.
    assert ledger is not None and not ledger.usable and "not a database" in (ledger.failure or "")
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "cannot be used" in caplog.records[0].message
    async with _client(box, ledger) as client:
        assert await client.create(LipsyncRequest(video=video, audio=audio))


async def test_daily_job_cap_counts_unknown_outcomes(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    video, _, audio = media
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY", "1")
    ledger = store.open()
    assert ledger is not None
    ledger.record(kind="lipsync", base_url="https://elsewhere.example", fingerprint="x")  # unknown outcome
    async with _client(box, ledger) as client:
        with pytest.raises(DailyCapError):
            await client.create(LipsyncRequest(video=video, audio=audio))
    assert _jobs(box) == 0 and DailyCaps.from_env().max_jobs == 1


async def test_upload_reuses_an_asset_by_content_and_uploads_again_once_it_is_gone(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store
) -> None:
    video, other, _ = media
    copy = tmp_path / "copy of talk.mp4"
    shutil.copy(video, copy)
    ledger = store.open()
    async with _client(box, ledger) as client:
        first = await client.upload(video)
        again = await client.upload(copy)  # another name, the same bytes
        assert again.asset_id == first.asset_id and _assets(box) == 1
        assert (await client.upload(other)).asset_id != first.asset_id and _assets(box) == 2
        await client.delete_asset(first.asset_id)
        fresh = await client.upload(video)
    assert fresh.asset_id != first.asset_id, "HeyGen no longer had it: uploaded again"
    assert _assets(box) == 2


async def test_with_the_ledger_on_a_new_file_is_read_once_and_still_reused_later(
    box: EmbeddedSandbox, media: tuple[Path, Path, Path], tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No remembered upload has the file's size, so no content could match: it is hashed as it is sent."""
    from heygen_lipsync.media.opened import OpenedInput

    read: list[int] = []
    real_read_at = OpenedInput.read_at

    def counting_read_at(self: OpenedInput, offset: int, size: int) -> bytes:
        data = real_read_at(self, offset, size)
        read.append(len(data))
        return data

    monkeypatch.setattr(OpenedInput, "read_at", counting_read_at)
    video, _, _ = media
    size = video.stat().st_size
    same_size = tmp_path / "same size.mp4"  # as long as the video, one byte different
    same_size.write_bytes(video.read_bytes()[:-1] + bytes([video.read_bytes()[-1] ^ 1]))
    copy = tmp_path / "copy of talk.mp4"
    shutil.copy(video, copy)
    ledger = store.open()
    async with _client(box, ledger) as client:
        first = await client.upload(video)
        assert sum(read) <= size + 4096, f"a new file was read {sum(read) / size:.1f} times"
        read.clear()
        other = await client.upload(same_size)  # a remembered upload has its size: hashed first, not reused
        assert other.asset_id != first.asset_id and _assets(box) == 2
        assert sum(read) >= 2 * size
        read.clear()
        assert (await client.upload(copy)).asset_id == first.asset_id, "the hash taken while sending was kept"
        assert (await client.upload(same_size)).asset_id == other.asset_id
    assert _assets(box) == 2
