"""delete_uploads: the assets a create uploaded from local files go once the job is done; ids passed in stay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync import AssetSource, AsyncLipsyncClient, FileSource, LipsyncRequest, NotFoundError
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from heygen_lipsync.store import Ledger

pytestmark = pytest.mark.anyio

FAST = {"poll_interval": 0.05, "max_poll_interval": 0.1}


@pytest.fixture
def box() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=0.1)) as sb:
        yield sb


def _client(box: EmbeddedSandbox, ledger: Ledger | None = None) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(base_url=box.base_url, api_key=box.api_key, ledger=ledger)


async def _gone(client: AsyncLipsyncClient, asset_id: str) -> bool:
    try:
        await client.get_asset(asset_id)
    except NotFoundError:
        return True
    return False


async def test_wait_deletes_the_uploaded_files_but_not_an_asset_passed_by_id(box: EmbeddedSandbox) -> None:
    async with _client(box) as client:
        mine = await client.upload(SAMPLE_AUDIO)
        outcome = await client.submit(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=AssetSource(mine.asset_id)))
        uploaded = client.uploads.pop(outcome.id)
        assert uploaded is not None and len(uploaded) == 1
        client.uploads.note(outcome.id, list(uploaded))
        done = await client.wait(outcome.id, delete_uploads=True, **FAST)
        assert done.is_completed
        assert await _gone(client, uploaded[0])
        assert not await _gone(client, mine.asset_id)  # the user's own asset id is never deleted


async def test_download_deletes_after_saving(box: EmbeddedSandbox, tmp_path: Path) -> None:
    async with _client(box) as client:
        lipsync_id = await client.create(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO)))
        done = await client.wait(lipsync_id, **FAST)
        remembered = client.uploads.pop(lipsync_id)
        assert remembered is not None and len(remembered) == 2
        client.uploads.note(lipsync_id, list(remembered))
        result = await client.download(done, tmp_path, delete_uploads=True)
        assert result.video_path.is_file()
        assert [await _gone(client, a) for a in remembered] == [True, True]


async def test_another_process_finds_the_uploads_in_the_ledger(box: EmbeddedSandbox, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    async with _client(box, Ledger.open(path)) as first:
        lipsync_id = await first.create(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO)))
        remembered = first.uploads.pop(lipsync_id)
    assert remembered is not None
    async with _client(box, Ledger.open(path)) as later:  # a new process: nothing in memory
        await later.wait(lipsync_id, **FAST)
        deleted = await later.delete_uploads(lipsync_id)
        assert sorted(deleted) == sorted(remembered)
        assert [await _gone(later, a) for a in remembered] == [True, True]
        assert await later.delete_uploads(lipsync_id) == []  # forgotten: nothing left to delete
