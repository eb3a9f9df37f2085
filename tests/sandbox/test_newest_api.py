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
