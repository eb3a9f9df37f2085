"""Retry, idempotency, auth and logging policy, observed through the client."""

from __future__ import annotations

import email.utils
import logging
import time

import httpx
import pytest

from heygen_lipsync import (
    APIConnectionError,
    APITimeoutError,
    AsyncLipsyncClient,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    LipsyncRequest,
    RateLimitError,
    ServerError,
    ValidationError,
)
from heygen_lipsync._transport.http import MAX_RETRY_AFTER, USER_AGENT, backoff_delay
from tests.lib.conftest import FakeClock
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen, envelope_error

pytestmark = pytest.mark.anyio

REQUEST = LipsyncRequest(video="https://cdn.example.com/in.mp4", audio="https://cdn.example.com/dub.mp3")


def once(predicate, response_or_exc):  # type: ignore[no-untyped-def]
    """A fault that fires once for requests matching ``predicate``."""

    def fault(request: httpx.Request) -> httpx.Response | None:
        if not predicate(request):
            return None
        if isinstance(response_or_exc, Exception):
            raise response_or_exc
        return response_or_exc

    return fault


def is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path == "/v3/lipsyncs"


async def test_create_retried_after_lost_response_makes_one_job(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    # The server creates the job but the response never arrives: simulate by letting the
    # real handler run, then failing the read.
    original = fake.handle

    def lose_first_response(request: httpx.Request) -> httpx.Response:
        response = original(request)
        if is_create(request) and len(fake.calls("POST", "/v3/lipsyncs")) == 1:
            raise httpx.ReadError("connection reset while reading the response", request=request)
        return response

    fake_transport = httpx.MockTransport(lose_first_response)
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=fake_transport) as c:
        lipsync_id = await c.create(REQUEST)
    creates = fake.calls("POST", "/v3/lipsyncs")
    assert len(creates) == 2
    keys = {r.headers["idempotency-key"] for r in creates}
    assert len(keys) == 1, "every attempt of one create must carry the same Idempotency-Key"
    assert len(fake.jobs) == 1, "a retried create must not make a second job"
    assert lipsync_id in fake.jobs


async def test_an_identical_create_shares_its_derived_key_and_new_job_gets_its_own(
    client: AsyncLipsyncClient, fake: FakeHeyGen
) -> None:
    # Even with no ledger, the key derives from the request: HeyGen replays the first job.
    first = await client.create(REQUEST)
    again = await client.create(REQUEST)
    other = await client.create(REQUEST, new_job=True)
    keys = [r.headers["idempotency-key"] for r in fake.calls("POST", "/v3/lipsyncs")]
    assert keys[0] == keys[1] != keys[2]
    assert first == again != other
    assert len(fake.jobs) == 2


async def test_caller_key_is_sent_and_replayed(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    first = await client.create(REQUEST, idempotency_key="order-42:dub.v1")
    second = await client.create(REQUEST, idempotency_key="order-42:dub.v1")
    assert first == second
    assert len(fake.jobs) == 1
    assert fake.calls("POST", "/v3/lipsyncs")[0].headers["idempotency-key"] == "order-42:dub.v1"


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "slash/no", "ümlaut"])
async def test_bad_caller_key_rejected_before_any_request(
    client: AsyncLipsyncClient, fake: FakeHeyGen, key: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await client.create(REQUEST, idempotency_key=key)
    assert info.value.field == "idempotency_key"
    assert fake.requests == []


async def test_429_retry_after_seconds_is_honoured(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    job = fake.add_job()
    fake.script.append(
        once(lambda r: True, envelope_error(429, "rate_limit_exceeded", "slow down", **{"retry-after": "7"}))
    )
    lipsync = await client.get(job)
    assert lipsync.id == job
    assert clock.sleeps == [7.0]


async def test_429_retry_after_http_date_is_honoured(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    job = fake.add_job()
    when = email.utils.formatdate(time.time() + 12, usegmt=True)
    fake.script.append(
        once(lambda r: True, envelope_error(429, "rate_limit_exceeded", "slow down", **{"retry-after": when}))
    )
    await client.get(job)
    assert len(clock.sleeps) == 1
    assert 9.0 <= clock.sleeps[0] <= 12.0


async def test_429_retry_after_is_clamped(client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock) -> None:
    job = fake.add_job()
    fake.script.append(once(lambda r: True, envelope_error(429, "rate_limit_exceeded", "x", **{"retry-after": "3600"})))
    await client.get(job)
    assert clock.sleeps == [MAX_RETRY_AFTER]


async def test_429_is_retried_even_for_post_without_key(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    job = fake.add_job()
    fake.script.append(once(lambda r: r.method == "PATCH", envelope_error(429, "rate_limit_exceeded", "x")))
    updated = await client.update(job, title="New")
    assert updated.title == "New"
    assert len(fake.calls("PATCH", f"/v3/lipsyncs/{job}")) == 2


async def test_429_after_retries_raises_rate_limit_error_with_retry_after(
    client: AsyncLipsyncClient, fake: FakeHeyGen
) -> None:
    fake.script.extend(
        once(lambda r: True, envelope_error(429, "quota_exceeded", "Daily quota used", **{"retry-after": "60"}))
        for _ in range(3)
    )
    with pytest.raises(RateLimitError) as info:
        await client.list()
    assert info.value.code == "quota_exceeded"
    assert info.value.retry_after == 60.0
    assert len(fake.requests) == 3  # first attempt + 2 retries


async def test_5xx_on_get_is_retried_with_backoff(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    job = fake.add_job()
    fake.script.append(once(lambda r: True, envelope_error(503, "internal_error", "busy")))
    fake.script.append(once(lambda r: True, httpx.Response(502, text="<html>bad gateway</html>")))
    lipsync = await client.get(job)
    assert lipsync.id == job
    assert len(clock.sleeps) == 2
    assert 0.5 <= clock.sleeps[0] <= 1.0 and 1.0 <= clock.sleeps[1] <= 2.0  # 1s doubling, jittered


async def test_5xx_exhausted_raises_server_error_with_request_id(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.script.extend(once(lambda r: True, envelope_error(500, "internal_error", "boom")) for _ in range(3))
    with pytest.raises(ServerError) as info:
        await client.get("ls_x")
    assert info.value.request_id == "req_500"
    assert "req_500" in str(info.value)


async def test_400_is_never_retried(client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock) -> None:
    fake.script.append(once(is_create, envelope_error(400, "invalid_parameter", "bad video")))
    with pytest.raises(BadRequestError):
        await client.create(REQUEST)
    assert len(fake.calls("POST", "/v3/lipsyncs")) == 1
    assert clock.sleeps == []


async def test_post_without_key_not_retried_on_5xx(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    # PATCH (update) carries no Idempotency-Key: a 500 may have applied it, so no resend.
    job = fake.add_job()
    fake.script.append(once(lambda r: r.method == "PATCH", envelope_error(500, "internal_error", "boom")))
    with pytest.raises(ServerError):
        await client.update(job, title="x")
    assert len(fake.calls("PATCH", f"/v3/lipsyncs/{job}")) == 1


async def test_post_with_key_retried_on_5xx(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.script.append(once(is_create, envelope_error(502, "internal_error", "bad gateway")))
    await client.create(REQUEST)
    assert len(fake.calls("POST", "/v3/lipsyncs")) == 2
    assert len(fake.jobs) == 1


async def test_409_request_in_progress_waits_and_resends_same_key(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    fake.script.append(
        once(is_create, envelope_error(409, "request_in_progress", "still working", **{"retry-after": "2"}))
    )
    await client.create(REQUEST)
    creates = fake.calls("POST", "/v3/lipsyncs")
    assert len(creates) == 2
    assert creates[0].headers["idempotency-key"] == creates[1].headers["idempotency-key"]
    assert clock.sleeps == [2.0]


async def test_409_body_read_from_a_live_stream_is_still_readable(fake: FakeHeyGen, clock: FakeClock) -> None:
    # Real transports hand back unread streams: the policy reads the 409's code and the
    # caller must still be able to read the body of the final response.
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["idempotency-key"])
        body = b'{"error": {"code": "request_in_progress", "message": "still working"}}'
        return httpx.Response(409, stream=httpx.ByteStream(body), headers={"content-type": "application/json"})

    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(ConflictError) as info:
            await c.create(REQUEST)
    assert info.value.code == "request_in_progress" and info.value.message == "still working"
    assert len(calls) == 3 and len(set(calls)) == 1  # retried twice with the same key, then reported


async def test_other_409_is_not_retried(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.script.append(once(is_create, envelope_error(409, "conflict", "key reused with a different body")))
    with pytest.raises(ConflictError) as info:
        await client.create(REQUEST)
    assert info.value.code == "conflict"
    assert len(fake.calls("POST", "/v3/lipsyncs")) == 1


async def test_connection_errors_become_api_connection_error(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.script.extend(once(lambda r: True, httpx.ConnectError("refused")) for _ in range(3))
    with pytest.raises(APIConnectionError) as info:
        await client.get("ls_1")
    assert info.value.code == "connection_error"
    assert len(fake.requests) == 3


async def test_timeouts_become_api_timeout_error(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.script.extend(once(lambda r: True, httpx.ReadTimeout("slow")) for _ in range(3))
    with pytest.raises(APITimeoutError) as info:
        await client.get("ls_1")
    assert info.value.code == "timeout"


async def test_read_error_on_post_without_key_not_retried(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    job = fake.add_job()
    fake.script.append(once(lambda r: r.method == "PATCH", httpx.ReadError("reset")))
    with pytest.raises(APIConnectionError):
        await client.update(job, title="x")
    assert len(fake.calls("PATCH", f"/v3/lipsyncs/{job}")) == 1


async def test_max_retries_zero_disables_retries(fake: FakeHeyGen, clock: FakeClock) -> None:
    fake.script.append(once(lambda r: True, envelope_error(503, "internal_error", "busy")))
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, max_retries=0, transport=fake.transport()) as c:
        with pytest.raises(ServerError):
            await c.list()
    assert len(fake.requests) == 1


async def test_headers_user_agent_and_auth(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    await client.list()
    sent = fake.requests[0]
    assert sent.headers["user-agent"] == USER_AGENT
    assert sent.headers["x-api-key"] == API_KEY
    assert "authorization" not in sent.headers


async def test_bearer_token_is_sent_as_authorization(fake: FakeHeyGen, clock: FakeClock) -> None:
    async with AsyncLipsyncClient(bearer_token="tok_123", base_url=BASE_URL, transport=fake.transport()) as c:
        with pytest.raises(Exception):  # noqa: B017 - the fake only knows API keys
            await c.list()
    assert fake.requests[0].headers["authorization"] == "Bearer tok_123"
    assert "x-api-key" not in fake.requests[0].headers


async def test_missing_key_is_a_configuration_error_before_sending(
    fake: FakeHeyGen, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEYGEN_API_KEY", raising=False)
    monkeypatch.delenv("HEYGEN_BEARER_TOKEN", raising=False)
    async with AsyncLipsyncClient(base_url=BASE_URL, transport=fake.transport()) as c:
        with pytest.raises(ConfigurationError) as info:
            await c.list()
    assert "HEYGEN_API_KEY" in str(info.value) and "sandbox" in str(info.value)
    assert fake.requests == []


async def test_debug_logs_carry_request_id_but_never_the_key(
    client: AsyncLipsyncClient, fake: FakeHeyGen, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script.append(once(lambda r: True, envelope_error(503, "internal_error", "busy")))
    with caplog.at_level(logging.DEBUG, logger="heygen_lipsync"):
        await client.list()
    text = caplog.text
    assert "req_503" in text and "req_ok" in text
    assert API_KEY not in text


def test_backoff_doubles_and_caps() -> None:
    import random

    rng = random.Random(1)
    for attempt, nominal in [(0, 1.0), (1, 2.0), (2, 4.0), (5, 30.0), (10, 30.0)]:
        delay = backoff_delay(attempt, rng=rng)
        assert nominal / 2 <= delay <= nominal


async def test_create_with_unknown_outcome_hands_back_its_key_for_a_safe_retry(
    fake: FakeHeyGen, clock: FakeClock
) -> None:
    # Every attempt's response is lost: the job exists but the caller never heard. The error
    # carries the generated key, and retrying with it returns that job instead of a second one.
    original = fake.handle
    lose = [True]

    def lose_responses(request: httpx.Request) -> httpx.Response:
        response = original(request)
        if is_create(request) and lose[0]:
            raise httpx.ReadError("connection reset while reading the response", request=request)
        return response

    async with AsyncLipsyncClient(
        api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(lose_responses)
    ) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.create(REQUEST)
        key = info.value.idempotency_key
        assert key == fake.calls("POST", "/v3/lipsyncs")[0].headers["idempotency-key"]
        assert f"retry with idempotency_key={key}" in str(info.value)
        lose[0] = False
        lipsync_id = await c.create(REQUEST, idempotency_key=key)
    assert list(fake.jobs) == [lipsync_id]


async def test_a_refused_create_does_not_suggest_reusing_its_key(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    # A 400 is replayed for the same key: fixing the request needs a new one.
    fake.script.append(once(is_create, envelope_error(400, "invalid_parameter", "bad audio")))
    with pytest.raises(BadRequestError) as info:
        await client.create(REQUEST)
    assert info.value.idempotency_key is None and "idempotency_key" not in str(info.value)
