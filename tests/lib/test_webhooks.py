"""HeyGen's registered webhooks through the library (async and sync) against the sandbox, and what they wake."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from heygen_lipsync import (
    AssetSource,
    AsyncLipsyncClient,
    CallbackReceiver,
    LipsyncClient,
    LipsyncRequest,
    NotFoundError,
    ValidationError,
)
from heygen_lipsync.jobs.batch_wait import wait_batch
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client() -> AsyncIterator[AsyncLipsyncClient]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.2, asset_processing_seconds=0)
    async with (
        EmbeddedSandbox(config) as sb,
        AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None) as client,
    ):
        yield client


async def _batch(client: AsyncLipsyncClient) -> str:
    video, audio = await client.upload(SAMPLE_VIDEO), await client.upload(SAMPLE_AUDIO)
    return await client.create_batch(
        [LipsyncRequest(video=AssetSource(video.asset_id), audio=AssetSource(audio.asset_id))]
    )


async def test_an_endpoint_lives_its_whole_life(client: AsyncLipsyncClient) -> None:
    made = await client.create_webhook_endpoint("https://hooks.example/heygen", events=["batch.finished"])
    assert made.secret and made.secret.startswith("whsec_") and made.events == ("batch.finished",)
    assert "secret" not in repr(made)  # a secret never lands in a log line by accident
    endpoints, next_token = await client.list_webhook_endpoints()
    assert [e.endpoint_id for e in endpoints] == [made.endpoint_id] and next_token is None
    assert endpoints[0].secret is None
    moved = await client.update_webhook_endpoint(made.endpoint_id, url="https://hooks.example/v2")
    assert moved.url == "https://hooks.example/v2"
    rotated = await client.rotate_webhook_secret(made.endpoint_id)
    assert rotated.secret and rotated.secret != made.secret
    assert await client.delete_webhook_endpoint(made.endpoint_id) == made.endpoint_id
    with pytest.raises(NotFoundError):
        await client.delete_webhook_endpoint(made.endpoint_id)


async def test_bad_webhook_input_is_refused_naming_the_field(client: AsyncLipsyncClient) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.create_webhook_endpoint("https://h.example", events=["lipsync.success"])
    assert caught.value.field == "events[0]"
    with pytest.raises(ValidationError, match="url"):
        await client.create_webhook_endpoint("http://hooks.example/plain")
    with pytest.raises(ValidationError, match="event_type"):
        await client.list_webhook_events(event_type="nope")
    types = {t.event_type for t in await client.list_webhook_event_types()}
    assert "batch.finished" in types and not any(t.startswith("lipsync") for t in types)


async def test_batch_finished_reaches_a_registered_receiver_and_wakes_the_batch_wait(
    client: AsyncLipsyncClient,
) -> None:
    with CallbackReceiver() as receiver:
        await client.create_webhook_endpoint(receiver.url, events=["batch.finished"])
        batch_id = await _batch(client)
        started = time.monotonic()
        # Polls 60 s apart: only the delivery can end this wait within seconds.
        last = await wait_batch(client, batch_id, timeout=120, poll_interval=60, max_poll_interval=60, waker=receiver)
        assert last.finished and time.monotonic() - started < 30
        payload: Any = receiver.payload(batch_id)
        assert payload["event_type"] == "batch.finished" and payload["event_data"]["batch_id"] == batch_id


async def test_a_restarted_receiver_learns_what_it_missed_from_the_events_list(client: AsyncLipsyncClient) -> None:
    batch_id = await _batch(client)
    for _ in range(300):  # the batch finishes while no receiver listens
        events, _ = await client.list_webhook_events(event_type="batch.finished", entity_id=batch_id)
        if events:
            break
        await asyncio.sleep(0.05)
    assert events and events[0].event_data["batch_id"] == batch_id
    receiver = CallbackReceiver()  # a new process: nothing delivered to it
    assert await receiver.catch_up(client, [batch_id]) == {batch_id}
    assert await asyncio.wait_for(receiver.wait_any([batch_id]), 1) == {batch_id}
    assert await receiver.catch_up(client, ["lsb_other"]) == set()


def test_the_blocking_client_has_the_same_webhook_calls() -> None:
    with EmbeddedSandbox() as sb, LipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None) as client:
        made = client.create_webhook_endpoint("https://hooks.example/x")
        assert [e.endpoint_id for e in client.list_webhook_endpoints()[0]] == [made.endpoint_id]
        assert client.list_webhook_events() == ([], None)
        assert client.list_webhook_event_types()
