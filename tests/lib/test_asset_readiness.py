"""Waiting for an uploaded asset to be ready: soon at first, then at a share of its age (a fake clock).

Issue 24, item 9. ``complete`` may answer ``processing``; a create sent before the asset is
ready is refused, so the upload polls ``GET /v3/assets/statuses``. A 0.5 s processing time
used to cost about 1 s (the first poll at once, the next a second later); it now follows
the jobs' rule: polls soon at first, then at about 8% of the asset's age, up to 10 s apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.errors import APIError
from heygen_lipsync.resources import assets
from tests.lib.conftest import FakeClock

pytestmark = pytest.mark.anyio


class ProcessingFor:
    """The statuses endpoint of one asset that is ``processing`` for ``seconds`` of the fake clock."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.polls: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v3/assets/statuses"
        self.polls.append(self.clock.now)
        status = "processing" if self.clock.now < self.seconds else "completed"
        return httpx.Response(200, json={"data": [{"video_id": "as_1", "status": status}]})


@pytest.fixture
async def make(clock: FakeClock) -> AsyncIterator[Callable[[float], ProcessingFor]]:
    clients: list[AsyncLipsyncClient] = []

    def build(seconds: float) -> ProcessingFor:
        api = ProcessingFor(clock, seconds)
        client = AsyncLipsyncClient(
            api_key="k", base_url="https://api.test", transport=httpx.MockTransport(api), ledger=None
        )
        clients.append(client)
        api.client = client  # type: ignore[attr-defined]
        return api

    yield build
    for client in clients:
        await client.aclose()


async def test_a_half_second_of_processing_costs_little_more(
    make: Callable[[float], ProcessingFor], clock: FakeClock
) -> None:
    api = make(0.5)
    await assets.wait_until_ready(api.client._api, "as_1")  # type: ignore[attr-defined]
    assert clock.now <= 0.8, f"ready at 0.5 s, noticed at {clock.now:.2f} s (polls at {api.polls})"
    assert len(api.polls) <= 4


async def test_a_long_processing_is_polled_at_a_share_of_its_age(
    make: Callable[[float], ProcessingFor], clock: FakeClock
) -> None:
    api = make(120.0)
    await assets.wait_until_ready(api.client._api, "as_1")  # type: ignore[attr-defined]
    assert clock.now <= 120 * 1.1 + 0.5  # noticed within about a tenth of its age
    gaps = [b - a for a, b in zip(api.polls, api.polls[1:], strict=False)]
    assert max(gaps) <= assets.ASSET_MAX_POLL_INTERVAL
    assert len(api.polls) < 80, f"{len(api.polls)} polls for 2 minutes"


async def test_an_asset_still_processing_at_the_timeout_is_kept_and_named(
    make: Callable[[float], ProcessingFor], clock: FakeClock
) -> None:
    api = make(10_000.0)
    with pytest.raises(APIError) as info:
        await assets.wait_until_ready(api.client._api, "as_1", timeout=30)  # type: ignore[attr-defined]
    assert info.value.code == "asset_not_ready" and "as_1" in str(info.value)
    assert clock.now == pytest.approx(30, abs=0.01)
