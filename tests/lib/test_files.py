"""Uploads (multipart and direct) and atomic downloads."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import (
    AsyncLipsyncClient,
    DownloadError,
    FileSource,
    Lipsync,
    LipsyncRequest,
    UploadEvent,
    UploadEvents,
    ValidationError,
)
from heygen_lipsync.media import files
from heygen_lipsync.sources import validate_idempotency_key
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen, envelope_error
from tests.lib.test_sources import MP4, SAMPLES

pytestmark = pytest.mark.anyio


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "talk.mp4"
    path.write_bytes(MP4 + bytes(range(256)) * 40)
    return path


async def test_small_upload_is_multipart_with_key(client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path) -> None:
    progress: list[tuple[int, int]] = []
    asset = await client.upload(video, on_progress=lambda sent, total: progress.append((sent, total)))
    stored = fake.assets[asset.asset_id]
    assert stored["content"] == video.read_bytes()
    assert 'filename="talk.mp4"' in stored["part_headers"] and "video/mp4" in stored["part_headers"]
    call = fake.calls("POST", "/v3/assets")[0]
    assert call.headers["idempotency-key"]
    assert progress[-1] == (video.stat().st_size, video.stat().st_size)
    assert asset.size_bytes == video.stat().st_size


async def test_multipart_upload_retried_resends_whole_file(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path
) -> None:
    fake.script.append(lambda r: envelope_error(503, "internal_error", "busy") if r.url.path == "/v3/assets" else None)
    asset = await client.upload(video)
    calls = fake.calls("POST", "/v3/assets")
    assert len(calls) == 2 and calls[0].headers["idempotency-key"] == calls[1].headers["idempotency-key"]
    assert fake.assets[asset.asset_id]["content"] == video.read_bytes()


async def test_large_upload_uses_direct_flow(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # make the test file count as "large"
    monkeypatch.setattr(files, "CHUNK_SIZE", 1000)
    progress: list[int] = []
    asset = await client.upload(video, on_progress=lambda sent, total: progress.append(sent))
    data = video.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    presign = json.loads(fake.calls("POST", "/v3/assets/direct-uploads")[0].content)
    assert presign == {
        "filename": "talk.mp4",
        "content_type": "video/mp4",
        "size_bytes": len(data),
    }  # the checksum goes to complete, computed while sending: the file is read once
    assert fake.calls("POST", "/v3/assets/direct-uploads")[0].headers["idempotency-key"]
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.headers["x-amz-meta-asset"] == asset.asset_id  # upload_headers sent verbatim
    assert put.headers["content-type"] == "video/mp4"
    assert "x-api-key" not in put.headers and "authorization" not in put.headers  # no credentials to storage
    assert fake.uploads[asset.asset_id] == data
    complete = json.loads(fake.calls("POST", f"/v3/assets/{asset.asset_id}/complete")[0].content)
    assert complete == {"checksum_sha256": digest}
    assert asset.size_bytes == len(data) and progress[-1] == len(data)


async def test_direct_upload_put_retried_with_same_bytes(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    fake.script.append(lambda r: httpx.Response(503) if r.method == "PUT" else None)
    asset = await client.upload(video)
    assert len([r for r in fake.requests if r.method == "PUT"]) == 2
    assert fake.uploads[asset.asset_id] == video.read_bytes()


async def test_unsupported_file_rejected_before_any_request(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    doc = tmp_path / "notes.mp4"
    doc.write_text("plain text pretending to be a video")
    with pytest.raises(ValidationError) as info:
        await client.upload(doc)
    assert info.value.field == "file"
    with pytest.raises(ValidationError, match="not found"):
        await client.upload(tmp_path / "missing.wav")
    assert fake.requests == []


async def test_create_uploads_local_files_first(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, tmp_path: Path
) -> None:
    audio = tmp_path / "dub.wav"
    audio.write_bytes(SAMPLES["audio/wav"])
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    lipsync_id = await client.create(request)
    body = fake.jobs[lipsync_id]["_body"]
    assert body["video"]["type"] == "asset_id" and body["audio"]["type"] == "asset_id"
    assert fake.assets[body["video"]["asset_id"]]["content"] == video.read_bytes()
    # The uploads' keys derive from the create's key, so retrying the whole create reuses them.
    create_key = fake.calls("POST", "/v3/lipsyncs")[0].headers["idempotency-key"]
    upload_keys = [r.headers["idempotency-key"] for r in fake.calls("POST", "/v3/assets")]
    assert [k.rsplit(":", 1)[1] for k in upload_keys] == ["video", "audio"] and create_key not in upload_keys
    assert await client.create(request, idempotency_key=create_key) == lipsync_id
    assert [r.headers["idempotency-key"] for r in fake.calls("POST", "/v3/assets")][2:] == upload_keys


async def test_create_with_unsupported_local_file_names_field(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, tmp_path: Path
) -> None:
    audio = tmp_path / "dub.wav"
    audio.write_text("not audio")
    with pytest.raises(ValidationError) as info:
        await client.create(LipsyncRequest(video=FileSource(video), audio=FileSource(audio)))
    assert info.value.field == "audio"
    assert fake.requests == []


# -- download ---------------------------------------------------------------------------


async def completed_job(fake: FakeHeyGen, **body: object) -> str:
    job = fake.add_job(_body=body)
    fake.finish(fake.jobs[job])
    return job


async def test_download_to_directory(client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path) -> None:
    job = await completed_job(fake, enable_caption=True)
    result = await client.download(job, tmp_path, captions=True)
    assert result.video_path == tmp_path / f"{job}.mp4"
    assert result.video_path.read_bytes() == f"video of {job}".encode()
    assert result.caption_path == tmp_path / f"{job}.srt" and result.caption_path.read_text().startswith("1\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    storage_gets = [r for r in fake.requests if r.url.host == "storage.test"]
    assert storage_gets and all("x-api-key" not in r.headers for r in storage_gets)


async def test_downloaded_file_gets_the_usual_mode_not_a_private_one(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    job = await completed_job(fake)
    result = await client.download(job, tmp_path)
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(result.video_path.stat().st_mode) == 0o666 & ~umask


async def test_download_never_overwrites_unless_asked(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    job = await completed_job(fake)
    target = tmp_path / "out.mp4"
    target.write_bytes(b"precious")
    with pytest.raises(DownloadError, match="overwrite"):
        await client.download(job, target)
    assert target.read_bytes() == b"precious"
    result = await client.download(job, target, overwrite=True)
    assert target.read_bytes() == f"video of {job}".encode() and result.bytes_written == target.stat().st_size


async def test_expired_url_says_fetch_again(client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path) -> None:
    stale = Lipsync(id="ls_old", status="completed", video_url="https://storage.test/files/gone.mp4?sig=old")
    with pytest.raises(DownloadError) as info:
        await client.download(stale, tmp_path / "out.mp4")
    assert "fetch the job again" in str(info.value) and "ls_old" in str(info.value)
    assert list(tmp_path.iterdir()) == []  # no partial or temp file left behind


async def test_short_read_leaves_nothing(client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path) -> None:
    job = await completed_job(fake)
    fake.script.append(
        lambda r: (
            httpx.Response(200, content=b"abc", headers={"content-length": "3000"})
            if r.url.host == "storage.test"
            else None
        )
    )
    with pytest.raises(DownloadError, match="cut short"):
        await client.download(job, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


async def test_download_of_unfinished_job_is_refused(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    running = Lipsync(id="ls_run", status="running")
    with pytest.raises(DownloadError, match="not completed"):
        await client.download(running, tmp_path)
    failed = Lipsync(id="ls_f", status="failed", failure_message="No face")
    with pytest.raises(DownloadError, match="No face"):
        await client.download(failed, tmp_path)
    assert fake.requests == []


async def test_download_into_missing_directory_is_clear(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    job = await completed_job(fake)
    with pytest.raises(DownloadError, match="does not exist"):
        await client.download(job, tmp_path / "nope" / "out.mp4")


async def test_complete_is_resent_after_a_5xx(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # POST .../complete is documented as idempotent: a 502 there must not waste the whole upload.
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    fake.script.append(lambda r: httpx.Response(502) if r.url.path.endswith("/complete") else None)
    asset = await client.upload(video)
    assert len(fake.calls("POST", f"/v3/assets/{asset.asset_id}/complete")) == 2


async def test_download_to_missing_directory_with_trailing_slash(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    job = await completed_job(fake)
    with pytest.raises(DownloadError, match="does not exist"):
        await client.download(job, f"{tmp_path}/missing/")
    assert not (tmp_path / "missing").exists()


async def test_the_direct_upload_threshold_is_32_mib_inclusive(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HeyGen's multipart limit is 32 MB: a file of exactly that size still goes multipart.
    assert files.MULTIPART_MAX_BYTES == 32 * 1024 * 1024
    size = video.stat().st_size
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", size)
    await client.upload(video)
    assert len(fake.calls("POST", "/v3/assets")) == 1 and not fake.calls("POST", "/v3/assets/direct-uploads")
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", size - 1)
    await client.upload(video)
    assert len(fake.calls("POST", "/v3/assets")) == 1 and len(fake.calls("POST", "/v3/assets/direct-uploads")) == 1


async def test_a_failed_caption_download_leaves_no_video_so_the_retry_works(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    job = await completed_job(fake, enable_caption=True)
    fake.script.append(lambda r: httpx.Response(403) if r.url.path.endswith(".srt") else None)
    with pytest.raises(DownloadError, match="fetch the job again"):
        await client.download(job, tmp_path, captions=True)
    assert list(tmp_path.iterdir()) == []
    result = await client.download(job, tmp_path, captions=True)  # no overwrite needed
    assert result.video_path.exists() and result.caption_path is not None and result.caption_path.exists()


class StreamingTransport(httpx.AsyncBaseTransport):
    """Reads each attempt's body from its stream, as a network transport does (MockTransport
    caches the first attempt's bytes, so a retry would not read the file again)."""

    def __init__(self, fake: FakeHeyGen) -> None:
        self.fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join([chunk async for chunk in request.stream])  # type: ignore[union-attr]
        return self.fake.handle(httpx.Request(request.method, request.url, headers=request.headers, content=body))


@pytest.fixture
async def streaming_client(fake: FakeHeyGen, clock: object) -> AsyncIterator[AsyncLipsyncClient]:
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=StreamingTransport(fake)) as c:
        yield c


async def test_upload_events_say_which_field_file_and_attempt(
    streaming_client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, tmp_path: Path
) -> None:
    # A relay summing (sent, total) cannot tell a retry of the video from the audio starting;
    # an event names the field, the file and the attempt.
    audio = tmp_path / "dub.wav"
    audio.write_bytes(SAMPLES["audio/wav"])
    first = [True]

    def fail_first_video_upload(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v3/assets" and first[0]:
            first[0] = False
            return envelope_error(503, "internal_error", "busy")
        return None

    fake.script.append(fail_first_video_upload)
    events: list[UploadEvent] = []
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    await streaming_client.create(request, on_upload_progress=UploadEvents(events.append))
    seen = [(e.field, e.path, e.attempt) for e in events]
    assert list(dict.fromkeys(seen)) == [("video", video, 1), ("video", video, 2), ("audio", audio, 1)]
    video_size, audio_size = video.stat().st_size, audio.stat().st_size
    assert [(e.sent, e.total) for e in events if e.field == "video" and e.sent == e.total] == [
        (video_size, video_size)
    ] * 2
    assert events[-1].sent == events[-1].total == audio_size


async def test_direct_upload_events_count_a_retried_put_as_the_next_attempt(
    streaming_client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    fake.script.append(lambda r: httpx.Response(503) if r.method == "PUT" else None)
    events: list[UploadEvent] = []
    await streaming_client.upload(video, on_progress=UploadEvents(events.append))
    assert {e.field for e in events} == {"file"}
    assert [e.attempt for e in events if e.sent == e.total] == [1, 2]


async def test_a_long_key_still_gives_each_batch_item_its_own_uploads(
    client: AsyncLipsyncClient, fake: FakeHeyGen, video: Path, tmp_path: Path
) -> None:
    # Keys derived by cutting the caller's key to 255 characters collided: item B's upload
    # replayed item A's and B silently used A's video.
    other = tmp_path / "other.mp4"
    other.write_bytes(MP4 + bytes(reversed(range(256))) * 40)
    audio = tmp_path / "dub.wav"
    audio.write_bytes(SAMPLES["audio/wav"])
    key = "k" * 255
    items = [LipsyncRequest(video=FileSource(path), audio=FileSource(audio)) for path in (video, other)]
    batch_id = await client.create_batch(items, idempotency_key=key)
    sent = json.loads(fake.calls("POST", "/v3/lipsyncs/batches")[0].content)["lipsyncs"]
    used = [fake.assets[item["video"]["asset_id"]]["content"] for item in sent]
    assert used == [video.read_bytes(), other.read_bytes()]
    upload_keys = [r.headers["idempotency-key"] for r in fake.calls("POST", "/v3/assets")]
    # Two videos and the audio both items share (the same file: uploaded once), each under its own key.
    assert len(upload_keys) == len(set(upload_keys)) == 3 and all(len(k) <= 255 for k in upload_keys)
    assert all(validate_idempotency_key(k) == k for k in upload_keys)
    # Stable: the same caller key derives the same upload keys, so a retried batch replays them.
    assert await client.create_batch(items, idempotency_key=key) == batch_id
    assert [r.headers["idempotency-key"] for r in fake.calls("POST", "/v3/assets")][3:] == upload_keys
