"""The whole flow over real loopback HTTP against the embedded sandbox (no mocks)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest, NotFoundError
from heygen_lipsync.media import files
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sandbox_client() -> AsyncIterator[AsyncLipsyncClient]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.1)
    async with EmbeddedSandbox(config) as sb, AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key) as client:
        yield client


async def test_create_wait_download_with_local_files(sandbox_client: AsyncLipsyncClient, tmp_path: Path) -> None:
    # No enable_caption (deprecated): every completed job has captions; downloading them is the choice.
    request = LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO))
    lipsync_id = await sandbox_client.create(request)
    done = await sandbox_client.wait(lipsync_id, poll_interval=0.05, max_poll_interval=0.1)
    assert done.is_completed and done.duration
    result = await sandbox_client.download(done, tmp_path, captions=True)
    assert result.video_path.stat().st_size > 1000
    assert result.video_path.read_bytes()[4:8] == b"ftyp"
    assert result.caption_path is not None and result.caption_path.stat().st_size > 0


async def test_direct_upload_streams_to_sandbox_storage(
    sandbox_client: AsyncLipsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    asset = await sandbox_client.upload(SAMPLE_VIDEO)
    assert asset.size_bytes == SAMPLE_VIDEO.stat().st_size
    assert asset.mime_type == "video/mp4"


async def test_a_direct_upload_run_twice_with_one_key_gives_the_same_asset(
    sandbox_client: AsyncLipsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second run replays the presign, whose upload is already complete: the sandbox's
    # storage answers the PUT with 409 "already complete", which means there is nothing to do.
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    first = await sandbox_client.upload(SAMPLE_VIDEO, idempotency_key="direct-upload-twice")
    again = await sandbox_client.upload(SAMPLE_VIDEO, idempotency_key="direct-upload-twice")
    assert again.asset_id == first.asset_id and again.size_bytes == SAMPLE_VIDEO.stat().st_size


async def test_errors_carry_request_ids(sandbox_client: AsyncLipsyncClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await sandbox_client.get("ls_does_not_exist")
    assert info.value.request_id and info.value.request_id.startswith("req_")


async def test_create_whose_response_is_lost_makes_one_job(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sandbox carries out the POST and then drops the connection. The library retries
    # with the same Idempotency-Key (the fault is lifted while it backs off) and gets the
    # first job's id replayed: exactly one job exists.
    from heygen_lipsync import AssetSource
    from heygen_lipsync._transport import http as _http
    from heygen_lipsync.sandbox import FaultConfig

    config = SandboxConfig(pending_seconds=5, running_seconds=5)
    async with EmbeddedSandbox(config) as sb, AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key) as client:
        video = await client.upload(SAMPLE_VIDEO)
        audio = await client.upload(SAMPLE_AUDIO)
        retries: list[float] = []

        async def lift_fault_then_retry(seconds: float) -> None:
            retries.append(seconds)
            sb.set_faults()

        monkeypatch.setattr(_http, "_sleep", lift_fault_then_retry)
        sb.set_faults(FaultConfig(commit_then_drop_rate=1.0, paths=("/v3/lipsyncs",)))
        lipsync_id = await client.create(
            LipsyncRequest(video=AssetSource(video.asset_id), audio=AssetSource(audio.asset_id))
        )
        jobs = [job.id async for job in client.iter_lipsyncs()]
    assert len(retries) == 1
    assert jobs == [lipsync_id]


async def test_a_batch_over_the_cap_queues_and_wait_many_sees_every_item_finish() -> None:
    from heygen_lipsync import AssetSource

    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.3, max_concurrent_jobs=2)
    async with EmbeddedSandbox(config) as sb, AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key) as client:
        video = await client.upload(SAMPLE_VIDEO)
        audio = await client.upload(SAMPLE_AUDIO)
        item = LipsyncRequest(video=AssetSource(video.asset_id), audio=AssetSource(audio.asset_id))
        started = time.monotonic()
        batch = await client.get_batch(await client.create_batch([item] * 5))
        ids = [i.lipsync_id for i in batch.items if i.lipsync_id]
        seen: set[str] = set()
        done = await client.wait_many(
            ids, poll_interval=0.05, max_poll_interval=0.1, on_progress=lambda j, _: seen.add(j.status)
        )
        # Two at a time, 0.35 s each: three waves. Started all at once, they would take one.
        assert time.monotonic() - started >= 3 * 0.35 - 0.05
    assert [d.status for d in done.values()] == ["completed"] * 5
    assert "pending" in seen  # the statuses endpoint's "queued", in the lipsync's own vocabulary
