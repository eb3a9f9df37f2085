"""The sandbox's answers to a scripted session, validated against HeyGen's published response schemas.

tests/generated/test_published_schemas.py holds our spec to HeyGen's schemas; this holds the
sandbox to them: every request of a session a user could make (upload multipart and
direct, complete, asset get/statuses/delete, create, get, list, update, a batch with an
item that fails, statuses, delete, users/me) goes to HeyGen's published method and path,
and the JSON body of each success must validate against the schema HeyGen publishes for
that operation. Skipped when the published file (shared reference material outside the
project) is not there.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jsonschema
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from tests.generated.test_published_schemas import _published, needs_published

pytestmark = [pytest.mark.anyio, needs_published]


def _json_schema(node: Any) -> Any:
    """HeyGen's OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a null type alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _violations(name: str, body: Any) -> list[str]:
    schema = _published()[name]["response_schema"]
    validator = jsonschema.Draft202012Validator(_json_schema(schema))
    errors = validator.iter_errors(body)
    return [f"{name} {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors]


class Session:
    """Sends each request to HeyGen's published method and path, and checks the answer's shape."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.problems: list[str] = []
        self.checked: set[str] = set()

    async def call(self, name: str, *, ids: dict[str, str] | None = None, **kwargs: Any) -> Any:
        operation = _published()[name]
        response = await self.http.request(operation["method"], operation["path"].format(**(ids or {})), **kwargs)
        assert response.is_success, f"{name}: {response.status_code} {response.text}"
        body = response.json()
        if operation["response_schema"] is not None:
            self.problems.extend(_violations(name, body))
            self.checked.add(name)
        return body


@pytest.fixture
async def session() -> AsyncIterator[Session]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.1, asset_processing_seconds=0.05)
    async with (
        EmbeddedSandbox(config) as sb,
        httpx.AsyncClient(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as http,
    ):
        yield Session(http)


async def _until(read: Any, done: Any) -> Any:
    """Read again until `done(answer)`; bounded by a count of reads, not by a clock."""
    for _ in range(400):
        answer = await read()
        if done(answer):
            return answer
        await asyncio.sleep(0.02)
    raise AssertionError("the sandbox never got there")


def test_the_converter_makes_nullable_fields_accept_null() -> None:
    schema = _json_schema({"type": "object", "properties": {"e": {"type": "object", "nullable": True}}})
    jsonschema.validate({"e": None}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"e": "a string"}, schema)


async def test_a_whole_session_answers_in_heygens_shapes(session: Session) -> None:
    s = session
    with SAMPLE_VIDEO.open("rb") as file:
        uploaded = await s.call("AssetCreate", files={"file": (SAMPLE_VIDEO.name, file, "video/mp4")})
    video = uploaded["data"]["asset_id"]
    data = SAMPLE_AUDIO.read_bytes()
    presign = await s.call(
        "AssetDirectUploadsCreate",
        json={"filename": SAMPLE_AUDIO.name, "content_type": "audio/wav", "size_bytes": len(data)},
    )
    audio, upload_url = presign["data"]["asset_id"], presign["data"]["upload_url"]
    async with httpx.AsyncClient() as storage:  # a presigned URL takes no credentials
        put = await storage.put(upload_url, content=data, headers=presign["data"].get("upload_headers") or {})
    assert put.is_success, put.text
    await s.call(
        "AssetCompleteCreate", ids={"asset_id": audio}, json={"checksum_sha256": hashlib.sha256(data).hexdigest()}
    )
    await _until(
        lambda: s.call("AssetStatusesList", params={"asset_ids": f"{video},{audio}"}),
        lambda body: all(entry["status"] == "completed" for entry in body["data"]),
    )
    await s.call("AssetGet", ids={"asset_id": audio})

    sources = {"video": {"type": "asset_id", "asset_id": video}, "audio": {"type": "asset_id", "asset_id": audio}}
    lipsync = (await s.call("LipsyncCreate", json={**sources, "title": "shapes"}))["data"]["lipsync_id"]
    await s.call("LipsyncGet", ids={"lipsync_id": lipsync})
    await s.call("LipsyncList", params={"limit": 5})
    await s.call("LipsyncUpdate", ids={"lipsync_id": lipsync}, json={"title": "shapes renamed"})
    # Item 1 starts beyond the 4 s sample: accepted, then it fails, with an error object.
    batch = await s.call(
        "LipsyncBatchesCreate", json={"lipsyncs": [sources, {**sources, "start_time": 100.0}], "title": "shapes"}
    )
    batch_id = batch["data"]["batch_id"]
    finished = await _until(
        lambda: s.call("LipsyncBatchesGet", ids={"batch_id": batch_id}),
        lambda body: body["data"]["status"] != "processing",
    )
    assert [item["status"] for item in finished["data"]["items"]] == ["completed", "failed"]
    assert finished["data"]["items"][1]["error"]["message"]
    await s.call("LipsyncStatusesList", params={"batch_ids": batch_id})
    await _until(
        lambda: s.call("LipsyncStatusesList", params={"lipsync_ids": lipsync}),
        lambda body: body["data"][0]["status"] == "completed",
    )
    await s.call("LipsyncDelete", ids={"lipsync_id": lipsync})
    await s.call("AssetDelete", ids={"asset_id": video})
    await s.call("UserMeGet")

    assert s.problems == []
    published = {"AssetCreate", "AssetDirectUploadsCreate", "AssetCompleteCreate", "AssetStatusesList", "AssetGet"}
    published |= {"LipsyncCreate", "LipsyncGet", "LipsyncList", "LipsyncUpdate", "LipsyncBatchesGet"}
    published |= {"LipsyncStatusesList", "LipsyncDelete", "AssetDelete", "UserMeGet"}
    assert s.checked == published  # every answer with a published schema was checked


async def test_registered_webhooks_answer_in_heygens_shapes(session: Session) -> None:
    s = session
    sources = {}
    for sample in (SAMPLE_VIDEO, SAMPLE_AUDIO):
        with sample.open("rb") as file:
            uploaded = await s.call("AssetCreate", files={"file": (sample.name, file, "application/octet-stream")})
        sources[sample] = {"type": "asset_id", "asset_id": uploaded["data"]["asset_id"]}
    created = await s.call("WebhookEndpointsCreate", json={"url": "https://hooks.example/in", "events": None})
    endpoint = {"endpoint_id": created["data"]["endpoint_id"]}
    await s.call("WebhookEndpointsList", params={"limit": 5})
    await s.call("WebhookEndpointsUpdate", ids=endpoint, json={"events": ["batch.finished"]})
    await s.call("WebhookEndpointsRotateSecret", ids=endpoint)
    await s.call("WebhookEventTypesList")
    job = {"video": sources[SAMPLE_VIDEO], "audio": sources[SAMPLE_AUDIO]}
    batch_id = (await s.call("LipsyncBatchesCreate", json={"lipsyncs": [job]}))["data"]["batch_id"]
    events = await _until(
        lambda: s.call("WebhookEventsList", params={"entity_id": batch_id}), lambda body: bool(body["data"])
    )
    assert events["data"][0]["event_type"] == "batch.finished"
    await s.call("WebhookEndpointsDelete", ids=endpoint)

    assert s.problems == []
    webhooks = {"WebhookEndpointsCreate", "WebhookEndpointsList", "WebhookEndpointsUpdate"}
    webhooks |= {"WebhookEndpointsRotateSecret", "WebhookEventTypesList", "WebhookEventsList", "WebhookEndpointsDelete"}
    assert webhooks <= s.checked


async def test_asset_batch_uploads_answer_in_heygens_shapes(session: Session) -> None:
    s = session
    samples = [SAMPLE_VIDEO.read_bytes(), SAMPLE_AUDIO.read_bytes()]
    files = [
        {"filename": "talk.mp4", "content_type": "video/mp4", "size_bytes": len(samples[0])},
        {
            "filename": "dub.wav",
            "content_type": "audio/wav",
            "size_bytes": len(samples[1]),
            "checksum_sha256": hashlib.sha256(samples[1]).hexdigest(),
        },
    ]
    presigned = await s.call("AssetDirectUploadsBatchesCreate", json={"files": files, "title": "shapes"})
    batch_id, slots = presigned["data"]["batch_id"], presigned["data"]["items"]
    assert [slot["status"] for slot in slots] == ["pending_upload", "pending_upload"]
    queued = await s.call("AssetBatchesGet", ids={"batch_id": batch_id})
    assert [item["status"] for item in queued["data"]["items"]] == ["queued", "queued"]
    async with httpx.AsyncClient() as storage:
        for slot, data in zip(slots, samples, strict=True):
            put = await storage.put(slot["upload_url"], content=data, headers=slot["upload_headers"])
            assert put.is_success, put.text
    await s.call("AssetCompleteBatchesCreate", json={"batch_id": batch_id})
    done = await _until(
        lambda: s.call("AssetBatchesGet", ids={"batch_id": batch_id}, params={"limit": 1}),
        lambda body: body["data"]["status"] != "processing",
    )
    assert done["data"]["status"] == "completed" and done["data"]["has_more"] is True
    await s.call("AssetStatusesList", params={"batch_ids": batch_id})

    assert s.problems == []
    assert {"AssetDirectUploadsBatchesCreate", "AssetBatchesGet", "AssetStatusesList"} <= s.checked
