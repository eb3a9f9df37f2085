"""Callback deliveries wake wait / wait_many: against the embedded sandbox, which POSTs callbacks."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from heygen_lipsync import AssetSource, AsyncLipsyncClient, CallbackReceiver, LipsyncClient, LipsyncRequest
from heygen_lipsync.jobs.callbacks import delivered_id
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio

JOB_SECONDS = 3.0  # pending + running on the sandbox's clock
POLL_INTERVAL = 0.5


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts the GETs of each lipsync and the statuses rounds, at the transport."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Setup:
    client: AsyncLipsyncClient
    transport: CountingTransport
    video: str
    audio: str


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    config = SandboxConfig(pending_seconds=0.5, running_seconds=JOB_SECONDS - 0.5)
    transport = CountingTransport()
    async with (
        EmbeddedSandbox(config) as sb,
        AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key, transport=transport, ledger=None) as client,
    ):
        video = (await client.upload(SAMPLE_VIDEO)).asset_id
        audio = (await client.upload(SAMPLE_AUDIO)).asset_id
        yield Setup(client, transport, video, audio)


def _fewest_polls_without_a_receiver() -> int:
    # Without a receiver, polls of a job younger than 6 s come at most POLL_INTERVAL apart
    # (8% of the age is less), so seeing a 3 s job finished takes a poll at 0, 0.5, ..., 3 s at least.
    return math.ceil(JOB_SECONDS / POLL_INTERVAL) + 1


async def test_a_callback_wakes_wait_before_the_schedule_would_have_noticed(setup: Setup) -> None:
    async with CallbackReceiver() as receiver:
        request = LipsyncRequest(
            video=AssetSource(setup.video), audio=AssetSource(setup.audio), callback_url=receiver.url
        )
        job = await setup.client.create(request)
        done = await setup.client.wait(job, receiver=receiver, poll_interval=POLL_INTERVAL, timeout=60)
    assert done.is_completed
    assert receiver.payload(job) is not None  # the sandbox's delivery arrived
    polls = setup.transport.paths.count(f"/v3/lipsyncs/{job}")
    assert polls < _fewest_polls_without_a_receiver()


async def test_a_callback_wakes_wait_many(setup: Setup) -> None:
    async with CallbackReceiver() as receiver:
        request = LipsyncRequest(
            video=AssetSource(setup.video), audio=AssetSource(setup.audio), callback_url=receiver.url
        )
        ids = [await setup.client.create(request) for _ in range(2)]
        done = await setup.client.wait_many(ids, receiver=receiver, poll_interval=POLL_INTERVAL, timeout=60)
    assert all(job.is_completed for job in done.values())
    rounds = setup.transport.paths.count("/v3/lipsyncs/statuses")
    assert rounds < _fewest_polls_without_a_receiver()


def test_the_blocking_client_is_woken_too() -> None:
    config = SandboxConfig(pending_seconds=0.5, running_seconds=JOB_SECONDS - 0.5)
    with (
        EmbeddedSandbox(config) as sb,
        LipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None) as client,
        CallbackReceiver() as receiver,
    ):
        request = LipsyncRequest(video=str(SAMPLE_VIDEO), audio=str(SAMPLE_AUDIO), callback_url=receiver.url)
        job = client.create(request)
        done = client.wait(job, receiver=receiver, timeout=60)
    assert done.is_completed and receiver.payload(job) is not None


async def test_a_forged_delivery_costs_one_poll_and_never_reports_a_running_job_done(setup: Setup) -> None:
    receiver = CallbackReceiver()  # fed by "your own endpoint": no server
    request = LipsyncRequest(video=AssetSource(setup.video), audio=AssetSource(setup.audio))
    job = await setup.client.create(request)
    receiver.deliver({"event_type": "lipsync.success", "event_data": {"lipsync_id": job, "status": "completed"}})
    done = await setup.client.wait(job, receiver=receiver, poll_interval=POLL_INTERVAL, timeout=60)
    assert done.is_completed  # found by polling, at the job's real end
    assert setup.transport.paths.count(f"/v3/lipsyncs/{job}") >= 3  # the forged hint did not end the wait


def _post(url: str, body: bytes) -> int:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_receiver_accepts_only_json_payloads_naming_a_job_on_its_path() -> None:
    with CallbackReceiver() as receiver:
        assert receiver.url.startswith("http://127.0.0.1:")
        ok = json.dumps({"event_data": {"lipsync_id": "ls_1"}}).encode()
        assert _post(receiver.url, ok) == 200
        assert _post(receiver.url.replace("/heygen-callback", "/other"), ok) == 404
        assert _post(receiver.url, b"not json") == 400
        assert _post(receiver.url, json.dumps({"event_data": {}}).encode()) == 400
        assert _post(receiver.url, b"{" + b" " * (65 * 1024) + b"}") == 413
    assert receiver.payload("ls_1") == {"event_data": {"lipsync_id": "ls_1"}}
    with pytest.raises(RuntimeError, match="not serving"):
        _ = receiver.url


def test_delivered_id_reads_jobs_and_batches() -> None:
    assert delivered_id({"event_data": {"lipsync_id": "ls_1"}}) == "ls_1"
    assert delivered_id({"event_data": {"batch_id": "b_1"}}) == "b_1"
    assert delivered_id({"lipsync_id": "ls_2"}) == "ls_2"
    assert delivered_id({"event_type": "lipsync.success"}) is None
