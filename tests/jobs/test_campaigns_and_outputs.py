"""Campaigns pay once per row across runs and tools; outputs stay in their folder and never replace the user's files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from heygen_lipsync import LipsyncRequest, ValidationError
from heygen_lipsync.jobs.campaign import DubEvent, DubRow, dub_many
from heygen_lipsync.jobs.report import load_report
from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig
from heygen_lipsync.store import Ledger
from tests.jobs.conftest import client_of, jobs_in
from tests.ledger.stores import Store, store

pytestmark = pytest.mark.anyio

__all__ = ["store"]  # the fixture: the campaigns below run on both stores (PostgreSQL: the shared engine)


async def _run(client: object, rows: list[DubRow], out: Path, **options: object) -> list[DubEvent]:
    return [event async for event in dub_many(client, rows, out, **options)]  # type: ignore[arg-type]


def _rows(folder: Path, audio: Path, n: int) -> list[DubRow]:
    videos = []
    for i in range(n):
        video = folder / f"talk{i}.mp4"
        video.write_bytes((folder / "talk.mp4").read_bytes() + bytes([i]))  # each its own content
        videos.append(video)
    return [DubRow(LipsyncRequest(video=v, audio=audio)) for v in videos]


async def test_two_runs_of_one_folder_at_once_pay_once_per_row(
    box: EmbeddedSandbox, media: tuple[Path, Path], store: Store, tmp_path: Path
) -> None:
    video, audio = media
    rows = _rows(video.parent, audio, 4)
    out = tmp_path / "dubbed"
    # As a user's clients do, they retry a 409 "request in progress" (the other run's upload of the same file).
    async with client_of(box, retries=3) as one, client_of(box, retries=3) as two:
        first, second = await asyncio.gather(_run(one, rows, out), _run(two, rows, out))
    assert jobs_in(box) == 4
    for events in (first, second):
        assert events[-1].totals.failed == 0, [e.message for e in events if e.kind == "failed"]
    statuses = {r.status for r in load_report(out).values()}
    assert statuses == {"done"}


async def test_a_dub_after_a_batch_of_the_same_files_reuses_its_jobs(
    box: EmbeddedSandbox, media: tuple[Path, Path], store: Store, tmp_path: Path
) -> None:
    video, audio = media
    rows = _rows(video.parent, audio, 3)
    async with client_of(box) as client:
        await client.create_batch([row.request for row in rows])
        jobs = await client.prepare([row.request for row in rows], batch=True)
        quote = await client.quote(jobs)
        quote.close()
        assert sorted(quote.reused) == [0, 1, 2] and quote.new == []  # a preview says nothing is new
        events = await _run(client, rows, tmp_path / "dubbed")
    assert events[-1].totals.done == 3
    assert jobs_in(box) == 3


async def test_outputs_stay_inside_the_folder_and_never_replace_an_input(
    box: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video, audio = media
    folder = video.parent
    async with client_of(box) as client:
        outside = [DubRow(LipsyncRequest(video=video, audio=audio), output=Path("../notes.txt"))]
        with pytest.raises(ValidationError, match=r"rows\[0\]\.output.*outside"):
            await _run(client, outside, folder)
        onto_input = [DubRow(LipsyncRequest(video=video, audio=audio), output=Path("dub.wav"))]
        with pytest.raises(ValidationError, match="one of the inputs"):
            await _run(client, onto_input, folder)
        # --out beside the videos (the default "."), with captions: the source stays as it was.
        before = video.read_bytes()
        monkeypatch.chdir(folder)
        events = await _run(client, [DubRow(LipsyncRequest(video=video, audio=audio))], Path("."), captions=True)
    assert video.read_bytes() == before
    (done,) = [e for e in events if e.kind == "done"]
    assert done.output and Path(done.output).resolve() != video.resolve() and Path(done.output).is_file()
    assert jobs_in(box) == 1


async def test_a_file_the_product_did_not_write_is_neither_done_nor_overwritten(
    box: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path, tmp_path: Path
) -> None:
    video, audio = media
    out = tmp_path / "dubbed"
    out.mkdir()
    theirs = out / "talk.mp4"
    theirs.write_bytes(b"the user's own file")
    async with client_of(box) as client:
        with pytest.raises(ValidationError, match="was not saved by heygen-lipsync; nothing was sent"):
            await _run(client, [DubRow(LipsyncRequest(video=video, audio=audio))], out)
    assert theirs.read_bytes() == b"the user's own file"
    assert jobs_in(box) == 0


async def test_delete_uploads_keeps_an_asset_another_running_job_uses(
    media: tuple[Path, Path], ledger_path: Path
) -> None:
    video, audio = media
    other = video.parent / "other.mp4"
    other.write_bytes(video.read_bytes() + b"\0")
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=30)) as slow:
        async with client_of(slow) as client:
            first = await client.create(LipsyncRequest(video=video, audio=audio))
            second = await client.create(LipsyncRequest(video=other, audio=audio))  # the same audio: one asset
            deleted = await client.delete_uploads(first)
        uploads = [r.asset_id for r in Ledger.open(ledger_path).recent(limit=None, kinds=("upload",))]
        alive = [a for a in uploads if a and slow.app.store.get_asset(a) is not None]
        assert len(uploads) == 3 and len(deleted) == 1  # first video, second video, one shared audio
        assert deleted[0] not in alive and len(alive) == 2  # the shared audio stays: the second job needs it
        assert second


async def test_a_full_disk_stops_the_run_with_one_clear_error_and_no_row_counted_failed(
    box: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    import errno
    import gc

    from heygen_lipsync.errors import CampaignStoppedError
    from heygen_lipsync.jobs import campaign_run

    video, audio = media
    rows = _rows(video.parent, audio, 4)
    real = campaign_run.save_report
    writes = {"n": 0}

    def filling_up(out: Path, records: object) -> Path:
        writes["n"] += 1
        if writes["n"] > 2:  # the disk fills up once the run is under way
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(out, records)  # type: ignore[arg-type]

    monkeypatch.setattr(campaign_run, "save_report", filling_up)
    async with client_of(box) as client:
        with pytest.raises(CampaignStoppedError, match=r"No space left on device.*run the same command again"):
            await _run(client, rows, tmp_path / "dubbed")
        gc.collect()
    assert "Task exception was never retrieved" not in caplog.text
    statuses = {r.status for r in load_report(tmp_path / "dubbed").values()}
    assert "failed" not in statuses  # unfinished rows stay resumable, never "failed"
    monkeypatch.setattr(campaign_run, "save_report", real)
    async with client_of(box) as client:  # space again: the same run resumes and finishes, paying once per row
        events = await _run(client, rows, tmp_path / "dubbed")
    assert events[-1].totals.done == 4 and jobs_in(box) == 4
