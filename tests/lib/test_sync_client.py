"""The blocking LipsyncClient: the async client's methods, results and errors, from scripts and threads."""

from __future__ import annotations

import inspect
import threading
from pathlib import Path

import pytest

from heygen_lipsync import (
    AsyncLipsyncClient,
    JobFailedError,
    LipsyncClient,
    NotFoundError,
    SyncClientInAsyncContextError,
)
from tests.lib.conftest import FakeClock
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen
from tests.lib.test_sources import MP4


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    out = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or not callable(member):
            continue
        out[name] = inspect.signature(member)
    return out


def test_sync_and_async_clients_have_the_same_methods_and_signatures() -> None:
    sync, async_ = public_methods(LipsyncClient), public_methods(AsyncLipsyncClient)
    assert sync.pop("close") and async_.pop("aclose")  # httpx's naming: Client.close / AsyncClient.aclose
    assert sorted(sync) == sorted(async_)
    for name, signature in async_.items():
        assert list(sync[name].parameters.values()) == list(signature.parameters.values()), name
    assert inspect.signature(LipsyncClient.__init__) == inspect.signature(AsyncLipsyncClient.__init__)
    assert isinstance(LipsyncClient.__dict__["with_raw_response"], property)


@pytest.fixture
def sync_client(fake: FakeHeyGen, clock: FakeClock) -> LipsyncClient:
    with LipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=fake.transport()) as c:
        yield c


def test_sync_dub_from_a_script_saves_the_finished_video(
    sync_client: LipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    seen: list[str] = []
    video = tmp_path / "talk.mp4"
    video.write_bytes(MP4 + bytes(256))
    result = sync_client.dub(
        video,
        "https://cdn.example/dub.mp3",
        tmp_path,
        title="demo",
        on_progress=lambda j, _t: seen.append(j.status),
    )
    assert result.lipsync.is_completed and seen[-1] == "completed"
    assert result.video_path == tmp_path / f"{result.lipsync.id}.mp4"
    assert result.video_path.read_bytes() == f"video of {result.lipsync.id}".encode()
    assert len(fake.calls("POST", "/v3/assets")) == 1  # the local video was uploaded first
    created = fake.calls("POST", "/v3/lipsyncs")
    assert len(created) == 1 and b'"title":"demo"' in created[0].content.replace(b" ", b"")


def test_sync_errors_are_the_async_clients_own(sync_client: LipsyncClient, fake: FakeHeyGen) -> None:
    with pytest.raises(NotFoundError) as info:
        sync_client.get("ls_missing")
    assert info.value.status_code == 404
    fake.lifecycle = ["running", "failed"]
    with pytest.raises(JobFailedError):
        sync_client.wait(fake.add_job())


def test_sync_client_works_from_another_thread(sync_client: LipsyncClient, fake: FakeHeyGen) -> None:
    job = fake.add_job()
    got: list[str] = []
    worker = threading.Thread(target=lambda: got.append(sync_client.get(job).id))
    worker.start()
    worker.join(timeout=30)
    assert got == [job]


def test_sync_iter_lipsyncs_follows_every_page(sync_client: LipsyncClient, fake: FakeHeyGen) -> None:
    ids = [fake.add_job() for _ in range(7)]
    seen = [item.id for item in sync_client.iter_lipsyncs(page_size=3)]
    assert sorted(seen) == sorted(ids)
    assert len(fake.calls("GET", "/v3/lipsyncs")) == 3


def test_sync_with_raw_response_gives_status_headers_and_request_id(
    sync_client: LipsyncClient, fake: FakeHeyGen
) -> None:
    job = fake.add_job()
    raw = sync_client.with_raw_response.get(job)
    assert raw.parsed.id == job and raw.status_code == 200 and raw.request_id == "req_ok"
    assert raw.headers["content-type"] == "application/json"


@pytest.mark.anyio
async def test_sync_client_inside_an_event_loop_says_to_use_the_async_one(
    sync_client: LipsyncClient, fake: FakeHeyGen
) -> None:
    with pytest.raises(SyncClientInAsyncContextError, match="use AsyncLipsyncClient"):
        sync_client.get(fake.add_job())
    with pytest.raises(SyncClientInAsyncContextError):
        next(iter(sync_client.iter_lipsyncs()))
    assert fake.requests == []  # refused before sending anything


@pytest.mark.anyio
async def test_async_with_raw_response_and_dub(client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path) -> None:
    raw = await client.with_raw_response.get(fake.add_job())
    assert raw.request_id == "req_ok"
    result = await client.dub("https://cdn.example/talk.mp4", "https://cdn.example/dub.mp3", tmp_path / "out.mp4")
    assert result.video_path == tmp_path / "out.mp4" and result.video_path.exists()
