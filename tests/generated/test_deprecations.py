"""Fields HeyGen deprecated after its newest published spec: marked by normalisation, warned about, still accepted."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
import yaml

from heygen_lipsync import LipsyncRequest, fields
from heygen_lipsync.fields import DeprecatedFieldWarning, request_fields
from heygen_lipsync.spec import load_normalised, normalise
from tests.conftest import ROOT

VENDORED = ROOT / "openapi" / "heygen-lipsync.yaml"


def _enable_caption(spec: dict[str, Any]) -> dict[str, Any]:
    prop: dict[str, Any] = spec["components"]["schemas"]["CreateLipsyncRequest"]["properties"]["enable_caption"]
    return prop


def test_the_vendored_yaml_stays_as_published_and_normalisation_marks_enable_caption_deprecated() -> None:
    raw = yaml.safe_load(VENDORED.read_text(encoding="utf-8"))
    assert "deprecated" not in _enable_caption(raw)
    for spec in (normalise(raw), load_normalised()):
        prop = _enable_caption(spec)
        assert prop["deprecated"] is True
        assert "captions are always generated" in prop["description"]


def test_the_field_table_says_deprecated_first_and_drops_the_default() -> None:
    table = {f.name: f for f in request_fields()}
    assert table["enable_caption"].deprecated
    assert table["enable_caption"].help_text().startswith("Deprecated and ignored by HeyGen")
    assert "default" not in table["enable_caption"].help_text()
    assert not table["mode"].deprecated


def test_setting_enable_caption_warns_once_but_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "_warned", set())
    with pytest.warns(DeprecatedFieldWarning, match="enable_caption.*captions are always generated"):
        request = LipsyncRequest(video="https://x.test/v.mp4", audio="https://x.test/a.wav", enable_caption=True)
        request.validate()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedFieldWarning)  # once per process is enough
        request.validate()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedFieldWarning)
        LipsyncRequest(video="https://x.test/v.mp4", audio="https://x.test/a.wav", mode="speed").validate()


def test_the_shipped_generated_model_documents_the_deprecation() -> None:
    shipped = json.loads((ROOT / "generated_client" / "heygen_lipsync_api" / "openapi.json").read_text())
    assert _enable_caption(shipped)["deprecated"] is True
