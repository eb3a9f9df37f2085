"""Asset uploads: multipart with a 32 MB limit and types sniffed from bytes; the direct-upload flow."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox
from tests.sandbox.conftest import AUTH, create, fast_config, wait

SRT = b"1\n00:00:00,000 --> 00:00:01,000\nhello\n"
KINDS = [
    (b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png"),
    (b"\xff\xd8\xff\xe0" + bytes(32), "image/jpeg"),
    (SAMPLE_VIDEO.read_bytes(), "video/mp4"),
    (b"\x1a\x45\xdf\xa3" + bytes(32), "video/webm"),
    (b"ID3\x04" + bytes(32), "audio/mpeg"),
    (SAMPLE_AUDIO.read_bytes(), "audio/wav"),
    (b"%PDF-1.7\n" + bytes(32), "application/pdf"),
    (SRT, "application/x-subrip"),
]


@pytest.mark.parametrize(("content", "mime_type"), KINDS)
def test_uploads_are_typed_from_their_bytes_not_their_names(
    client: httpx.Client, content: bytes, mime_type: str
) -> None:
    response = client.post("/v3/assets", files={"file": ("misleading.txt", content, "text/plain")})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["mime_type"] == mime_type
    assert data["size_bytes"] == len(content)
    assert httpx.get(data["url"]).content == content


@pytest.mark.parametrize("content", [b"just some text", b"", b"<html></html>"])
def test_unsupported_or_empty_files_are_refused(client: httpx.Client, content: bytes) -> None:
    response = client.post("/v3/assets", files={"file": ("x.mp4", content)})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_a_form_without_a_file_is_refused(client: httpx.Client) -> None:
    response = client.post("/v3/assets", data={"other": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_files_over_32_mb_get_413(client: httpx.Client) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(32 * 1024 * 1024)
    response = client.post("/v3/assets", files={"file": ("big.png", big)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_streamed_upload_without_length_is_cut_off_at_the_limit() -> None:
    def chunks() -> Any:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n\r\n\x89PNG\r\n\x1a\n'
        for _ in range(64):
            yield bytes(64 * 1024)
        yield b"\r\n--b--\r\n"

    with (
        EmbeddedSandbox(fast_config(max_upload_bytes=1024 * 1024)) as sb,
        httpx.Client(base_url=sb.base_url, headers=AUTH) as client,
    ):
        headers = {"Content-Type": "multipart/form-data; boundary=b"}
        response = client.post("/v3/assets", content=chunks(), headers=headers)
    assert response.status_code == 413


def _start(client: httpx.Client, content: bytes, **extra: Any) -> dict[str, Any]:
    body = {"filename": "talk.wav", "content_type": "audio/wav", "size_bytes": len(content), **extra}
    response = client.post("/v3/assets/direct-uploads", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_the_direct_upload_flow_gives_an_asset_a_job_can_use(client: httpx.Client) -> None:
    content = SAMPLE_AUDIO.read_bytes()
    started = _start(client, content, checksum_sha256=hashlib.sha256(content).hexdigest())
    assert started["status"] == "pending_upload"
    assert started["max_bytes"] == len(content)
    put = httpx.put(started["upload_url"], content=content, headers=started["upload_headers"])
    assert put.status_code == 200
    done = client.post(f"/v3/assets/{started['asset_id']}/complete")
    assert done.status_code == 200
    assert done.json()["data"]["status"] == "uploaded"
    assert done.json()["data"]["mime_type"] == "audio/wav"
    assert client.post(f"/v3/assets/{started['asset_id']}/complete", json={}).json() == done.json()
    video = client.post("/v3/assets", files={"file": ("v.mp4", SAMPLE_VIDEO.read_bytes())}).json()["data"]
    body = {
        "video": {"type": "asset_id", "asset_id": video["asset_id"]},
        "audio": {"type": "asset_id", "asset_id": started["asset_id"]},
    }
    assert wait(client, create(client, body))["status"] == "completed"


def test_a_pending_upload_cannot_be_used_yet(client: httpx.Client) -> None:
    started = _start(client, SAMPLE_AUDIO.read_bytes())
    source = {"type": "asset_id", "asset_id": started["asset_id"]}
    response = client.post("/v3/lipsyncs", json={"video": source, "audio": source})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "video.asset_id"
    early = client.post(f"/v3/assets/{started['asset_id']}/complete")
    assert early.status_code == 409  # the PUT is not visible yet: HeyGen says 409


def test_a_checksum_mismatch_is_refused(client: httpx.Client) -> None:
    content = SAMPLE_AUDIO.read_bytes()
    started = _start(client, content)
    httpx.put(started["upload_url"], content=content, headers=started["upload_headers"])
    response = client.post(f"/v3/assets/{started['asset_id']}/complete", json={"checksum_sha256": "0" * 64})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "checksum_sha256"


def test_complete_checks_the_bytes_the_put_hashed_without_reading_the_file_again(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like object storage, the PUT hashes as the bytes arrive: complete of a 1 GiB file costs no second read."""
    from heygen_lipsync.sandbox.routes import assets as asset_routes

    def no_second_read(path: Path) -> tuple[str, bytes]:
        raise AssertionError(f"complete read {path} again")

    monkeypatch.setattr(asset_routes, "_hash_file", no_second_read)
    content = SAMPLE_AUDIO.read_bytes()
    wrong, right = _start(client, content), _start(client, content)
    for started in (wrong, right):
        assert httpx.put(started["upload_url"], content=content, headers=started["upload_headers"]).status_code == 200
    refused = client.post(f"/v3/assets/{wrong['asset_id']}/complete", json={"checksum_sha256": "0" * 64})
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "checksum_sha256"
    done = client.post(
        f"/v3/assets/{right['asset_id']}/complete", json={"checksum_sha256": hashlib.sha256(content).hexdigest()}
    )
    assert done.status_code == 200, done.text
    assert done.json()["data"]["mime_type"] == "audio/wav"


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        ({"Content-Type": "video/mp4"}, SAMPLE_AUDIO.read_bytes(), 403),  # not the upload_headers
        ({"Content-Type": "audio/wav", "x-api-key": "sandbox-key"}, SAMPLE_AUDIO.read_bytes(), 400),  # auth sent
        ({"Content-Type": "audio/wav"}, SAMPLE_AUDIO.read_bytes() + b"extra", 413),  # larger than declared
        ({"Content-Type": "audio/wav"}, SAMPLE_AUDIO.read_bytes()[:100], 400),  # shorter than declared
    ],
)
def test_the_presigned_put_checks_headers_and_size(
    client: httpx.Client, headers: dict[str, str], content: bytes, status: int
) -> None:
    started = _start(client, SAMPLE_AUDIO.read_bytes())
    response = httpx.put(started["upload_url"], content=content, headers=headers)
    assert response.status_code == status


def test_an_expired_upload_url_is_refused() -> None:
    with (
        EmbeddedSandbox(fast_config(url_ttl_seconds=-1)) as sb,
        httpx.Client(base_url=sb.base_url, headers=AUTH) as client,
    ):
        started = _start(client, b"x")
        response = httpx.put(started["upload_url"], content=b"x", headers=started["upload_headers"])
    assert response.status_code == 403
    assert "expired" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"filename": "a.wav", "content_type": "audio/wav"}, "size_bytes"),
        ({"filename": "a.wav", "content_type": "audio/wav", "size_bytes": 0}, "size_bytes"),
        ({"content_type": "audio/wav", "size_bytes": 3}, "filename"),
        ({"filename": "a", "content_type": "audio/wav", "size_bytes": 3, "checksum_sha256": "xyz"}, "checksum_sha256"),
        ({"filename": "a", "content_type": "audio/wav", "size_bytes": 3, "extra": 1}, "extra"),
    ],
)
def test_direct_upload_requests_are_validated(client: httpx.Client, body: dict[str, Any], param: str) -> None:
    response = client.post("/v3/assets/direct-uploads", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_auth_is_required_by_key_or_bearer(sandbox: EmbeddedSandbox) -> None:
    url = f"{sandbox.base_url}/v3/lipsyncs"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"x-api-key": "wrong"}).json()["error"]["code"] == "unauthorized"
    assert httpx.get(url, headers={"Authorization": "Bearer sandbox-key"}).status_code == 200
    assert httpx.get(url, headers=AUTH).status_code == 200


def test_an_oversized_json_body_is_refused_without_being_kept(client: httpx.Client) -> None:
    response = client.post("/v3/lipsyncs", content=b"[" + b"0," * (3 * 1024 * 1024) + b"0]")
    assert response.status_code == 400
    assert "exceeds" in response.json()["error"]["message"]


def _direct_upload(client: httpx.Client, content: bytes, key: str | None = None) -> dict[str, Any]:
    body = {"filename": "v.mp4", "content_type": "video/mp4", "size_bytes": len(content)}
    headers = {"Idempotency-Key": key} if key else {}
    response = client.post("/v3/assets/direct-uploads", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_a_replayed_upload_points_at_the_restarted_sandbox_on_its_new_port(tmp_path: Path) -> None:
    video = SAMPLE_VIDEO.read_bytes()
    with (
        EmbeddedSandbox(fast_config(data_dir=tmp_path)) as first,
        httpx.Client(base_url=first.base_url, headers=AUTH) as client,
    ):
        direct = _direct_upload(client, video, key="direct-1")
        multipart = client.post("/v3/assets", files={"file": ("v.mp4", video)}, headers={"Idempotency-Key": "mp-1"})
        first_port = urlsplit(first.base_url).port
    with socket.socket() as busy:  # the old port stays taken, so the restart gets another one
        busy.bind(("127.0.0.1", first_port or 0))
        with (
            EmbeddedSandbox(fast_config(data_dir=tmp_path)) as second,
            httpx.Client(base_url=second.base_url, headers=AUTH) as client,
        ):
            replay = client.post(
                "/v3/assets/direct-uploads",
                json={"filename": "v.mp4", "content_type": "video/mp4", "size_bytes": len(video)},
                headers={"Idempotency-Key": "direct-1"},
            )
            assert replay.headers["idempotent-replayed"] == "true"
            data = replay.json()["data"]
            assert data["asset_id"] == direct["asset_id"]
            assert data["upload_url"].startswith(f"{second.base_url}/_sandbox/uploads/")
            assert httpx.put(data["upload_url"], content=video, headers=data["upload_headers"]).status_code == 200
            assert client.post(f"/v3/assets/{data['asset_id']}/complete", json={}).status_code == 200
            again = client.post("/v3/assets", files={"file": ("v.mp4", video)}, headers={"Idempotency-Key": "mp-1"})
            assert again.json()["data"]["asset_id"] == multipart.json()["data"]["asset_id"]
            assert again.json()["data"]["url"].startswith(f"{second.base_url}/_sandbox/assets/")
            assert httpx.get(again.json()["data"]["url"]).content == video


def test_a_repeated_complete_with_its_key_replays_the_first_success(client: httpx.Client) -> None:
    content = SAMPLE_AUDIO.read_bytes()
    upload = _direct_upload(client, content)
    assert httpx.put(upload["upload_url"], content=content, headers=upload["upload_headers"]).status_code == 200
    key = {"Idempotency-Key": "complete-1"}
    checksum = {"checksum_sha256": hashlib.sha256(content).hexdigest()}
    first = client.post(f"/v3/assets/{upload['asset_id']}/complete", json=checksum, headers=key)
    again = client.post(f"/v3/assets/{upload['asset_id']}/complete", json=checksum, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


def test_a_complete_refused_before_the_bytes_arrived_is_not_replayed_once_they_have(client: httpx.Client) -> None:
    content = SAMPLE_AUDIO.read_bytes()
    upload = _direct_upload(client, content)
    key = {"Idempotency-Key": "complete-early"}
    early = client.post(f"/v3/assets/{upload['asset_id']}/complete", json={}, headers=key)
    assert early.status_code == 409
    assert httpx.put(upload["upload_url"], content=content, headers=upload["upload_headers"]).status_code == 200
    later = client.post(f"/v3/assets/{upload['asset_id']}/complete", json={}, headers=key)
    assert later.status_code == 200
    assert later.json()["data"]["status"] == "uploaded"
