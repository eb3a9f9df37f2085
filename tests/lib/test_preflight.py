"""Preflight: jobs certain to fail are caught, and every job priced, before any request."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from heygen_lipsync.client import AsyncLipsyncClient
from heygen_lipsync.errors import ValidationError
from heygen_lipsync.jobs.preflight import BalanceTooLowError, check_spend, preflight, preflight_batch, with_balance
from heygen_lipsync.jobs.pricing import Rates
from heygen_lipsync.media.probe import probe_file
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO
from heygen_lipsync.sources import AssetSource, UrlSource


def _no_requests(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"preflight sent {request.method} {request.url}")


@pytest.fixture
def client() -> AsyncLipsyncClient:
    return AsyncLipsyncClient(api_key="k", transport=httpx.MockTransport(_no_requests))


@pytest.fixture
def media(tmp_path: Path) -> tuple[Path, Path]:
    video, audio = tmp_path / "talk.mp4", tmp_path / "dub.wav"
    shutil.copy(SAMPLE_VIDEO, video)  # 4 s, video and sound
    shutil.copy(SAMPLE_AUDIO, audio)  # 3 s, sound only
    return video, audio


def _refused(request: LipsyncRequest, client: AsyncLipsyncClient) -> ValidationError:
    async def main() -> ValidationError:
        pre = await with_balance(preflight(request), client)
        with pytest.raises(ValidationError) as caught:
            check_spend(pre)
        return caught.value

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"start_time": 10}, "start_time", "beyond the video"),
        ({"start_time": 3.5}, "start_time", "1 s or more"),
        ({"start_time": 1, "end_time": 1.5}, "end_time", "1 s or more"),
    ],
)
def test_a_job_certain_to_fail_is_refused_naming_the_field(
    media: tuple[Path, Path], client: AsyncLipsyncClient, changes: dict[str, object], field: str, words: str
) -> None:
    video, audio = media
    error = _refused(LipsyncRequest(video=video, audio=audio, **changes), client)
    assert error.field == field and words in error.reason


def test_an_audio_without_sound_is_refused(
    media: tuple[Path, Path], client: AsyncLipsyncClient, tmp_path: Path
) -> None:
    import av

    silent = tmp_path / "silent.mp4"
    with av.open(str(media[0])) as source, av.open(str(silent), "w") as out:
        stream = out.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    error = _refused(LipsyncRequest(video=media[0], audio=silent), client)
    assert error.field == "audio" and "no audio stream" in error.reason


def test_a_file_that_is_not_media_is_refused(
    media: tuple[Path, Path], client: AsyncLipsyncClient, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"garbage" * 50)  # sniffs as mp4, is not
    error = _refused(LipsyncRequest(video=fake, audio=media[1]), client)
    assert error.field == "video" and "not a media file" in error.reason


def test_an_end_beyond_the_video_is_only_a_warning(media: tuple[Path, Path]) -> None:
    pre = preflight(LipsyncRequest(video=media[0], audio=media[1], end_time=60, enable_dynamic_duration=False))
    assert pre.errors == [] and pre.warnings[0].field == "end_time"
    assert pre.estimated_usd == round(4 * 0.033, 2)


def test_a_mixed_batch_prices_each_item_at_its_own_rate(media: tuple[Path, Path]) -> None:
    video, audio = media
    pre = preflight_batch(
        [LipsyncRequest(video=video, audio=audio), LipsyncRequest(video=video, audio=audio, mode="precision")],
        rates=Rates(speed=0.033, precision=0.067),
    )
    assert pre.estimated_usd == 0.3  # 3 s at $0.033 + 3 s at $0.067, not 6 s at the dearer rate
    assert "speed" in pre.summary() and "precision" in pre.summary()


def test_urls_and_foreign_assets_are_unknown_and_remembered_assets_priced(media: tuple[Path, Path]) -> None:
    client = AsyncLipsyncClient(api_key="k", transport=httpx.MockTransport(_no_requests))
    remote = preflight(LipsyncRequest(video=media[0], audio=UrlSource("https://cdn.example.com/a.mp3")))
    assert remote.estimated_usd is None and "unknown" in remote.summary() and "URL" in remote.summary()
    foreign = preflight(LipsyncRequest(video=media[0], audio=AssetSource("asset_x")), probes=client.remembered_probe)
    assert foreign.estimated_usd is None and "not uploaded by this install" in foreign.summary()
    client.remember_probe("asset_x", probe_file(media[1]))
    known = preflight(LipsyncRequest(video=media[0], audio=AssetSource("asset_x")), probes=client.remembered_probe)
    assert known.estimated_usd == 0.1


def test_an_estimate_above_the_balance_is_refused_with_the_figures(media: tuple[Path, Path]) -> None:
    async def account() -> SimpleNamespace:
        return SimpleNamespace(wallet=SimpleNamespace(remaining_balance=0.05, currency="usd"))

    async def main() -> None:
        pre = await with_balance(
            preflight(LipsyncRequest(video=media[0], audio=media[1])), SimpleNamespace(account=account)
        )
        with pytest.raises(BalanceTooLowError) as caught:
            check_spend(pre)
        assert "$0.10" in str(caught.value) and "$0.05" in str(caught.value)

    asyncio.run(main())


def test_a_balance_that_cannot_be_read_is_unknown(media: tuple[Path, Path], client: AsyncLipsyncClient) -> None:
    async def account() -> None:
        raise RuntimeError("boom")

    async def main() -> None:
        pre = preflight(LipsyncRequest(video=media[0], audio=media[1]))
        assert (await with_balance(pre, SimpleNamespace(account=account))).balance is None
        assert (await with_balance(pre, client)).balance is None  # no account() yet

    asyncio.run(main())
