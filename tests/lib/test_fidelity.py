"""The library against HeyGen-shaped answers: error objects, asset readiness, upload fallbacks, the account."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, LipsyncRequest, ValidationError
from heygen_lipsync.media import files
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO
from tests.lib.fakeapi import FakeHeyGen, envelope_error

pytestmark = pytest.mark.anyio

ERROR = {"code": "face_not_detected", "message": "No face was found in the video.", "frame": 12}


def answer(method: str, path: str, response: Callable[[httpx.Request], httpx.Response]) -> Callable[..., object]:
    """A one-shot scripted answer for the first request matching method and path."""

    def fault(request: httpx.Request) -> httpx.Response | None:
        if request.method == method and request.url.path == path:
            return response(request)
        return None

    return fault


def ok(data: object) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(200, json={"data": data, "has_more": False, "next_token": None})


async def test_a_failed_batch_items_error_object_is_kept(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.batches["lsb_1"] = {
        "batch_id": "lsb_1",
        "status": "failed",
        "total_items": 1,
        "counts_by_status": {"failed": 1},
        "items": [{"item_index": 0, "status": "failed", "video_id": None, "error": ERROR}],
    }
    item = (await client.get_batch("lsb_1")).items[0]
    assert item.error is not None
    assert (item.error.code, item.error.message, item.error.extra) == (ERROR["code"], ERROR["message"], {"frame": 12})
    assert item.to_dict()["error"] == ERROR
    assert str(item.error) == "No face was found in the video. (face_not_detected)"


async def test_a_statuses_entrys_error_object_is_kept(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    entry = {"video_id": "ls_9", "status": "failed", "error": ERROR}
    fake.script.append(answer("GET", "/v3/lipsyncs/statuses", ok([entry])))
    [status] = await client.statuses(lipsync_ids=["ls_9"])
    assert status.error is not None and status.error.message == ERROR["message"]
    assert status.to_dict()["error"] == ERROR


async def test_wait_many_keeps_the_error_object_of_a_failed_job(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    job = fake.add_job(status="failed")  # its own detail gives no failure_message
    fake.lifecycle = ["failed"]
    fake.script.append(
        answer("GET", "/v3/lipsyncs/statuses", ok([{"video_id": job, "status": "failed", "error": ERROR}]))
    )
    result = (await client.wait_many([job]))[job]
    assert result.failure_message == "No face was found in the video. (face_not_detected)"
    assert result.to_dict()["error"] == ERROR


def _processing_complete(request: httpx.Request) -> httpx.Response:
    asset_id = request.url.path.split("/")[3]
    data = {"asset_id": asset_id, "url": "https://storage.test/a", "mime_type": "audio/wav", "size_bytes": 1}
    return httpx.Response(200, json={"data": {**data, "status": "processing"}})


def _asset_status(status: str) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        return ok([{"video_id": request.url.params["asset_ids"], "status": status}])(request)

    return respond


async def test_a_processing_asset_is_waited_for_before_the_create_is_sent(
    client: AsyncLipsyncClient, fake: FakeHeyGen, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    fake.script += [
        answer("POST", "/v3/assets/asset_1/complete", _processing_complete),
        answer("GET", "/v3/assets/statuses", _asset_status("processing")),
        answer("GET", "/v3/assets/statuses", _asset_status("completed")),
    ]
    await client.create(LipsyncRequest(video="https://example.com/v.mp4", audio=SAMPLE_AUDIO))
    order = [(r.method, r.url.path) for r in fake.requests]
    polls = [i for i, call in enumerate(order) if call == ("GET", "/v3/assets/statuses")]
    assert len(polls) == 2
    assert order.index(("POST", "/v3/lipsyncs")) > polls[-1]


async def test_a_409_from_complete_is_retried(
    client: AsyncLipsyncClient, fake: FakeHeyGen, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)
    not_visible = lambda _r: envelope_error(409, "conflict", "The upload has not been received yet.")  # noqa: E731
    fake.script += [answer("POST", "/v3/assets/asset_1/complete", not_visible) for _ in range(2)]
    asset = await client.upload(SAMPLE_AUDIO)
    assert asset.asset_id == "asset_1"
    assert len(fake.calls("POST", "/v3/assets/asset_1/complete")) == 3


async def test_a_413_multipart_upload_falls_back_to_the_direct_upload(
    client: AsyncLipsyncClient, fake: FakeHeyGen
) -> None:
    fake.script.append(answer("POST", "/v3/assets", lambda _r: envelope_error(413, "payload_too_large", "Too large.")))
    asset = await client.upload(SAMPLE_VIDEO)
    assert asset.size_bytes == SAMPLE_VIDEO.stat().st_size
    assert fake.calls("POST", "/v3/assets/direct-uploads")


async def test_a_mov_heygen_refuses_names_the_types_heygen_lists(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    mov = tmp_path / "clip.mov"
    mov.write_bytes(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64)
    refused = lambda _r: envelope_error(400, "invalid_parameter", "Unsupported file type.")  # noqa: E731
    fake.script.append(answer("POST", "/v3/assets", refused))
    with pytest.raises(ValidationError) as info:
        await client.upload(mov)
    assert info.value.field == "file"
    assert "png, jpeg, mp4, webm, mp3, wav, pdf, srt" in str(info.value)


async def test_account_reads_the_wallet(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    me = {"username": "u", "email": None, "first_name": None, "last_name": None, "billing_type": "wallet",
          "wallet": {"currency": "usd", "remaining_balance": 12.5}}  # fmt: skip
    fake.script.append(answer("GET", "/v3/users/me", ok(me)))
    account = await client.account()
    assert account.billing_type == "wallet"
    assert account.wallet is not None and (account.wallet.currency, account.wallet.remaining_balance) == ("usd", 12.5)
    assert account.raw == me
