"""The whole flow over real loopback HTTP against the embedded sandbox (no mocks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from heygen_lipsync import FileSource, LipsyncClient, LipsyncRequest, NotFoundError, files
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sandbox_client() -> AsyncIterator[LipsyncClient]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.1)
    async with EmbeddedSandbox(config) as sb, LipsyncClient(base_url=sb.base_url, api_key=sb.api_key) as client:
        yield client


async def test_create_wait_download_with_local_files(sandbox_client: LipsyncClient, tmp_path: Path) -> None:
    request = LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO), enable_caption=True)
    lipsync_id = await sandbox_client.create(request)
    done = await sandbox_client.wait(lipsync_id, poll_interval=0.05, max_poll_interval=0.1)
    assert done.is_completed and done.duration
    result = await sandbox_client.download(done, tmp_path, captions=True)
    assert result.video_path.stat().st_size > 1000
    assert result.video_path.read_bytes()[4:8] == b"ftyp"
    assert result.caption_path is not None and result.caption_path.stat().st_size > 0


async def test_direct_upload_streams_to_sandbox_storage(
    sandbox_client: LipsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    asset = await sandbox_client.upload(SAMPLE_VIDEO)
    assert asset.size_bytes == SAMPLE_VIDEO.stat().st_size
    assert asset.mime_type == "video/mp4"


async def test_errors_carry_request_ids(sandbox_client: LipsyncClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await sandbox_client.get("ls_does_not_exist")
    assert info.value.request_id and info.value.request_id.startswith("req_")
