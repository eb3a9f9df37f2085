"""The sandbox as HeyGen defines it: asset processing, get/delete/statuses, the wallet, error objects."""

from __future__ import annotations

import hashlib

import httpx

from heygen_lipsync.sandbox import SAMPLE_AUDIO, EmbeddedSandbox
from tests.sandbox.conftest import fast_config, sample_request, wait


def _direct_upload(client: httpx.Client) -> str:
    content = SAMPLE_AUDIO.read_bytes()
    body = {"filename": "a.wav", "content_type": "audio/wav", "size_bytes": len(content),
            "checksum_sha256": hashlib.sha256(content).hexdigest()}  # fmt: skip
    started = client.post("/v3/assets/direct-uploads", json=body).json()["data"]
    assert httpx.put(started["upload_url"], content=content, headers=started["upload_headers"]).status_code == 200
    asset_id: str = started["asset_id"]
    return asset_id


def test_a_completed_direct_upload_is_processing_and_not_usable_until_ready() -> None:
    with (
        EmbeddedSandbox(fast_config(asset_processing_seconds=3600)) as sb,
        httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as client,
    ):
        asset_id = _direct_upload(client)
        done = client.post(f"/v3/assets/{asset_id}/complete", json={}).json()["data"]
        assert done["status"] == "processing"
        entries = client.get("/v3/assets/statuses", params={"asset_ids": asset_id}).json()["data"]
        assert entries[0]["video_id"] == asset_id and entries[0]["status"] == "processing"
        source = {"type": "asset_id", "asset_id": asset_id}
        assert client.post("/v3/lipsyncs", json={"video": source, "audio": source}).status_code == 400


def test_assets_can_be_read_listed_by_status_and_deleted(client: httpx.Client) -> None:
    asset_id = _direct_upload(client)
    client.post(f"/v3/assets/{asset_id}/complete", json={})
    detail = client.get(f"/v3/assets/{asset_id}").json()["data"]
    assert detail["id"] == asset_id and detail["name"] == "a.wav" and detail["type"] == "audio"
    statuses = client.get("/v3/assets/statuses", params={"asset_ids": f"{asset_id},asset_nope"}).json()["data"]
    assert [e["status"] for e in statuses] == ["completed", "not_found"]
    assert client.delete(f"/v3/assets/{asset_id}").json()["data"] == {"id": asset_id}
    assert client.get(f"/v3/assets/{asset_id}").status_code == 404
    assert client.delete(f"/v3/assets/{asset_id}").status_code == 404


def test_completed_jobs_draw_the_wallet_down_by_heygens_rate() -> None:
    with (
        EmbeddedSandbox(fast_config(wallet_balance=10.0)) as sb,
        httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as client,
    ):
        before = client.get("/v3/users/me").json()["data"]
        assert before["billing_type"] == "wallet" and before["wallet"]["remaining_balance"] == 10.0
        lipsync_id = client.post("/v3/lipsyncs", json=sample_request(client)).json()["data"]["lipsync_id"]
        done = wait(client, lipsync_id)
        assert done["status"] == "completed"
        after = client.get("/v3/users/me").json()["data"]["wallet"]["remaining_balance"]
        assert after == round(10.0 - done["duration"] * 0.0333, 4)
