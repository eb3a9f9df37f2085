"""A cap on unfinished jobs, answered with 429 rate_limit_exceeded and Retry-After."""

from __future__ import annotations

import time

import httpx

from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.sandbox.conftest import AUTH, create, fast_config, sample_request, wait


def test_creates_over_the_cap_get_429_until_a_job_finishes() -> None:
    with (
        EmbeddedSandbox(fast_config(max_concurrent_jobs=2, pending_seconds=1.0, running_seconds=0.5)) as sb,
        httpx.Client(base_url=sb.base_url, headers=AUTH) as client,
    ):
        body = sample_request(client)
        first = create(client, body)
        create(client, body)
        refused = client.post("/v3/lipsyncs", json=body)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limit_exceeded"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["x-request-id"]
        wait(client, first)
        give_up = time.monotonic() + 30
        while (response := client.post("/v3/lipsyncs", json=body)).status_code == 429 and time.monotonic() < give_up:
            time.sleep(0.05)
        assert response.status_code == 200


def test_a_refused_create_with_a_key_can_be_retried_with_that_key() -> None:
    with (
        EmbeddedSandbox(fast_config(max_concurrent_jobs=1, pending_seconds=1.0, running_seconds=0.5)) as sb,
        httpx.Client(base_url=sb.base_url, headers=AUTH) as client,
    ):
        body = sample_request(client)
        wait_for = create(client, body)
        key = {"Idempotency-Key": "retry-me"}
        assert client.post("/v3/lipsyncs", json=body, headers=key).status_code == 429
        wait(client, wait_for)
        give_up = time.monotonic() + 30
        while (response := client.post("/v3/lipsyncs", json=body, headers=key)).status_code == 429:
            assert time.monotonic() < give_up
            time.sleep(0.05)
        assert response.status_code == 200
        assert "idempotent-replayed" not in response.headers
