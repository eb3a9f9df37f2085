"""sync_spec.py against HeyGen's published schemas (July 2026): a drift report, field by field."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, SHARED

PUBLISHED = SHARED / "upstream" / "heygen-published-schemas-2026-07-22.json"
VENDORED = ROOT / "openapi" / "heygen-lipsync.yaml"
sys.path.insert(0, str(ROOT / "scripts"))

from published_drift import published_report  # noqa: E402

pytestmark = pytest.mark.needs_shared_upstream("heygen-published-schemas-2026-07-22.json")


def _ours() -> dict[str, Any]:
    return yaml.safe_load(VENDORED.read_text(encoding="utf-8"))


def _published() -> dict[str, Any]:
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def test_the_vendored_spec_matches_every_published_operation_it_covers() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_spec.py"), "--dry-run", str(PUBLISHED)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 difference(s)" in run.stdout
    assert "LipsyncCreate (POST /v3/lipsyncs): matches" in run.stdout


def test_a_response_field_our_spec_lacks_is_reported_by_its_path() -> None:
    ours = _ours()
    detail = ours["components"]["schemas"]["LipsyncDetail"]
    del detail["properties"]["caption_url"]
    report, differences = published_report(ours, _published(), "published")
    assert differences >= 1
    assert "response.data.caption_url: published by HeyGen, missing in ours" in report


def test_a_field_typed_narrower_than_published_is_reported() -> None:
    published = copy.deepcopy(_published())
    create = published["operations"]["LipsyncCreate"]
    create["request_schema"]["properties"]["title"] = {"type": "object", "properties": {}}
    report, differences = published_report(_ours(), published, "published")
    assert differences == 1
    assert "request.title: HeyGen publishes ['object'], ours accepts" in report


def test_a_query_parameter_our_spec_lacks_is_reported(tmp_path: Path) -> None:
    published = copy.deepcopy(_published())
    published["operations"]["LipsyncList"]["query"].append("folder_id")
    report, differences = published_report(_ours(), published, "published")
    assert differences == 1 and "query parameter folder_id: published by HeyGen, missing in ours" in report
