"""The batch waits' listener (HEYGEN_LIPSYNC_CALLBACK_LISTEN): started once, fed by deliveries and the events list."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest

from heygen_lipsync import AssetSource, AsyncLipsyncClient, LipsyncRequest, ValidationError
from heygen_lipsync.jobs import listener
from heygen_lipsync.jobs.batch_wait import wait_batch
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def client() -> AsyncIterator[AsyncLipsyncClient]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=1.5, asset_processing_seconds=0)
    async with (
        EmbeddedSandbox(config) as sb,
        AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None) as client,
    ):
        yield client


async def _batch(client: AsyncLipsyncClient, callback_url: str | None = None) -> str:
    video, audio = await client.upload(SAMPLE_VIDEO), await client.upload(SAMPLE_AUDIO)
    request = LipsyncRequest(video=AssetSource(video.asset_id), audio=AssetSource(audio.asset_id))
    return await client.create_batch([request], callback_url=callback_url)


@pytest.mark.parametrize("bad", ["nope", "host:port", "127.0.0.1:99999", ""])
def test_a_malformed_address_names_the_setting(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(listener.LISTEN_ENV, bad or " ")
    with pytest.raises(ValidationError) as caught:
        listener.listening_receiver()
    assert caught.value.field == listener.LISTEN_ENV and "HOST:PORT" in caught.value.reason


def test_an_address_in_use_is_refused_with_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ValidationError) as caught:
            listener.listening_receiver(f"127.0.0.1:{port}", field="--listen")
    assert caught.value.field == "--listen" and "free port" in caught.value.reason


def test_no_setting_no_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(listener.LISTEN_ENV, raising=False)
    assert listener.listening_receiver() is None


def test_one_listener_per_address_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv(listener.LISTEN_ENV, address)
    first = listener.listening_receiver()
    assert first is not None and first.url == f"http://{address}/heygen-callback"
    assert listener.listening_receiver(address) is first


async def test_the_batch_callback_wakes_a_wait_on_the_listener(client: AsyncLipsyncClient) -> None:
    address = f"127.0.0.1:{free_port()}"
    batch_id = await _batch(client, callback_url=f"http://{address}/heygen-callback")
    receiver = await listener.caught_up_receiver(client, [batch_id], address)
    started = time.monotonic()
    # Rounds 60 s apart: only the delivery ends this wait within seconds.
    last = await wait_batch(client, batch_id, timeout=120, poll_interval=60, max_poll_interval=60, waker=receiver)
    assert last.finished and time.monotonic() - started < 20


async def test_a_listener_started_after_the_batch_finished_learns_it_from_the_events(
    client: AsyncLipsyncClient,
) -> None:
    batch_id = await _batch(client)
    for _ in range(400):  # the batch finishes while nothing listens
        if (await client.list_webhook_events(event_type="batch.finished", entity_id=batch_id))[0]:
            break
        await asyncio.sleep(0.05)
    receiver = await listener.caught_up_receiver(client, [batch_id], f"127.0.0.1:{free_port()}")
    assert receiver is not None
    payload = receiver.payload(batch_id)
    assert payload is not None and payload["event_type"] == "batch.finished"
    assert await asyncio.wait_for(receiver.wait_any([batch_id]), 1) == {batch_id}


async def test_events_that_cannot_be_read_leave_the_wait_to_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    from heygen_lipsync.errors import APIConnectionError

    class Down:
        async def list_webhook_events(self, **_: object) -> tuple[list[object], None]:
            raise APIConnectionError("the API is unreachable")

    receiver = await listener.caught_up_receiver(Down(), ["lsb_1"], f"127.0.0.1:{free_port()}")
    assert receiver is not None and receiver.payload("lsb_1") is None


def test_a_taken_address_from_the_setting_leaves_the_wait_to_poll(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:  # e.g. the MCP server of this machine listens there
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv(listener.LISTEN_ENV, f"127.0.0.1:{taken.getsockname()[1]}")
        assert listener.listening_receiver() is None
    assert "waits poll instead" in caplog.text


async def test_a_rows_callback_wakes_a_campaign_between_its_rounds(
    client: AsyncLipsyncClient, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from heygen_lipsync.jobs.campaign import DubRow, dub_many

    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv(listener.LISTEN_ENV, address)
    video, audio = await client.upload(SAMPLE_VIDEO), await client.upload(SAMPLE_AUDIO)
    request = LipsyncRequest(
        video=AssetSource(video.asset_id),
        audio=AssetSource(audio.asset_id),
        callback_url=f"http://{address}/heygen-callback",
    )
    started = time.monotonic()
    # Rounds 60 s apart: only the job's delivery ends the campaign within seconds.
    events = [e async for e in dub_many(client, [DubRow(request)], Path(str(tmp_path)) / "out", poll_interval=60)]
    assert events[-1].totals.done == 1 and time.monotonic() - started < 20
