"""The generated client: complete, importable, and tolerant of what HeyGen adds."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from heygen_lipsync_api.models import (
    AssetId,
    AssetUrl,
    CreateLipsyncRequest,
    ErrorEnvelope,
    LipsyncBatchDetailEnvelope,
    LipsyncCreateResponseEnvelope,
    LipsyncDeleteResponseEnvelope,
    LipsyncDetailEnvelope,
    ListLipsyncsV3Response200,
    VideoTranslationMode,
)
from tests.conftest import ROOT

SPEC = yaml.safe_load((ROOT / "openapi" / "heygen-lipsync.yaml").read_text())


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _operations() -> list[tuple[str, str, str]]:
    ops = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            ops.append((op["tags"][0].lower(), op["operationId"], f"{method.upper()} {path}"))
    return ops


@pytest.mark.parametrize(("tag", "operation_id", "route"), _operations())
def test_every_operation_in_the_spec_has_its_functions(tag: str, operation_id: str, route: str) -> None:
    module = importlib.import_module(f"heygen_lipsync_api.api.{tag}.{_snake(operation_id)}")
    for fn in ("sync_detailed", "asyncio_detailed"):
        assert callable(getattr(module, fn, None)), f"{route}: {fn} missing"
    kwargs = module._get_kwargs.__code__.co_varnames
    assert kwargs, route


def test_spec_covers_the_documented_operations() -> None:
    ids = {op_id for _, op_id, _ in _operations()}
    assert {
        "createLipsyncV3",
        "getLipsyncV3",
        "listLipsyncsV3",
        "updateLipsyncV3",
        "deleteLipsyncV3",
        "createLipsyncBatchV3",
        "getLipsyncBatchV3",
        "getLipsyncStatusesV3",
        "uploadAsset",
        "createAssetDirectUpload",
        "completeAssetDirectUpload",
        "getAssetV3",
        "deleteAssetV3",
        "listAssetStatusesV3",
        "createAssetUploadBatchV3",
        "completeAssetUploadBatchV3",
        "getAssetBatchV3",
        "getUserMeV3",
        "createFolderV3",
        "getFolderV3",
        "listWebhookEndpoints",
        "createWebhookEndpoint",
        "updateWebhookEndpoint",
        "deleteWebhookEndpoint",
        "rotateWebhookEndpointSecret",
        "listWebhookEventTypes",
        "listWebhookEvents",
    } == ids


DOCUMENTED_DETAIL = {
    "data": {
        "id": "ls_abc123",
        "title": "My Lipsync",
        "status": "completed",
        "duration": 42.5,
        "video_url": "https://files.heygen.ai/...",
        "callback_id": None,
        "created_at": 1717000000,
        "failure_message": None,
    }
}


def test_documented_lipsync_detail_parses() -> None:
    detail = LipsyncDetailEnvelope.from_dict(DOCUMENTED_DETAIL).data
    assert detail.id == "ls_abc123"
    assert detail.status == "completed"
    assert detail.duration == 42.5
    assert detail.failure_message is None


def test_unknown_fields_and_status_values_do_not_break_parsing() -> None:
    payload = {"data": {**DOCUMENTED_DETAIL["data"], "status": "rendering_v2", "lip_model": "v9"}}
    detail = LipsyncDetailEnvelope.from_dict(payload).data
    assert detail.status == "rendering_v2"
    assert detail["lip_model"] == "v9"
    assert detail.to_dict()["lip_model"] == "v9"


def test_documented_list_page_parses() -> None:
    page = ListLipsyncsV3Response200.from_dict(
        {
            "data": [
                {
                    "id": "ls_abc123",
                    "title": "My Lipsync",
                    "status": "completed",
                    "duration": 42.5,
                    "video_url": "https://files.heygen.ai/...",
                    "created_at": 1717000000,
                }
            ],
            "has_more": False,
            "next_token": None,
        }
    )
    assert [d.id for d in page.data] == ["ls_abc123"]
    assert page.has_more is False
    assert page.next_token is None


def test_documented_create_delete_and_error_payloads_parse() -> None:
    assert LipsyncCreateResponseEnvelope.from_dict({"data": {"lipsync_id": "ls_abc123"}}).data.lipsync_id == "ls_abc123"
    assert LipsyncDeleteResponseEnvelope.from_dict({"data": {"id": "ls_abc123"}}).data.id == "ls_abc123"
    err = ErrorEnvelope.from_dict(
        {
            "error": {
                "code": "invalid_parameter",
                "message": "'video_url' is required.",
                "param": "video_url",
                "doc_url": None,
            }
        }
    ).error
    assert (err.code, err.param) == ("invalid_parameter", "video_url")


def test_batch_detail_with_new_vocabulary_parses() -> None:
    batch = LipsyncBatchDetailEnvelope.from_dict(
        {
            "data": {
                "batch_id": "lb_1",
                "status": "processing",
                "total_items": 2,
                "counts_by_status": {"queued": 1, "completed": 1},
                "created_at": 1717000000,
                "items": [
                    {"item_index": 0, "status": "completed", "video_id": "ls_1"},
                    {"item_index": 1, "status": "throttled"},
                ],
                "has_more": False,
            }
        }
    ).data
    assert batch.counts_by_status["queued"] == 1
    assert [i.status for i in batch.items] == ["completed", "throttled"]


def test_seed_quick_example_round_trips_through_the_request_model() -> None:
    body = {
        "video": {"type": "url", "url": "https://example.com/source.mp4"},
        "audio": {"type": "asset_id", "asset_id": "asset_xyz789"},
        "mode": "speed",
    }
    request = CreateLipsyncRequest.from_dict(body)
    assert isinstance(request.video, AssetUrl)
    assert isinstance(request.audio, AssetId)
    assert request.mode is VideoTranslationMode.SPEED
    sent = request.to_dict()
    assert sent["video"] == body["video"]
    assert sent["audio"] == body["audio"]
    # Fields the caller did not set are not sent as nulls.
    assert "title" not in sent
    assert "start_time" not in sent


def test_request_enums_stay_strict() -> None:
    with pytest.raises(ValueError):
        VideoTranslationMode("turbo")
