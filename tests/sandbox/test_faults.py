"""Injected faults, as a plain httpx client sees them, reproducible from a seed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from heygen_lipsync.sandbox import ConnectionDropped, EmbeddedSandbox, FaultConfig, SandboxConfig, create_app
from tests.sandbox.conftest import AUTH, fast_config, sample_request


@pytest.fixture
def sb() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(fast_config()) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: EmbeddedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.base_url, headers=AUTH, timeout=10) as client:
        yield client


def _count(http: httpx.Client) -> int:
    return len(http.get("/v3/lipsyncs", params={"limit": 100}).json()["data"])


def test_error_faults_answer_500_without_doing_the_work(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    body = sample_request(http)
    sb.set_faults(error_rate=1.0)
    response = http.post("/v3/lipsyncs", json=body)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.headers["x-request-id"]
    sb.set_faults()
    assert _count(http) == 0


def test_dropped_connections_give_no_response_and_do_no_work(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    body = sample_request(http)
    sb.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        http.post("/v3/lipsyncs", json=body)
    sb.set_faults()
    assert _count(http) == 0


def test_commit_then_drop_creates_the_job_but_loses_the_answer(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    body = sample_request(http)
    sb.set_faults(commit_then_drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        http.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "lost-answer"})
    assert http.get("/v3/lipsyncs").status_code == 200  # only POSTs are affected
    sb.set_faults()
    assert _count(http) == 1
    retry = http.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "lost-answer"})
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["data"]["lipsync_id"] == http.get("/v3/lipsyncs").json()["data"][0]["id"]


def test_slow_responses_outlast_a_short_timeout(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    sb.set_faults(slow_rate=1.0, slow_seconds=1.0)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/v3/lipsyncs", timeout=0.2)
    sb.set_faults()
    assert http.get("/v3/lipsyncs").status_code == 200


def test_rate_limit_bursts_last_their_length(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    sb.set_faults(rate_limit_rate=1.0, rate_limit_burst=3, rate_limit_retry_after=2)
    response = http.get("/v3/lipsyncs")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    sb.set_faults(rate_limit_rate=0.3, rate_limit_burst=3, seed=5)
    codes = [http.get("/v3/lipsyncs").status_code for _ in range(40)]
    runs = "".join("x" if c == 429 else "." for c in codes).split(".")
    assert all(len(run) % 3 == 0 for run in runs if run), codes  # bursts come whole (back to back at most)


def test_the_same_seed_gives_the_same_faults(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    def run(seed: int) -> list[int]:
        sb.set_faults(error_rate=0.3, rate_limit_rate=0.1, rate_limit_burst=2, seed=seed)
        return [http.get("/v3/lipsyncs").status_code for _ in range(30)]

    first, second, other = run(11), run(11), run(12)
    assert first == second
    assert {500, 429} <= set(first)
    assert first != other


def test_faults_can_be_set_over_http(sb: EmbeddedSandbox, http: httpx.Client) -> None:
    response = http.put("/_sandbox/faults", json={"error_rate": 1.0, "paths": ["/v3/lipsyncs/statuses"]})
    assert response.status_code == 200
    assert http.get("/_sandbox/faults").json()["data"]["error_rate"] == 1.0
    assert http.get("/v3/lipsyncs/statuses", params={"lipsync_ids": "x"}).status_code == 500
    assert http.get("/v3/lipsyncs").status_code == 200  # outside the configured paths
    assert http.put("/_sandbox/faults", json={"error_rate": 2}).status_code == 400
    assert http.put("/_sandbox/faults", json={"nonsense": 1}).status_code == 400
    assert http.put("/_sandbox/faults", json={}).status_code == 200
    assert http.get("/v3/lipsyncs/statuses", params={"lipsync_ids": "x"}).status_code == 200


@pytest.mark.anyio
async def test_faults_from_the_start_and_in_process() -> None:
    """Faults configured at start; in-process, a dropped connection surfaces as an exception."""
    app = create_app(SandboxConfig(faults=FaultConfig(drop_rate=1.0)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=AUTH) as client:
        with pytest.raises(ConnectionDropped):
            await client.get("/v3/lipsyncs")
    app.sandbox.close()
