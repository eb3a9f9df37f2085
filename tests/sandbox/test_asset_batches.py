"""The sandbox's upload batches: up to 100 direct uploads presigned and completed in one call each."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox
from tests.sandbox.conftest import fast_config

VIDEO, AUDIO = SAMPLE_VIDEO.read_bytes(), SAMPLE_AUDIO.read_bytes()


def _file(data: bytes, name: str, content_type: str, **extra: Any) -> dict[str, Any]:
    return {"filename": name, "content_type": content_type, "size_bytes": len(data), **extra}


def _presign(client: httpx.Client, files: list[dict[str, Any]], **headers: str) -> dict[str, Any]:
    response = client.post("/v3/assets/direct-uploads/batches", json={"files": files}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def _put(slot: dict[str, Any], data: bytes) -> None:
    put = httpx.put(slot["upload_url"], content=data, headers=slot["upload_headers"])
    assert put.status_code == 200, put.text


def _finished(client: httpx.Client, batch_id: str) -> dict[str, Any]:
    for _ in range(200):
        data = client.get(f"/v3/assets/batches/{batch_id}").json()["data"]
        if data["status"] != "processing":
            return data  # type: ignore[no-any-return]
        time.sleep(0.02)
    raise AssertionError("the batch never finished")


def test_each_file_is_checked_and_a_bad_one_is_named(client: httpx.Client) -> None:
    bad = client.post(
        "/v3/assets/direct-uploads/batches",
        json={"files": [_file(VIDEO, "a.mp4", "video/mp4"), {"filename": "b.wav", "content_type": "audio/wav"}]},
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "files[1].size_bytes"
    too_many = client.post(
        "/v3/assets/direct-uploads/batches", json={"files": [_file(VIDEO, "a.mp4", "video/mp4")] * 101}
    )
    assert too_many.status_code == 400 and too_many.json()["error"]["param"] == "files"
    checksum = client.post(
        "/v3/assets/direct-uploads/batches",
        json={"files": [_file(VIDEO, "a.mp4", "video/mp4"), _file(AUDIO, "b.wav", "audio/wav", checksum_sha256="x")]},
    )
    assert checksum.status_code == 400 and checksum.json()["error"]["param"] == "files[1].checksum_sha256"
    unknown = client.post("/v3/assets/direct-uploads/batches", json={"files": [], "extra": 1})
    assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "extra"


def test_one_bad_file_fails_alone_and_the_others_become_assets(client: httpx.Client) -> None:
    files = [
        _file(VIDEO, "talk.mp4", "video/mp4"),
        _file(AUDIO, "dub.wav", "audio/wav", checksum_sha256=hashlib.sha256(AUDIO).hexdigest()),
        _file(AUDIO, "never-sent.wav", "audio/wav"),
        _file(b"plain text, not media", "notes.txt", "text/plain"),
    ]
    batch = _presign(client, files)
    assert len(batch["items"]) == 4 and len({slot["asset_id"] for slot in batch["items"]}) == 4
    _put(batch["items"][0], VIDEO)
    _put(batch["items"][1], AUDIO)
    _put(batch["items"][3], b"plain text, not media")
    completed = client.post("/v3/assets/complete/batches", json={"batch_id": batch["batch_id"]})
    assert completed.status_code == 202 and completed.json()["data"] == {"batch_id": batch["batch_id"]}
    data = _finished(client, batch["batch_id"])
    assert [item["status"] for item in data["items"]] == ["completed", "completed", "failed", "failed"]
    assert data["items"][2]["error"]["code"] == "upload_missing"
    assert data["items"][3]["error"]["code"] == "invalid_parameter"
    # As a lipsync batch: finished, and "completed" while any item completed.
    assert data["counts_by_status"]["completed"] == 2 and data["status"] == "completed"
    assert [item["video_id"] for item in data["items"]] == [slot["asset_id"] for slot in batch["items"]]
    # The completed files are assets a create can use; completing again changes nothing.
    assert client.get(f"/v3/assets/{batch['items'][0]['asset_id']}").status_code == 200
    again = client.post("/v3/assets/complete/batches", json={"batch_id": batch["batch_id"]})
    assert again.status_code == 202 and _finished(client, batch["batch_id"]) == data
    statuses = client.get("/v3/assets/statuses", params={"batch_ids": batch["batch_id"]}).json()["data"]
    assert [entry["status"] for entry in statuses] == ["completed", "completed", "failed", "failed"]


def test_the_same_key_returns_the_same_batch_and_an_unknown_batch_is_404(client: httpx.Client) -> None:
    files = [_file(VIDEO, "talk.mp4", "video/mp4")]
    first = _presign(client, files, **{"Idempotency-Key": "batch-key-1"})
    assert _presign(client, files, **{"Idempotency-Key": "batch-key-1"})["batch_id"] == first["batch_id"]
    for response in (
        client.post("/v3/assets/complete/batches", json={"batch_id": "asb_nope"}),
        client.get("/v3/assets/batches/asb_nope"),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    missing = client.post("/v3/assets/complete/batches", json={})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "batch_id"


def test_a_put_not_yet_visible_makes_the_complete_a_409_to_retry() -> None:
    with (
        EmbeddedSandbox(fast_config(put_visible_seconds=0.5)) as sb,
        httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as client,
    ):
        batch = _presign(client, [_file(VIDEO, "talk.mp4", "video/mp4")])
        _put(batch["items"][0], VIDEO)
        early = client.post("/v3/assets/complete/batches", json={"batch_id": batch["batch_id"]})
        assert early.status_code == 409 and early.json()["error"]["code"] == "conflict"
        time.sleep(0.6)
        late = client.post("/v3/assets/complete/batches", json={"batch_id": batch["batch_id"]})
        assert late.status_code == 202
        assert _finished(client, batch["batch_id"])["status"] == "completed"


@pytest.mark.parametrize("limit", [1, 2])
def test_items_page(client: httpx.Client, limit: int) -> None:
    batch = _presign(client, [_file(VIDEO, f"v{i}.mp4", "video/mp4") for i in range(3)])
    seen: list[int] = []
    token = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"token": token} if token else {})}
        data = client.get(f"/v3/assets/batches/{batch['batch_id']}", params=params).json()["data"]
        seen += [item["item_index"] for item in data["items"]]
        if not data["has_more"]:
            break
        token = data["next_token"]
    assert seen == [0, 1, 2]
