"""Daily caps see every paid job, hold across processes, and refuse (never turn off) when the ledger fails.

On both backends (``store``): a SQLite file and a shared PostgreSQL database.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from heygen_lipsync import DailyCapError, LipsyncRequest, StoreUnavailableError
from heygen_lipsync.sandbox import EmbeddedSandbox
from heygen_lipsync.sources import AssetSource, UrlSource
from heygen_lipsync.store import Ledger
from tests.jobs.conftest import client_of, jobs_in
from tests.ledger.stores import Store, store

__all__ = ["store"]  # the fixture, on both backends

pytestmark = pytest.mark.anyio


async def test_every_library_create_records_its_estimate_and_the_spend_cap_counts_it(
    box: EmbeddedSandbox, media: tuple[Path, Path], store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY", "0.15")  # one 3 s job is about $0.10
    video, audio = media
    async with client_of(box) as client:
        await client.dub(video, audio, tmp_path / "out.mp4")
        with pytest.raises(DailyCapError, match="MAX_SPEND_PER_DAY"):
            await client.create(LipsyncRequest(video=video, audio=audio, title="another"))
    (record,) = store.open().recent()
    assert record.estimate_usd == pytest.approx(0.099)
    assert jobs_in(box) == 1


async def test_a_job_of_unknown_length_is_never_counted_as_free(
    box: EmbeddedSandbox, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An asset this install did not upload, with audio from a URL: nothing here can measure it.
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY", "5")
    request = LipsyncRequest(video=AssetSource("asset_elsewhere"), audio=UrlSource("https://cdn.example.com/fr.mp3"))
    async with client_of(box) as client:
        with pytest.raises(DailyCapError, match="unknown-length rule"):
            await client.create(request)  # 5 minutes at speed's rate: about $9.90
    assert jobs_in(box) == 0


def _create_one(base_url: str, api_key: str, video: str, audio: str, n: int, out: multiprocessing.Queue) -> None:
    from heygen_lipsync import LipsyncClient

    try:
        with LipsyncClient(base_url=base_url, api_key=api_key, max_retries=0) as client:
            client.create(LipsyncRequest(video=video, audio=audio, title=f"job {n}"))
        out.put("created")
    except Exception as exc:
        out.put(type(exc).__name__)


def test_the_job_cap_holds_when_eight_processes_create_at_once(
    box: EmbeddedSandbox, media: tuple[Path, Path], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY", "1")
    video, audio = media
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_create_one, args=(box.base_url, box.api_key, str(video), str(audio), n, out))
        for n in range(8)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    outcomes = sorted(out.get(timeout=5) for _ in procs)
    assert outcomes == ["DailyCapError"] * 7 + ["created"]
    assert jobs_in(box) == 1


async def test_a_locked_ledger_refuses_a_capped_spend_quickly_and_stays_on(
    box: EmbeddedSandbox, media: tuple[Path, Path], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY", "1")
    monkeypatch.setenv("HEYGEN_LIPSYNC_STORE_WAIT_SECONDS", "0.3")
    video, audio = media
    async with client_of(box) as client:
        with store.locked():  # another process's write lock
            started = time.monotonic()
            with pytest.raises(StoreUnavailableError, match="HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY") as refused:
                await client.create(LipsyncRequest(video=video, audio=audio))
            assert time.monotonic() - started < 5  # bounded: not SQLite's 30 s busy wait, nor Postgres' forever
        assert "HEYGEN_LIPSYNC_STORE_WAIT_SECONDS" in str(refused.value)
        # The ledger was not switched off: the cap still counts, and holds.
        assert client.ledger is not None and client.ledger.usable
        await client.create(LipsyncRequest(video=video, audio=audio))
        with pytest.raises(DailyCapError):
            await client.create(LipsyncRequest(video=video, audio=audio, title="second"))
    assert jobs_in(box) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "read-only"])
async def test_an_unusable_ledger_refuses_capped_spends_and_otherwise_still_creates_once(
    box: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    video, audio = media
    if damage == "garbage":
        ledger_path.write_bytes(b"not a database at all" * 200)
    elif damage == "truncated":
        Ledger.open(ledger_path).close()
        ledger_path.write_bytes(ledger_path.read_bytes()[:700])
    else:
        ledger_path.mkdir()  # a folder where the file should be: nothing can be opened or written there
    request = LipsyncRequest(video=video, audio=audio)
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY", "5")
    async with client_of(box) as client:
        with pytest.raises(StoreUnavailableError, match="HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY is set"):
            await client.create(request)
    assert jobs_in(box) == 0
    monkeypatch.delenv("HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY")
    async with client_of(box) as client:
        first = await client.create(request)
        again = await client.create(request)  # the key derives from the request: HeyGen replays the job
    assert first == again and jobs_in(box) == 1


async def test_bad_rows_do_not_break_reading_or_creating(
    box: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path
) -> None:
    Ledger.open(ledger_path).close()
    with sqlite3.connect(ledger_path) as conn:
        conn.execute(
            "INSERT INTO jobs (created_at, updated_at, kind, base_url, inputs, hashes, status, downloads)"
            " VALUES (?, ?, 'lipsync', 'x', '{not json', '[1, 2]', 'pending', 'null')",
            (time.time(), time.time()),
        )
    video, audio = media
    ledger = Ledger.open(ledger_path)
    (bad,) = ledger.recent()
    assert bad.inputs == {} and bad.hashes == {} and bad.downloads == []
    async with client_of(box) as client:
        assert await client.create(LipsyncRequest(video=video, audio=audio))


async def test_a_locked_ledger_never_stalls_the_event_loop(
    box: EmbeddedSandbox, media: tuple[Path, Path], store: Store
) -> None:
    import asyncio

    video, audio = media
    async with client_of(box) as client:
        lipsync_id = await client.create(LipsyncRequest(video=video, audio=audio))
        locked = store.locked()
        locked.__enter__()  # another process holds the write lock
        gaps: list[float] = []

        async def ticker() -> None:
            last = time.monotonic()
            while True:
                await asyncio.sleep(0.02)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        ticking = asyncio.create_task(ticker())
        started = time.monotonic()
        await client.get(lipsync_id)  # its bookkeeping (the status) waits off the loop, then is skipped
        took = time.monotonic() - started
        ticking.cancel()
        locked.__exit__(None, None, None)
    assert took < 3
    assert max(gaps) < 0.5, max(gaps)  # other requests of a server kept being served
