"""Hostile input gets a 400 naming what is wrong, never a 500."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.sandbox.conftest import sample_request


def _token(kind: str, value: object) -> str:
    raw = json.dumps({"k": kind, "v": value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/v3/lipsyncs", "/v3/lipsyncs/batches", "/v3/assets/direct-uploads"])
def test_a_body_nested_5000_deep_is_a_400(client: httpx.Client, path: str) -> None:
    response = client.post(path, content="[" * 5000 + "]" * 5000, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert "nest" in error["message"]


def test_a_huge_integer_in_a_body_is_a_400(client: httpx.Client) -> None:
    body = json.dumps({**sample_request(client), "start_time": 10**400})
    response = client.post("/v3/lipsyncs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "start_time"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v3/lipsyncs", {"token": _token("lipsyncs", 10**400)}),
        ("/v3/lipsyncs", {"token": _token("lipsyncs", -(10**30))}),
        ("/v3/lipsyncs/statuses", {"lipsync_ids": "ls_x", "token": base64.urlsafe_b64encode(b"[" * 5000).decode()}),
    ],
)
def test_a_forged_page_token_is_a_400(client: httpx.Client, path: str, params: dict[str, str]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "token"


def test_a_huge_offset_in_a_batch_token_is_a_400(client: httpx.Client) -> None:
    batch_id = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [sample_request(client)]}).json()["data"][
        "batch_id"
    ]
    response = client.get(f"/v3/lipsyncs/batches/{batch_id}", params={"token": _token(f"batch:{batch_id}", 10**400)})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "token"
