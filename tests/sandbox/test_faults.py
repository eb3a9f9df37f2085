"""Injected faults, as a plain httpx client sees them, reproducible from a seed."""

from __future__ import annotations

import httpx
import pytest

from heygen_lipsync.sandbox import ConnectionDropped, EmbeddedSandbox, FaultConfig, SandboxConfig, create_app
from tests.sandbox.conftest import AUTH, sample_request


def _count(client: httpx.Client) -> int:
    return len(client.get("/v3/lipsyncs", params={"limit": 100}).json()["data"])


def test_error_faults_answer_500_without_doing_the_work(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    body = sample_request(client)
    sandbox.set_faults(error_rate=1.0)
    response = client.post("/v3/lipsyncs", json=body)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.headers["x-request-id"]
    sandbox.set_faults()
    assert _count(client) == 0


def test_dropped_connections_give_no_response_and_do_no_work(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    body = sample_request(client)
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        client.post("/v3/lipsyncs", json=body)
    sandbox.set_faults()
    assert _count(client) == 0


def test_commit_then_drop_creates_the_job_but_loses_the_answer(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    body = sample_request(client)
    sandbox.set_faults(commit_then_drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "lost-answer"})
    assert client.get("/v3/lipsyncs").status_code == 200  # only POSTs are affected
    sandbox.set_faults()
    assert _count(client) == 1
    retry = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "lost-answer"})
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["data"]["lipsync_id"] == client.get("/v3/lipsyncs").json()["data"][0]["id"]


def test_slow_responses_outlast_a_short_timeout(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    sandbox.set_faults(slow_rate=1.0, slow_seconds=1.0)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/v3/lipsyncs", timeout=0.2)
    sandbox.set_faults()
    assert client.get("/v3/lipsyncs").status_code == 200


def test_rate_limit_bursts_last_their_length(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    sandbox.set_faults(rate_limit_rate=1.0, rate_limit_burst=3, rate_limit_retry_after=2)
    response = client.get("/v3/lipsyncs")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    sandbox.set_faults(rate_limit_rate=0.3, rate_limit_burst=3, seed=5)
    codes = [client.get("/v3/lipsyncs").status_code for _ in range(40)]
    runs = "".join("x" if c == 429 else "." for c in codes).split(".")
    assert all(len(run) % 3 == 0 for run in runs if run), codes  # bursts come whole (back to back at most)


def test_the_same_seed_gives_the_same_faults(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    def run(seed: int) -> list[int]:
        sandbox.set_faults(error_rate=0.3, rate_limit_rate=0.1, rate_limit_burst=2, seed=seed)
        return [client.get("/v3/lipsyncs").status_code for _ in range(30)]

    first, second, other = run(11), run(11), run(12)
    assert first == second
    assert {500, 429} <= set(first)
    assert first != other


def test_faults_can_be_set_over_http(sandbox: EmbeddedSandbox, client: httpx.Client) -> None:
    response = client.put("/_sandbox/faults", json={"error_rate": 1.0, "paths": ["/v3/lipsyncs/statuses"]})
    assert response.status_code == 200
    assert client.get("/_sandbox/faults").json()["data"]["error_rate"] == 1.0
    assert client.get("/v3/lipsyncs/statuses", params={"lipsync_ids": "x"}).status_code == 500
    assert client.get("/v3/lipsyncs").status_code == 200  # outside the configured paths
    assert client.put("/_sandbox/faults", json={"error_rate": 2}).status_code == 400
    assert client.put("/_sandbox/faults", json={"nonsense": 1}).status_code == 400
    assert client.put("/_sandbox/faults", json={}).status_code == 200
    assert client.get("/v3/lipsyncs/statuses", params={"lipsync_ids": "x"}).status_code == 200


@pytest.mark.anyio
async def test_faults_from_the_start_and_in_process() -> None:
    """Faults configured at start; in-process, a dropped connection surfaces as an exception."""
    app = create_app(SandboxConfig(faults=FaultConfig(drop_rate=1.0)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=AUTH) as client:
        with pytest.raises(ConnectionDropped):
            await client.get("/v3/lipsyncs")
    app.sandbox.close()
