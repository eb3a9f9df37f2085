"""The five lipsync operations, batches and statuses, against the fake API."""

from __future__ import annotations

import json

import httpx
import pytest

from heygen_lipsync import (
    APIError,
    AssetSource,
    AsyncLipsyncClient,
    LipsyncRequest,
    NotFoundError,
    UrlSource,
    ValidationError,
)
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen

pytestmark = pytest.mark.anyio

REQUEST = LipsyncRequest(video=UrlSource("https://cdn.example.com/in.mp4"), audio=AssetSource("asset_dub"))


async def test_create_sends_only_set_fields(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    req = LipsyncRequest.from_dict(
        {"video": "https://cdn.example.com/in.mp4", "audio": "asset_dub", "title": "Dub", "end_time": 3}
    )
    lipsync_id = await client.create(req)
    assert lipsync_id in fake.jobs
    sent = json.loads(fake.calls("POST", "/v3/lipsyncs")[0].content)
    assert sent == {
        "video": {"type": "url", "url": "https://cdn.example.com/in.mp4"},
        "audio": {"type": "asset_id", "asset_id": "asset_dub"},
        "title": "Dub",
        "end_time": 3.0,
    }


async def test_invalid_request_raises_before_any_request(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    bad = LipsyncRequest(video=UrlSource("https://a/v.mp4"), audio=AssetSource("a"), start_time=4, end_time=2)
    with pytest.raises(ValidationError) as info:
        await client.create(bad)
    assert info.value.field == "end_time"
    with pytest.raises(ValidationError) as info:
        await client.update("ls_1", title="")
    assert info.value.field == "title"
    with pytest.raises(ValidationError) as info:
        await client.list(limit=500)
    assert info.value.field == "limit"
    for bad_id in ("  ", "..", ".", "ls_1,ls_2", "ls\x00", "x/../ls_1", "..\\ls_1", "ls_1?x=1", "ls_1#", "ls%2F1"):
        with pytest.raises(ValidationError):
            await client.get(bad_id)
        with pytest.raises(ValidationError):
            await client.delete(bad_id)
    assert fake.requests == []


async def test_get_update_delete(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    job = fake.add_job(title="Old")
    got = await client.get(job)
    assert (got.id, got.title, got.status) == (job, "Old", "running")
    updated = await client.update(job, title="New title")
    assert updated.title == "New title"
    assert json.loads(fake.calls("PATCH", f"/v3/lipsyncs/{job}")[0].content) == {"title": "New title"}
    assert await client.delete(job) == job
    with pytest.raises(NotFoundError) as info:
        await client.get(job)
    assert job in str(info.value)


async def test_list_one_page_and_iterate_all_pages(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    ids = [fake.add_job() for _ in range(7)]
    page = await client.list(limit=3)
    assert len(page.items) == 3 and page.has_more and page.next_token
    seen = [item.id async for item in client.iter_lipsyncs(page_size=3)]
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))
    assert len(fake.calls("GET", "/v3/lipsyncs")) == 1 + 3  # one page above, then 3 pages


async def test_unknown_fields_and_statuses_pass_through(fake: FakeHeyGen, clock: object) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"data": {"id": "ls_1", "status": "upscaling", "duration": "12.5", "new_thing": {"a": 1}}},
        )

    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as c:
        got = await c.get("ls_1")
    assert got.status == "upscaling" and not got.is_finished
    assert got.duration == 12.5
    assert got.extra == {"new_thing": {"a": 1}}
    assert got.to_dict()["new_thing"] == {"a": 1}


async def test_missing_required_field_does_not_crash(clock: object) -> None:
    # The generated model requires "status"; the library reads the body leniently instead.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"id": "ls_1"}})

    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as c:
        got = await c.get("ls_1")
    assert got.id == "ls_1" and got.status == "unknown"


async def test_2xx_body_that_is_not_json_is_an_api_error(clock: object) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>captive portal</html>", headers={"x-request-id": "req_html"})

    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(APIError) as info:
            await c.get("ls_1")
    assert "captive portal" in str(info.value) and info.value.request_id == "req_html"


async def test_undocumented_status_code_still_maps(clock: object) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(599, text="weird proxy")

    async with AsyncLipsyncClient(
        api_key=API_KEY, base_url=BASE_URL, max_retries=0, transport=httpx.MockTransport(handler)
    ) as c:
        with pytest.raises(APIError) as info:
            await c.list()
    assert "599" in str(info.value)


async def test_batch_create_and_get(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    batch_id = await client.create_batch([REQUEST, REQUEST], title="Two")
    sent = json.loads(fake.calls("POST", "/v3/lipsyncs/batches")[0].content)
    assert len(sent["lipsyncs"]) == 2 and sent["title"] == "Two"
    assert "idempotency-key" in fake.calls("POST", "/v3/lipsyncs/batches")[0].headers
    batch = await client.get_batch(batch_id)
    assert batch.batch_id == batch_id and batch.total_items == 2
    assert [item.lipsync_id for item in batch.items] == list(fake.jobs)
    assert batch.to_dict()["items"][0]["video_id"] == batch.items[0].lipsync_id


async def test_batch_validation_names_item_and_size(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    with pytest.raises(ValidationError) as info:
        await client.create_batch([])
    assert info.value.field == "lipsyncs"
    with pytest.raises(ValidationError) as info:
        await client.create_batch([REQUEST] * 101)
    assert info.value.field == "lipsyncs"
    bad = LipsyncRequest(video=UrlSource("https://a/v.mp4"), audio=AssetSource("a"), mode="turbo")
    with pytest.raises(ValidationError) as info:
        await client.create_batch([REQUEST, bad])
    assert info.value.field == "lipsyncs[1].mode"
    assert fake.requests == []


async def test_statuses_one_request_per_100_ids(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    ids = [fake.add_job() for _ in range(150)]
    entries = await client.statuses(lipsync_ids=[*ids, "ls_missing"])
    calls = fake.calls("GET", "/v3/lipsyncs/statuses")
    assert len(calls) == 2
    assert len(calls[0].url.params["lipsync_ids"].split(",")) == 100
    assert {e.lipsync_id for e in entries} == {*ids, "ls_missing"}
    assert next(e for e in entries if e.lipsync_id == "ls_missing").status == "not_found"


async def test_statuses_follow_pages(clock: object) -> None:
    pages = {
        None: {"data": [{"video_id": "a", "status": "queued"}], "has_more": True, "next_token": "t2"},
        "t2": {"data": [{"video_id": "b", "status": "completed"}], "has_more": False, "next_token": None},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("token")])

    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as c:
        entries = await c.statuses(batch_ids=["batch_1"])
    assert [(e.lipsync_id, e.status) for e in entries] == [("a", "queued"), ("b", "completed")]
