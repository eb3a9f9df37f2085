"""The sandbox follows what HeyGen published after July 2026 (issue 25).

The error envelope of HeyGen's error-codes page, 409 from a `complete` that comes before
the PUT is visible, the hex `checksum_sha256` of HeyGen's own upload code (S3's base64 form
only in the signed `upload_headers`), captions on every completed job, and `folder_id`
checked against the workspace's folders before anything is created.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO
from tests.sandbox.conftest import sample_request, wait


def _start(client: httpx.Client, content: bytes, **extra: Any) -> dict[str, Any]:
    body = {"filename": "talk.wav", "content_type": "audio/wav", "size_bytes": len(content), **extra}
    response = client.post("/v3/assets/direct-uploads", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


# -- item 3: the error envelope ---------------------------------------------------------


def test_a_wrong_key_gets_401_unauthorized_with_a_link_to_its_section(client: httpx.Client) -> None:
    response = client.get("/v3/lipsyncs", headers={"x-api-key": "wrong"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized"
    assert error["doc_url"].endswith("/error-codes#unauthorized")
    assert "param" not in error  # param only on validation errors


def test_only_validation_errors_carry_param_and_every_error_links_its_code(client: httpx.Client) -> None:
    missing = client.get("/v3/lipsyncs/ls_missing").json()["error"]
    assert missing["code"] == "not_found" and "param" not in missing
    assert missing["doc_url"].endswith("#not-found")
    invalid = client.post("/v3/lipsyncs", json={"audio": {"type": "url", "url": "https://x/a.wav"}}).json()["error"]
    assert invalid["code"] == "invalid_parameter" and invalid["param"] == "video"
    assert invalid["doc_url"].endswith("#invalid-parameter")


# -- item 4: complete before the PUT is visible ------------------------------------------


def test_complete_before_the_put_answers_409_conflict(client: httpx.Client) -> None:
    started = _start(client, SAMPLE_AUDIO.read_bytes())
    early = client.post(f"/v3/assets/{started['asset_id']}/complete", json={})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "conflict"
    assert "not found yet" in early.json()["error"]["message"]


# -- item 5: checksum_sha256 is hex; S3's base64 form is only in upload_headers --------------


def test_checksum_sha256_is_hex_and_a_base64_digest_is_refused_naming_the_field(client: httpx.Client) -> None:
    content = SAMPLE_AUDIO.read_bytes()
    as_base64 = base64.b64encode(hashlib.sha256(content).digest()).decode()
    for path, body in (
        ("/v3/assets/direct-uploads", {"filename": "a.wav", "content_type": "audio/wav", "size_bytes": len(content)}),
        (f"/v3/assets/{_start(client, content)['asset_id']}/complete", {}),
    ):
        refused = client.post(path, json={**body, "checksum_sha256": as_base64})
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["param"] == "checksum_sha256"
        assert "hex" in error["message"] and "base64" in error["message"]


def test_a_checksum_given_up_front_is_signed_into_the_put_in_s3s_base64_form(client: httpx.Client) -> None:
    content = SAMPLE_AUDIO.read_bytes()
    digest = hashlib.sha256(content)
    started = _start(client, content, checksum_sha256=digest.hexdigest())
    assert started["upload_headers"]["x-amz-checksum-sha256"] == base64.b64encode(digest.digest()).decode()
    tampered = bytes([content[0] ^ 1]) + content[1:]
    bad = httpx.put(started["upload_url"], content=tampered, headers=started["upload_headers"])
    assert bad.status_code == 400 and "BadDigest" in bad.text
    good = httpx.put(started["upload_url"], content=content, headers=started["upload_headers"])
    assert good.status_code == 200
    done = client.post(f"/v3/assets/{started['asset_id']}/complete", json={"checksum_sha256": digest.hexdigest()})
    assert done.status_code == 200, done.text


# -- item 1: captions are always made -----------------------------------------------------


@pytest.mark.parametrize("extra", [{}, {"enable_caption": False}, {"enable_caption": True}])
def test_every_completed_job_has_a_caption_url_whatever_enable_caption_says(
    client: httpx.Client, extra: dict[str, Any]
) -> None:
    done = wait(client, client.post("/v3/lipsyncs", json=sample_request(client, **extra)).json()["data"]["lipsync_id"])
    assert done["status"] == "completed"
    assert done["caption_url"]
    assert httpx.get(done["caption_url"]).text.startswith("1\n")


# -- item 2: folder_id names one of the workspace's folders ----------------------------------


def _folder(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("/v3/folders", json={"name": "dubs", **body})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_folders_are_created_and_read_in_heygens_shape(client: httpx.Client) -> None:
    root = _folder(client)
    assert root["type"] == "mixed" and root["is_trash"] is False and "parent_id" not in root
    child = _folder(client, name="French", parent_id=root["folder_id"], type="video")
    assert child["parent_id"] == root["folder_id"]
    assert client.get(f"/v3/folders/{child['folder_id']}").json()["data"] == child
    assert client.post("/v3/folders", json={"name": ""}).json()["error"]["param"] == "name"
    assert client.post("/v3/folders", json={"name": "x", "parent_id": "fld_nope"}).status_code == 404


@pytest.mark.parametrize("kind", ["unknown", "trashed", "not a folder"])
def test_a_create_into_a_folder_that_cannot_hold_it_is_404_and_creates_nothing(client: httpx.Client, kind: str) -> None:
    body = sample_request(client)
    folder_id = {"unknown": "fld_0000", "not a folder": body["video"]["asset_id"]}.get(kind)
    if kind == "trashed":
        folder_id = _folder(client)["folder_id"]
        assert client.post(f"/_sandbox/folders/{folder_id}/trash").status_code == 200
    before = client.get("/v3/lipsyncs", params={"limit": 100}).json()["data"]
    refused = client.post("/v3/lipsyncs", json={**body, "folder_id": folder_id})
    assert refused.status_code == 404
    assert "folder_id" in refused.json()["error"]["message"] and folder_id in refused.json()["error"]["message"]
    batch = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body, {**body, "folder_id": folder_id}]})
    assert batch.status_code == 404 and "lipsyncs[1].folder_id" in batch.json()["error"]["message"]
    assert client.get("/v3/lipsyncs", params={"limit": 100}).json()["data"] == before


@pytest.mark.parametrize("root", [None, ""])
def test_null_or_empty_folder_id_is_the_workspace_root(client: httpx.Client, root: str | None) -> None:
    assert client.post("/v3/lipsyncs", json=sample_request(client, folder_id=root)).status_code == 200


def test_a_create_into_a_live_folder_is_accepted(client: httpx.Client) -> None:
    folder = _folder(client)["folder_id"]
    assert client.post("/v3/lipsyncs", json=sample_request(client, folder_id=folder)).status_code == 200


# -- item 7: registered webhook endpoints, event types, events ------------------------------


def test_webhook_endpoints_live_their_whole_life(client: httpx.Client) -> None:
    created = client.post("/v3/webhooks/endpoints", json={"url": "https://hooks.example/heygen"}).json()["data"]
    assert created["secret"].startswith("whsec_") and created["events"] is None and created["status"] == "enabled"
    listed = client.get("/v3/webhooks/endpoints").json()
    assert [e["endpoint_id"] for e in listed["data"]] == [created["endpoint_id"]]
    assert listed["data"][0]["secret"] is None  # shown only at creation and rotation
    path = f"/v3/webhooks/endpoints/{created['endpoint_id']}"
    updated = client.patch(path, json={"events": ["batch.finished"]}).json()["data"]
    assert updated["events"] == ["batch.finished"]
    rotated = client.post(f"{path}/rotate-secret").json()["data"]
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert client.delete(path).json() == {"data": {}}
    assert client.delete(path).status_code == 404
    assert client.post("/v3/webhooks/endpoints", json={"url": "http://example.com/x"}).json()["error"]["param"] == "url"
    bad = client.post("/v3/webhooks/endpoints", json={"url": "https://h.example", "events": ["lipsync.success"]})
    assert bad.json()["error"]["param"] == "events[0]"  # HeyGen lists no lipsync event type


def test_event_types_include_batch_finished_and_no_lipsync_type(client: httpx.Client) -> None:
    types = [t["event_type"] for t in client.get("/v3/webhooks/event-types").json()["data"]]
    assert "batch.finished" in types
    assert not any(t.startswith("lipsync") for t in types)
