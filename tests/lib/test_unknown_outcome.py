"""Once a create's outcome is unknown it stays unknown: a later 429 or cancellation must not hide it.

Each test loses the response of the first attempt after the server did the work (the job,
batch or asset exists), then answers every retry with 429 until the library gives up. The
failure must carry the Idempotency-Key, and retrying with it must give back what was made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest, RateLimitError
from heygen_lipsync.media import files
from tests.lib.conftest import FakeClock
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen, envelope_error
from tests.lib.test_client import REQUEST
from tests.lib.test_sources import MP4, SAMPLES

pytestmark = pytest.mark.anyio

Matcher = Callable[[httpx.Request], bool]


def lost_then_429(fake: FakeHeyGen, matches: Matcher) -> tuple[httpx.MockTransport, list[bool]]:
    """The first matching request is done then its response lost; later ones get 429 while ``on[0]``."""
    state = {"lost": False}
    on = [True]

    def handle(request: httpx.Request) -> httpx.Response:
        if not matches(request) or not on[0]:
            return fake.handle(request)
        if not state["lost"]:
            state["lost"] = True
            fake.handle(request)  # the server did the work...
            raise httpx.ReadError("connection reset while reading the response", request=request)  # ...unheard
        request.read()
        return envelope_error(429, "rate_limit_exceeded", "Too many requests", **{"retry-after": "0"})

    return httpx.MockTransport(handle), on


def post_to(path: str) -> Matcher:
    return lambda request: request.method == "POST" and request.url.path == path


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "talk.mp4"
    path.write_bytes(MP4 + bytes(range(256)) * 40)
    return path


async def test_a_create_lost_then_rate_limited_hands_back_its_key(fake: FakeHeyGen, clock: FakeClock) -> None:
    transport, on = lost_then_429(fake, post_to("/v3/lipsyncs"))
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=transport) as client:
        with pytest.raises(RateLimitError) as info:
            await client.create(REQUEST)
        key = info.value.idempotency_key
        assert key == fake.calls("POST", "/v3/lipsyncs")[0].headers["idempotency-key"]
        assert "may have gone through" in str(info.value) and info.value.to_dict()["outcome_unknown"] is True
        on[0] = False
        lipsync_id = await client.create(REQUEST, idempotency_key=key)
    assert list(fake.jobs) == [lipsync_id]  # the first job, not a second one


async def test_a_create_that_only_met_429s_was_not_made_and_says_so(fake: FakeHeyGen, clock: FakeClock) -> None:
    # Nothing reached the server: a plain rate-limit error, no key to insist on.
    fake.script.extend([lambda r: envelope_error(429, "rate_limit_exceeded", "slow", **{"retry-after": "0"})] * 3)
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=fake.transport()) as client:
        with pytest.raises(RateLimitError) as info:
            await client.create(REQUEST)
    assert info.value.idempotency_key is None and fake.jobs == {}


async def test_a_batch_lost_then_rate_limited_hands_back_its_key(fake: FakeHeyGen, clock: FakeClock) -> None:
    transport, on = lost_then_429(fake, post_to("/v3/lipsyncs/batches"))
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=transport) as client:
        with pytest.raises(RateLimitError) as info:
            await client.create_batch([REQUEST, REQUEST])
        key = info.value.idempotency_key
        assert key is not None
        on[0] = False
        batch_id = await client.create_batch([REQUEST, REQUEST], idempotency_key=key)
    assert list(fake.batches) == [batch_id]


@pytest.mark.parametrize(
    ("multipart_max", "first_post"),
    [(None, "/v3/assets"), (1024, "/v3/assets/direct-uploads")],  # multipart, then the direct flow
    ids=["multipart", "direct"],
)
async def test_an_upload_lost_then_rate_limited_hands_back_its_key(
    fake: FakeHeyGen,
    clock: FakeClock,
    video: Path,
    monkeypatch: pytest.MonkeyPatch,
    multipart_max: int | None,
    first_post: str,
) -> None:
    if multipart_max is not None:
        monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", multipart_max)
    transport, on = lost_then_429(fake, post_to(first_post))
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=transport) as client:
        with pytest.raises(RateLimitError) as info:
            await client.upload(video)
        key = info.value.idempotency_key
        assert key is not None
        on[0] = False
        asset = await client.upload(video, idempotency_key=key)
    assert list(fake.assets) == [asset.asset_id]


async def test_a_create_whose_upload_was_lost_then_rate_limited_hands_back_the_creates_key(
    fake: FakeHeyGen, clock: FakeClock, video: Path, tmp_path: Path
) -> None:
    # The caller retries the create, not the upload: the create's key derives the upload's.
    audio = tmp_path / "dub.wav"
    audio.write_bytes(SAMPLES["audio/wav"])
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    transport, on = lost_then_429(fake, post_to("/v3/assets"))
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=transport) as client:
        with pytest.raises(RateLimitError) as info:
            await client.create(request)
        key = info.value.idempotency_key
        assert key is not None and not fake.calls("POST", "/v3/lipsyncs")
        on[0] = False
        lipsync_id = await client.create(request, idempotency_key=key)
        assert fake.calls("POST", "/v3/lipsyncs")[0].headers["idempotency-key"] == key
    assert list(fake.jobs) == [lipsync_id] and len(fake.assets) == 2  # the lost upload was reused


async def test_a_create_cancelled_in_flight_leaves_its_key_in_the_exception(fake: FakeHeyGen) -> None:
    arrived = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(hang)) as client:
        task = asyncio.create_task(client.create(REQUEST))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as info:
            await task
    key = getattr(info.value, "idempotency_key", None)
    assert isinstance(key, str) and any(key in note for note in getattr(info.value, "__notes__", []))
