"""Idempotency-Key: the first response replays for 24 h; a repeat in flight gets 409; bad keys get 400."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig, create_app
from tests.sandbox.conftest import AUTH, create, fast_config, sample_request


def test_a_repeated_key_replays_the_first_response(client: httpx.Client) -> None:
    body = sample_request(client)
    first = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "create-1"})
    again = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "create-1"})
    other = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "create-2"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json()["data"]["lipsync_id"] != first.json()["data"]["lipsync_id"]
    listed = client.get("/v3/lipsyncs", params={"limit": 100}).json()["data"]
    assert len(listed) == 2


def test_the_same_key_on_another_route_is_independent(client: httpx.Client) -> None:
    body = sample_request(client)
    job = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "k"})
    batch = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body]}, headers={"Idempotency-Key": "k"})
    assert job.status_code == 200 and batch.status_code == 202


def test_a_rejected_request_replays_its_error_too(client: httpx.Client) -> None:
    bad = {"video": {"type": "asset_id", "asset_id": "asset_missing"}, "audio": {"type": "asset_id", "asset_id": "x"}}
    first = client.post("/v3/lipsyncs", json=bad, headers={"Idempotency-Key": "bad-1"})
    again = client.post("/v3/lipsyncs", json=sample_request(client), headers={"Idempotency-Key": "bad-1"})
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "semi;colon"])
def test_malformed_keys_are_refused(client: httpx.Client, key: str) -> None:
    response = client.post("/v3/lipsyncs", json=sample_request(client), headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_parameter",
        "message": response.json()["error"]["message"],
        "param": "Idempotency-Key",
        "doc_url": "https://docs.heygen.com/reference/error-codes#invalid-parameter",
    }


def test_replays_end_when_the_window_ends() -> None:
    with (
        EmbeddedSandbox(fast_config(idempotency_ttl_seconds=0)) as sb,
        httpx.Client(base_url=sb.base_url, headers=AUTH) as client,
    ):
        body = sample_request(client)
        ids = {
            client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "k"}).json()["data"]["lipsync_id"]
            for _ in range(2)
        }
    assert len(ids) == 2


@pytest.mark.anyio
async def test_a_repeat_while_the_first_is_in_flight_gets_409() -> None:
    app = create_app(SandboxConfig())
    release = anyio.Event()
    started = anyio.Event()
    boundary = "sandboxboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    async def slow_body() -> AsyncIterator[bytes]:
        yield head
        started.set()
        await release.wait()  # the upload is still arriving
        yield SAMPLE_VIDEO.read_bytes()
        yield tail

    headers = {**AUTH, "Idempotency-Key": "upload-1", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    again = {**AUTH, "Idempotency-Key": "upload-1"}
    files = {"file": ("v.mp4", SAMPLE_VIDEO.read_bytes())}
    results: dict[str, httpx.Response] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:

        async def first() -> None:
            results["first"] = await client.post("/v3/assets", content=slow_body(), headers=headers)

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            await started.wait()
            results["during"] = await client.post("/v3/assets", files=files, headers=again)
            release.set()
        results["after"] = await client.post("/v3/assets", files=files, headers=again)
    app.sandbox.close()
    assert results["during"].status_code == 409
    assert results["during"].json()["error"]["code"] == "request_in_progress"
    assert results["first"].status_code == 200
    assert results["after"].json() == results["first"].json()


def test_no_key_means_no_replay(client: httpx.Client) -> None:
    body = sample_request(client)
    assert create(client, body) != create(client, body)
