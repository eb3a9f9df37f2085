"""A retry with the key an unknown outcome handed out keeps that key when it, too, fails (issue 12, item 1).

The bench's one duplicate in 300 (`scripts/bench/reliability.py --unknown-outcome 300`) was
this sequence: a create's response is lost (the job is made) and the error carries the key;
the caller retries with that key and meets only 429s; that second failure carried no key, so
the caller read "not created" and created again: a second, paid job. A 429 says nothing about
what an earlier call with the same key did; the outcome stays unknown, and so does the advice.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, LipsyncRequest
from heygen_lipsync.errors import RateLimitError
from heygen_lipsync.store import Ledger

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("instant_retries")]

RETRIES = 2
BODY_429 = {"error": {"code": "rate_limit_exceeded", "message": "Too many requests.", "param": None}}


class Api:
    """Creates whose response is lost once (the job is made), then 429s until told otherwise."""

    def __init__(self) -> None:
        self.jobs: dict[str, str] = {}  # Idempotency-Key -> job id: what HeyGen would replay
        self.limited = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v3/lipsyncs", request.url
        key = request.headers["idempotency-key"]
        if not self.jobs:
            self.jobs[key] = "ls_first"
            raise httpx.ReadError("connection dropped after the job was made", request=request)
        if self.limited:
            return httpx.Response(429, headers={"retry-after": "0"}, json=BODY_429)
        job = self.jobs.setdefault(key, f"ls_{len(self.jobs) + 1}")
        return httpx.Response(201, content=json.dumps({"data": {"lipsync_id": job}}).encode())


def _client(api: Api, ledger: Ledger | None) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(
        base_url="https://api.test", api_key="k", max_retries=RETRIES, transport=httpx.MockTransport(api), ledger=ledger
    )


REQUEST = LipsyncRequest(video="asset_video01", audio="asset_audio01", title="dub")


@pytest.mark.parametrize("with_ledger", [False, True], ids=["no ledger", "ledger"])
async def test_a_rate_limited_retry_with_the_handed_key_still_hands_it_back(tmp_path: Path, with_ledger: bool) -> None:
    api = Api()
    ledger = Ledger.open(tmp_path / "ledger.sqlite3") if with_ledger else None
    async with _client(api, ledger) as client:
        with pytest.raises(RateLimitError) as first:
            await client.create(REQUEST)
        key = first.value.idempotency_key
        assert key is not None  # the job may exist: the first call says so
        with pytest.raises(RateLimitError) as second:
            await client.create(REQUEST, idempotency_key=key)
        assert second.value.idempotency_key == key  # still unknown: retry with this key, never without
        api.limited = False
        assert await client.create(REQUEST, idempotency_key=second.value.idempotency_key) == "ls_first"
    assert list(api.jobs.values()) == ["ls_first"]  # one job, however many calls


async def test_the_ledger_resends_the_unknown_key_after_a_rate_limited_retry(tmp_path: Path) -> None:
    # A caller that drops the key and creates again still gets the first job, not a second.
    api = Api()
    async with _client(api, Ledger.open(tmp_path / "ledger.sqlite3")) as client:
        with pytest.raises(RateLimitError) as first:
            await client.create(REQUEST)
        with pytest.raises(RateLimitError):
            await client.create(REQUEST, idempotency_key=first.value.idempotency_key)
        api.limited = False
        assert await client.create(REQUEST) == "ls_first"
    assert list(api.jobs.values()) == ["ls_first"]
