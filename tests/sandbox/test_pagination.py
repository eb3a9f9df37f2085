"""Lists, batches and statuses paginate with opaque tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_VIDEO, SandboxConfig, create_app
from tests.sandbox.conftest import AUTH

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # Jobs stay pending for the whole test, so listing them never produces outputs.
    app = create_app(SandboxConfig(pending_seconds=3600, max_concurrent_jobs=1000))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=AUTH) as c:
        yield c
    app.sandbox.close()


async def _body(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/v3/assets", files={"file": ("v.mp4", SAMPLE_VIDEO.read_bytes())})
    asset = {"type": "asset_id", "asset_id": response.json()["data"]["asset_id"]}
    return {"video": asset, "audio": asset}


async def test_listing_250_jobs_page_by_page_returns_each_once_newest_first(client: httpx.AsyncClient) -> None:
    body = await _body(client)
    created = [(await client.post("/v3/lipsyncs", json=body)).json()["data"]["lipsync_id"] for _ in range(250)]
    pages: list[list[str]] = []
    token = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"token": token} if token else {})}
        page = (await client.get("/v3/lipsyncs", params=params)).json()
        pages.append([item["id"] for item in page["data"]])
        if not page["has_more"]:
            assert page["next_token"] is None
            break
        token = page["next_token"]
    assert [len(p) for p in pages] == [100, 100, 50]
    assert [i for p in pages for i in p] == created[::-1]
    default = (await client.get("/v3/lipsyncs")).json()
    assert len(default["data"]) == 10 and default["has_more"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"token": "not-a-token"}])
async def test_bad_paging_parameters_are_refused(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/v3/lipsyncs", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == next(iter(params))


async def test_a_token_from_one_list_is_refused_by_another(client: httpx.AsyncClient) -> None:
    body = await _body(client)
    for _ in range(3):
        await client.post("/v3/lipsyncs", json=body)
    token = (await client.get("/v3/lipsyncs", params={"limit": 1})).json()["next_token"]
    batch_id = (await client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body]})).json()["data"]["batch_id"]
    response = await client.get(f"/v3/lipsyncs/batches/{batch_id}", params={"token": token})
    assert response.status_code == 400


async def test_batch_items_page_and_use_the_queued_vocabulary(client: httpx.AsyncClient) -> None:
    body = await _body(client)
    response = await client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body] * 100, "title": "hundred"})
    assert response.status_code == 202
    batch_id = response.json()["data"]["batch_id"]
    items: list[dict[str, Any]] = []
    token = None
    while True:
        params: dict[str, Any] = {"limit": 40, **({"token": token} if token else {})}
        data = (await client.get(f"/v3/lipsyncs/batches/{batch_id}", params=params)).json()["data"]
        items.extend(data["items"])
        assert data["total_items"] == 100
        assert data["counts_by_status"]["queued"] == 100
        assert data["status"] == "processing"
        if not data["has_more"]:
            break
        token = data["next_token"]
    assert [item["item_index"] for item in items] == list(range(100))
    assert {item["status"] for item in items} == {"queued"}
    assert all(item["video_id"].startswith("ls_") for item in items)


async def test_batches_accept_1_to_100_items(client: httpx.AsyncClient) -> None:
    body = await _body(client)
    for items in ([], [body] * 101):
        response = await client.post("/v3/lipsyncs/batches", json={"lipsyncs": items})
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "lipsyncs"
    bad = await client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body, {"video": body["video"]}]})
    assert bad.json()["error"]["param"] == "lipsyncs[1].audio"


async def test_statuses_report_many_ids_in_one_answer_with_not_found(client: httpx.AsyncClient) -> None:
    body = await _body(client)
    ids = [(await client.post("/v3/lipsyncs", json=body)).json()["data"]["lipsync_id"] for _ in range(60)]
    batch_id = (await client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body] * 3})).json()["data"]["batch_id"]
    query = {"lipsync_ids": ",".join([*ids, "ls_nope"]), "batch_ids": f"{batch_id},lsb_nope"}
    page = (await client.get("/v3/lipsyncs/statuses", params=query)).json()
    assert page["has_more"] is False and page["next_token"] is None
    entries: list[dict[str, Any]] = page["data"]
    assert len(entries) == 60 + 1 + 3 + 1
    assert [e["video_id"] for e in entries[:60]] == ids
    assert {e["status"] for e in entries[:60]} == {"queued"}
    assert entries[60] == {"video_id": "ls_nope", "status": "not_found", "batch_id": None}
    assert [(e["batch_id"], e["item_index"]) for e in entries[61:64]] == [(batch_id, 0), (batch_id, 1), (batch_id, 2)]
    assert entries[64]["status"] == "not_found" and entries[64]["batch_id"] == "lsb_nope"


@pytest.mark.parametrize("params", [{"limit": 25}, {"token": "t2"}])
async def test_statuses_refuse_paging_parameters_heygen_does_not_define(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    response = await client.get("/v3/lipsyncs/statuses", params={"lipsync_ids": "ls_x", **params})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == next(iter(params))


async def test_statuses_count_lipsync_and_batch_ids_together_up_to_100(client: httpx.AsyncClient) -> None:
    lipsync_ids, batch_ids = ",".join(f"ls_{i}" for i in range(60)), ",".join(f"lsb_{i}" for i in range(41))
    query = {"lipsync_ids": lipsync_ids, "batch_ids": batch_ids}
    response = await client.get("/v3/lipsyncs/statuses", params=query)
    assert response.status_code == 400


async def test_statuses_refuse_more_than_100_ids(client: httpx.AsyncClient) -> None:
    too_many = ",".join(f"ls_{i}" for i in range(101))
    response = await client.get("/v3/lipsyncs/statuses", params={"lipsync_ids": too_many})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "lipsync_ids"
