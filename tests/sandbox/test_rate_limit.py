"""A cap on unfinished jobs, answered with 429 rate_limit_exceeded and Retry-After."""

from __future__ import annotations

import time

import httpx
import pytest
from starlette.testclient import TestClient

from heygen_lipsync.sandbox import SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig, create_app
from heygen_lipsync.sandbox import clock as sandbox_clock
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


def test_a_batch_is_queued_behind_the_cap_not_started_all_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # HeyGen accepts a batch larger than the concurrency cap and queues it: items wait in
    # "queued" and start as earlier jobs finish, first come first served.
    clock = [1_000_000.0]
    monkeypatch.setattr(sandbox_clock, "now", lambda: clock[0])
    app = create_app(SandboxConfig(pending_seconds=0, running_seconds=100, max_concurrent_jobs=3))
    # No lifespan: the background worker stays off, so nothing produces outputs behind the fake clock.
    client = TestClient(app, base_url="http://sandbox", headers=AUTH)
    try:
        asset = client.post("/v3/assets", files={"file": ("v.mp4", SAMPLE_VIDEO.read_bytes())}).json()["data"]
        body = {
            "video": {"type": "asset_id", "asset_id": asset["asset_id"]},
            "audio": {"type": "asset_id", "asset_id": asset["asset_id"]},
        }

        def statuses(ids: list[str]) -> list[str]:
            page = client.get("/v3/lipsyncs/statuses", params={"lipsync_ids": ",".join(ids)}).json()
            return [entry["status"] for entry in page["data"]]

        first = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body] * 7})
        assert first.status_code == 202
        items = [
            i["video_id"]
            for i in client.get(f"/v3/lipsyncs/batches/{first.json()['data']['batch_id']}").json()["data"]["items"]
        ]
        clock[0] += 1
        second = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body] * 2}).json()["data"]["batch_id"]
        batch = client.get(f"/v3/lipsyncs/batches/{second}").json()["data"]
        later = [i["video_id"] for i in batch["items"]]
        assert statuses(items) == ["processing"] * 3 + ["queued"] * 4
        assert batch["counts_by_status"]["queued"] == 2
        assert client.get(f"/v3/lipsyncs/{items[3]}").json()["data"]["status"] == "pending"
        # A single create is still refused while queued items hold the cap.
        assert client.post("/v3/lipsyncs", json=body).status_code == 429
        clock[0] += 100  # the first three are done: the next three start, the rest wait
        assert statuses(items[3:] + later) == ["processing"] * 3 + ["queued"] * 3
        clock[0] += 100  # the last of the first batch and both of the second run together
        assert statuses(items[6:] + later) == ["processing"] * 3
    finally:
        app.sandbox.close()
