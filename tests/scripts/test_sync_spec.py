"""scripts/sync_spec.py: extraction, drift report, merge rule, CLI and exit codes."""

from __future__ import annotations

import copy
import functools
import http.server
import importlib.util
import json
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, SHARED


def _load_sync_spec() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_spec", ROOT / "scripts" / "sync_spec.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["sync_spec"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


sync = _load_sync_spec()
UPSTREAM = SHARED / "upstream" / "heygen-external-api-2026-04-08.json"
VENDORED = ROOT / "openapi" / "heygen-lipsync.yaml"
S = "#/components/schemas/"


# --------------------------------------------------------------------------
# Small specs built here
# --------------------------------------------------------------------------


def _ok(schema_name: str) -> dict[str, Any]:
    return {
        "description": "ok",
        "content": {
            "application/json": {"schema": {"type": "object", "properties": {"data": {"$ref": S + schema_name}}}}
        },
    }


def _spec() -> dict[str, Any]:
    """A tiny API in HeyGen's style: create and get a lipsync, plus an unrelated video op."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "security": [{"ApiKeyAuth": []}],
        "paths": {
            "/v3/lipsyncs": {
                "post": {
                    "tags": ["Lipsync"],
                    "operationId": "createLipsyncV3",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": S + "CreateRequest"}}},
                    },
                    "responses": {"200": _ok("Detail"), "400": {"description": "bad"}},
                }
            },
            "/v3/lipsyncs/{lipsync_id}": {
                "get": {
                    "tags": ["Lipsync"],
                    "operationId": "getLipsyncV3",
                    "parameters": [
                        {"name": "lipsync_id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": _ok("Detail")},
                }
            },
            "/v3/videos": {
                "get": {"tags": ["Videos"], "operationId": "listVideos", "responses": {"200": _ok("Video")}},
            },
        },
        "components": {
            "schemas": {
                "CreateRequest": {
                    "type": "object",
                    "properties": {"title": {"type": "string"}, "mode": {"$ref": S + "Mode"}},
                    "required": ["title"],
                },
                "Mode": {"type": "string", "enum": ["speed", "precision"]},
                "Detail": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"$ref": S + "Status"},
                        "duration": {"type": "number"},
                    },
                    "required": ["id", "status"],
                },
                "Status": {"type": "string", "enum": ["pending", "completed"]},
                "Video": {"type": "object", "properties": {"id": {"type": "string"}}},
            },
            "securitySchemes": {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        },
    }


def _ours() -> dict[str, Any]:
    """What we vendor: the product's operations only, as extraction would give them."""
    return sync.extract_operations(_spec())


def _by(changes: list[Any], kind: str) -> list[Any]:
    return [c for c in changes if c.kind == kind]


def _only(changes: list[Any], kind: str, location_part: str) -> Any:
    found = [c for c in _by(changes, kind) if location_part in c.location]
    assert len(found) == 1, f"{kind} at {location_part}: {changes}"
    return found[0]


# --------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------


def test_extraction_takes_lipsync_and_assets_operations_with_what_they_reach() -> None:
    source = _spec()
    source["paths"]["/v3/assets"] = {
        "post": {
            "tags": ["Assets"],
            "operationId": "uploadAsset",
            "responses": {"429": {"$ref": "#/components/responses/Limited"}},
        }
    }
    source["components"]["responses"] = {"Limited": {"description": "slow down"}, "Unused": {"description": "x"}}
    extracted = sync.extract_operations(source)
    ids = {op["operationId"] for item in extracted["paths"].values() for op in item.values()}
    assert ids == {"createLipsyncV3", "getLipsyncV3", "uploadAsset"}
    # Reached transitively (Detail -> Status), through responses, and the security scheme.
    assert set(extracted["components"]["schemas"]) == {"CreateRequest", "Mode", "Detail", "Status"}
    assert set(extracted["components"]["responses"]) == {"Limited"}
    assert set(extracted["components"]["securitySchemes"]) == {"ApiKeyAuth"}


def test_extraction_also_takes_operations_our_spec_already_has_whatever_their_tag() -> None:
    ours = _ours()
    ours["paths"]["/v3/videos"] = copy.deepcopy(_spec()["paths"]["/v3/videos"])
    extracted = sync.extract_operations(_spec(), ours)
    assert "/v3/videos" in extracted["paths"]
    assert "Video" in extracted["components"]["schemas"]


def test_extraction_refuses_a_dangling_reference_naming_it() -> None:
    source = _spec()
    del source["components"]["schemas"]["Status"]
    with pytest.raises(sync.InputError, match="#/components/schemas/Status"):
        sync.extract_operations(source)


def test_extraction_with_no_matching_operation_is_an_input_error() -> None:
    source = _spec()
    for item in source["paths"].values():
        for op in item.values():
            op["tags"] = ["Videos"]
    with pytest.raises(sync.InputError, match="no operation tagged"):
        sync.extract_operations(source)


# --------------------------------------------------------------------------
# Drift: what is reported, and what is breaking
# --------------------------------------------------------------------------


def test_added_operation_is_not_breaking_and_removed_operation_is() -> None:
    ours, new = _ours(), _ours()
    new["paths"]["/v3/lipsyncs"]["get"] = {"tags": ["Lipsync"], "operationId": "listLipsyncsV3", "responses": {}}
    del new["paths"]["/v3/lipsyncs/{lipsync_id}"]
    changes = sync.diff_specs(ours, new)
    assert _only(changes, "operation-added", "listLipsyncsV3").breaking is False
    assert _only(changes, "operation-removed", "getLipsyncV3").breaking is True


def test_request_fields_added_optional_ok_added_required_or_made_required_or_removed_breaking() -> None:
    ours, new = _ours(), _ours()
    props = new["components"]["schemas"]["CreateRequest"]["properties"]
    props["callback_url"] = {"type": "string"}
    props["fps_mode"] = {"type": "string"}
    del props["title"]
    props["mode_note"] = {"type": "string"}
    new["components"]["schemas"]["CreateRequest"]["required"] = ["fps_mode", "mode"]
    changes = sync.diff_specs(ours, new)
    assert _only(changes, "field-added", "CreateRequest.callback_url").breaking is False
    assert _only(changes, "field-added-required", "CreateRequest.fps_mode").breaking is True
    assert _only(changes, "field-made-required", "CreateRequest.mode").breaking is True
    removed = _only(changes, "field-removed", "CreateRequest.title")
    assert removed.breaking is True and "request" in removed.detail


def test_response_field_added_ok_removed_or_made_optional_breaking() -> None:
    ours, new = _ours(), _ours()
    detail = new["components"]["schemas"]["Detail"]
    detail["properties"]["caption_url"] = {"type": ["string", "null"]}
    del detail["properties"]["duration"]
    detail["required"] = ["id"]
    changes = sync.diff_specs(ours, new)
    assert _only(changes, "field-added", "Detail.caption_url").breaking is False
    assert _only(changes, "field-removed", "Detail.duration").breaking is True
    assert _only(changes, "field-made-optional", "Detail.status").breaking is True


def test_type_changes_are_breaking_and_nullability_depends_on_direction() -> None:
    ours, new = _ours(), _ours()
    new["components"]["schemas"]["Detail"]["properties"]["duration"] = {"type": "string"}
    new["components"]["schemas"]["Detail"]["properties"]["id"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    new["components"]["schemas"]["CreateRequest"]["properties"]["title"] = {"type": ["string", "null"]}
    changes = sync.diff_specs(ours, new)
    changed = _only(changes, "type-changed", "Detail.duration")
    assert changed.breaking is True and "number -> string" in changed.detail
    assert _only(changes, "nullable-added", "Detail.id").breaking is True  # readers now get None
    assert _only(changes, "nullable-added", "CreateRequest.title").breaking is False  # callers may send null


def test_response_enum_value_added_is_not_breaking_because_regeneration_opens_it() -> None:
    ours, new = _ours(), _ours()
    new["components"]["schemas"]["Status"]["enum"] = ["pending", "completed", "queued"]
    added = _only(sync.diff_specs(ours, new), "enum-value-added", "Status")
    assert added.breaking is False
    assert "'queued'" in added.detail and "opens response enums" in added.detail


def test_inline_response_enum_value_added_is_breaking_because_it_stays_closed() -> None:
    ours = _ours()
    ours["components"]["schemas"]["Detail"]["properties"]["kind"] = {"type": "string", "enum": ["a"]}
    new = copy.deepcopy(ours)
    new["components"]["schemas"]["Detail"]["properties"]["kind"]["enum"] = ["a", "b"]
    assert _only(sync.diff_specs(ours, new), "enum-value-added", "Detail.kind").breaking is True


def test_request_enum_value_removed_is_breaking_added_is_not() -> None:
    ours, new = _ours(), _ours()
    new["components"]["schemas"]["Mode"]["enum"] = ["speed", "turbo"]
    changes = sync.diff_specs(ours, new)
    assert _only(changes, "enum-value-added", "Mode").breaking is False
    removed = _only(changes, "enum-value-removed", "Mode")
    assert removed.breaking is True and "'precision'" in removed.detail


def test_parameters_added_removed_and_made_required() -> None:
    ours, new = _ours(), _ours()
    get = new["paths"]["/v3/lipsyncs/{lipsync_id}"]["get"]
    get["parameters"] += [
        {"name": "expand", "in": "query", "schema": {"type": "string"}},
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}},
    ]
    create = new["paths"]["/v3/lipsyncs"]["post"]
    create["parameters"] = [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}]
    changes = sync.diff_specs(ours, new)
    assert _only(changes, "parameter-added", "parameter expand").breaking is False
    assert _only(changes, "parameter-added", "parameter region").breaking is True
    # And the other way round.
    back = sync.diff_specs(new, ours)
    assert _only(back, "parameter-removed", "Idempotency-Key").breaking is True
    new2 = copy.deepcopy(new)
    new2["paths"]["/v3/lipsyncs/{lipsync_id}"]["get"]["parameters"][1]["required"] = True
    assert _only(sync.diff_specs(new, new2), "parameter-made-required", "expand").breaking is True


def test_identical_specs_report_nothing() -> None:
    assert sync.diff_specs(_ours(), _ours()) == []
    assert "Changes the source brings: none." in sync.render_report([])


def test_description_only_edits_are_reported_as_not_breaking() -> None:
    ours, new = _ours(), _ours()
    new["components"]["schemas"]["Detail"]["description"] = "A job."
    (change,) = sync.diff_specs(ours, new)
    assert (change.kind, change.location, change.breaking) == ("other-edits", "Detail", False)


# --------------------------------------------------------------------------
# Merge: the source wins, our additions are kept and reported
# --------------------------------------------------------------------------


def _ours_with_additions() -> dict[str, Any]:
    """Our spec is newer than the published one in places, like the seed is."""
    ours = _ours()
    create = ours["paths"]["/v3/lipsyncs"]["post"]
    create["parameters"] = [{"$ref": "#/components/parameters/IdempotencyKey"}]
    create["responses"]["409"] = {"description": "in progress"}
    ours["components"]["parameters"] = {
        "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
    }
    ours["components"]["schemas"]["Detail"]["properties"]["caption_url"] = {"type": ["string", "null"]}
    ours["components"]["schemas"]["Status"]["enum"].append("failed")
    ours["paths"]["/v3/lipsyncs/statuses"] = {
        "get": {"tags": ["Lipsync"], "operationId": "getLipsyncStatusesV3", "responses": {"200": _ok("Entry")}}
    }
    ours["components"]["schemas"]["Entry"] = {"type": "object", "properties": {"status": {"type": "string"}}}
    return ours


def _newer_source() -> dict[str, Any]:
    """The published spec, catching up a bit: a new field and a new description."""
    source = _spec()
    source["components"]["schemas"]["Detail"]["properties"]["duration"]["description"] = "seconds"
    source["components"]["schemas"]["Detail"]["properties"]["fps"] = {"type": "number"}
    return source


def test_merge_takes_the_sources_changes_and_keeps_our_newer_additions() -> None:
    ours = _ours_with_additions()
    merged = sync.merge_specs(ours, sync.extract_operations(_newer_source(), ours))
    detail = merged["components"]["schemas"]["Detail"]["properties"]
    assert detail["duration"] == {"type": "number", "description": "seconds"}  # source wins
    assert "fps" in detail  # source's addition
    assert "caption_url" in detail  # ours kept
    create = merged["paths"]["/v3/lipsyncs"]["post"]
    assert create["parameters"] == [{"$ref": "#/components/parameters/IdempotencyKey"}]
    assert "IdempotencyKey" in merged["components"]["parameters"]
    assert "409" in create["responses"]
    assert merged["components"]["schemas"]["Status"]["enum"] == ["pending", "completed", "failed"]
    assert merged["paths"]["/v3/lipsyncs/statuses"]["get"]["operationId"] == "getLipsyncStatusesV3"
    assert "Entry" in merged["components"]["schemas"]
    assert "Video" not in merged["components"]["schemas"]  # never ours, never extracted


def test_source_replaces_a_schema_keyword_by_keyword_so_type_changes_come_through() -> None:
    ours = _ours()
    source = _spec()
    source["components"]["schemas"]["Detail"]["properties"]["duration"] = {"anyOf": [{"type": "integer"}]}
    merged = sync.merge_specs(ours, sync.extract_operations(source, ours))
    assert merged["components"]["schemas"]["Detail"]["properties"]["duration"] == {"anyOf": [{"type": "integer"}]}


def test_report_lists_kept_items_apart_and_they_do_not_count_as_applied() -> None:
    ours = _ours_with_additions()
    _, changes = sync.drift(ours, sync.extract_operations(_newer_source(), ours))
    kept = {(c.kind, c.location) for c in changes if c.kept}
    assert ("operation-removed", "GET /v3/lipsyncs/statuses (getLipsyncStatusesV3)") in kept
    assert any(k == "parameter-removed" and "Idempotency-Key" in loc for k, loc in kept)
    assert any(k == "response-removed" and "409" in loc for k, loc in kept)
    assert ("field-removed", "Detail.caption_url") in kept
    assert ("enum-value-removed", "Status") in kept
    applied = [c for c in changes if not c.kept]
    assert [c.kind for c in applied if c.location == "Detail.fps"] == ["field-added"]
    assert not any(c.breaking for c in applied)
    report = sync.render_report(changes)
    assert "Only in our spec (kept, not in source" in report
    assert "0 BREAKING" in report


def test_prune_makes_the_source_authoritative() -> None:
    ours = _ours_with_additions()
    merged, changes = sync.drift(ours, sync.extract_operations(_newer_source(), ours), prune=True)
    assert "/v3/lipsyncs/statuses" not in merged["paths"]
    assert "caption_url" not in merged["components"]["schemas"]["Detail"]["properties"]
    assert "parameters" not in merged["paths"]["/v3/lipsyncs"]["post"]
    assert "parameters" not in merged["components"]
    assert not any(c.kept for c in changes)
    assert _only(changes, "operation-removed", "statuses").breaking is True


def test_an_operation_the_source_moved_is_taken_from_its_new_path() -> None:
    ours = _ours()
    source = _spec()
    source["paths"]["/v3/lipsync/{lipsync_id}"] = source["paths"].pop("/v3/lipsyncs/{lipsync_id}")
    merged, changes = sync.drift(ours, sync.extract_operations(source, ours))
    assert "/v3/lipsync/{lipsync_id}" in merged["paths"]
    assert "/v3/lipsyncs/{lipsync_id}" not in merged["paths"]
    moved = _only(changes, "operation-moved", "getLipsyncV3")
    assert moved.breaking is True and not moved.kept


def test_output_is_deterministic_and_keeps_our_key_order() -> None:
    ours = _ours_with_additions()
    source = sync.extract_operations(_newer_source(), ours)
    first = sync.dump_spec(sync.merge_specs(ours, source))
    again = sync.dump_spec(sync.merge_specs(ours, source))
    assert first == again
    merged = yaml.safe_load(first)
    assert list(merged["paths"]) == list(ours["paths"])
    assert list(merged["components"]["schemas"])[: len(ours["components"]["schemas"])] == list(
        ours["components"]["schemas"]
    )
    # Re-merging the result with the same source changes nothing.
    assert sync.dump_spec(sync.merge_specs(merged, source)) == first


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------

README_TEXT = """# openapi/

## Provenance

| operation | method, path | source | date |
|---|---|---|---|
| createLipsyncV3 | POST /v3/lipsyncs | seed | 2026-01-01 |
| getLipsyncV3 | GET /v3/lipsyncs/{lipsync_id} | documented facts | 2026-01-01 |
| getLipsyncStatusesV3 | GET /v3/lipsyncs/statuses | documented facts (newer) | 2026-01-01 |

Shared parts: ...
"""


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    spec = tmp_path / "openapi" / "heygen-lipsync.yaml"
    spec.parent.mkdir()
    spec.write_text(sync.dump_spec(_ours_with_additions()), encoding="utf-8")
    readme = tmp_path / "openapi" / "README.md"
    readme.write_text(README_TEXT, encoding="utf-8")
    return {"spec": spec, "readme": readme, "dir": tmp_path}


def _write_source(path: Path, spec: dict[str, Any]) -> Path:
    if path.suffix == ".json":
        path.write_text(json.dumps(spec), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _run(ws: dict[str, Path], source: Path | str, *extra: str) -> int:
    argv = [str(source), "--spec", str(ws["spec"]), "--readme", str(ws["readme"]), "--no-regenerate", "--no-tests"]
    return sync.main([*argv, *extra])


def test_dry_run_prints_the_report_and_writes_nothing(workspace: dict[str, Path], capsys: Any) -> None:
    before = workspace["spec"].read_bytes(), workspace["readme"].read_bytes()
    source = _write_source(workspace["dir"] / "heygen.json", _newer_source())
    assert _run(workspace, source, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Detail.fps" in out and "Dry run: nothing written." in out
    assert (workspace["spec"].read_bytes(), workspace["readme"].read_bytes()) == before


def test_sync_writes_the_merged_spec_and_the_provenance_of_changed_operations(
    workspace: dict[str, Path], capsys: Any
) -> None:
    source = _write_source(workspace["dir"] / "heygen-2026-12.yaml", _newer_source())  # YAML works too
    assert _run(workspace, source) == 0
    written = yaml.safe_load(workspace["spec"].read_text())
    detail = written["components"]["schemas"]["Detail"]["properties"]
    assert "fps" in detail and "caption_url" in detail
    rows = {line.split("|")[1].strip(): line for line in workspace["readme"].read_text().splitlines() if "|" in line}
    today = datetime.now(UTC).date().isoformat()
    # Both read Detail, which changed; their rows name the source and today's date.
    for op in ("createLipsyncV3", "getLipsyncV3"):
        assert "heygen-2026-12.yaml" in rows[op] and today in rows[op], rows[op]
    assert "keeps our additions" in rows["createLipsyncV3"]  # its Idempotency-Key and 409
    assert rows["getLipsyncStatusesV3"].endswith("| documented facts (newer) | 2026-01-01 |")  # untouched
    assert "Shared parts: ..." in workspace["readme"].read_text()
    # A second run with the same source changes nothing.
    spec_bytes = workspace["spec"].read_bytes()
    capsys.readouterr()
    assert _run(workspace, source) == 0
    assert workspace["spec"].read_bytes() == spec_bytes
    assert "unchanged" in capsys.readouterr().out


def test_a_new_operation_gets_a_provenance_row(workspace: dict[str, Path]) -> None:
    source = _newer_source()
    source["paths"]["/v3/lipsyncs"]["get"] = {"tags": ["Lipsync"], "operationId": "listLipsyncsV3", "responses": {}}
    assert _run(workspace, _write_source(workspace["dir"] / "s.json", source)) == 0
    assert "| listLipsyncsV3 | GET /v3/lipsyncs | HeyGen spec `s.json`" in workspace["readme"].read_text()


def test_breaking_changes_exit_1_and_are_still_written(workspace: dict[str, Path], capsys: Any) -> None:
    source = _newer_source()
    del source["components"]["schemas"]["Detail"]["properties"]["duration"]
    source["components"]["schemas"]["CreateRequest"]["required"] = ["title", "mode"]
    path = _write_source(workspace["dir"] / "s.json", source)
    before = workspace["spec"].read_bytes()
    assert _run(workspace, path, "--dry-run") == 1
    assert workspace["spec"].read_bytes() == before
    assert _run(workspace, path) == 1
    out = capsys.readouterr().out
    assert "BREAKING  field-made-required" in out and "CreateRequest.mode" in out
    assert "kept (breaking if dropped)" in out  # our caption_url etc., not counted
    # Removing a response field only the source used to have: ours had it too, so it is
    # kept rather than dropped: the merge never deletes what we have without --prune.
    assert "duration" in yaml.safe_load(workspace["spec"].read_text())["components"]["schemas"]["Detail"]["properties"]
    assert yaml.safe_load(workspace["spec"].read_text())["components"]["schemas"]["CreateRequest"]["required"] == [
        "title",
        "mode",
    ]


def test_source_over_http(workspace: dict[str, Path]) -> None:
    served = workspace["dir"] / "www"
    served.mkdir()
    _write_source(served / "spec.json", _newer_source())
    handler = functools.partial(_QuietHandler, directory=str(served))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/spec.json"
            assert _run(workspace, url) == 0
            assert _run(workspace, url.replace("spec.json", "missing.json")) == 2
        finally:
            server.shutdown()
    assert "fps" in yaml.safe_load(workspace["spec"].read_text())["components"]["schemas"]["Detail"]["properties"]
    assert f"HeyGen spec `{url}`" in workspace["readme"].read_text()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not: [valid", "neither JSON nor YAML"),
        ("just a string", "not an OpenAPI document"),
        (json.dumps({"openapi": "3.1.0"}), "without `paths`"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_writes_nothing(
    workspace: dict[str, Path], capsys: Any, content: str | None, message: str
) -> None:
    source = workspace["dir"] / "source.json"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    before = workspace["spec"].read_bytes()
    assert _run(workspace, source) == 2
    err = capsys.readouterr().err
    assert message in err and "source.json" in err
    assert workspace["spec"].read_bytes() == before


def test_cli_usage_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    script = str(ROOT / "scripts" / "sync_spec.py")
    no_args = subprocess.run([sys.executable, script], capture_output=True, text=True, check=False)
    assert no_args.returncode == 2 and "source" in no_args.stderr
    missing = subprocess.run(
        [sys.executable, script, str(tmp_path / "nope.yaml"), "--dry-run"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2
    assert "nope.yaml: no such file" in missing.stderr and "Traceback" not in missing.stderr


# --------------------------------------------------------------------------
# HeyGen's April 2026 spec against today's vendored spec
# --------------------------------------------------------------------------

# Skips with a plain reason outside CI when the file is not there; fails in CI (tests/conftest.py).
needs_upstream = pytest.mark.needs_shared_upstream(UPSTREAM.name)


@functools.cache
def _upstream_drift() -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    ours = sync.parse_spec(VENDORED.read_text(encoding="utf-8"), str(VENDORED))
    extracted = sync.extract_operations(sync.load_source(str(UPSTREAM)), ours)
    merged, changes = sync.drift(ours, extracted)
    return extracted, merged, changes


@needs_upstream
def test_upstream_lipsync_and_assets_operations_are_extracted() -> None:
    extracted, _, _ = _upstream_drift()
    ids = {op["operationId"] for item in extracted["paths"].values() for op in item.values()}
    assert ids == {
        "createLipsyncV3",
        "listLipsyncsV3",
        "getLipsyncV3",
        "updateLipsyncV3",
        "deleteLipsyncV3",
        "uploadAsset",
        "getUserMeV3",
        # HeyGen's webhook operations, vendored from this spec (with `--tag Webhooks`).
        "listWebhookEndpoints",
        "createWebhookEndpoint",
        "updateWebhookEndpoint",
        "deleteWebhookEndpoint",
        "rotateWebhookEndpointSecret",
        "listWebhookEventTypes",
        "listWebhookEvents",
    }
    schemas = set(extracted["components"]["schemas"])
    assert {"CreateLipsyncRequest", "AssetUrl", "AssetId", "LipsyncDetail", "VideoTranslationStatus"} <= schemas
    # getUserMeV3 brings its billing schemas; the other ~100 schemas of the full spec are left out.
    assert len(schemas) < 30


@needs_upstream
def test_upstream_report_lists_what_only_our_spec_has() -> None:
    _, _, changes = _upstream_drift()
    kept = {(c.kind, c.location) for c in changes if c.kept}
    for op in ("createLipsyncBatchV3", "getLipsyncBatchV3", "getLipsyncStatusesV3", "createAssetDirectUpload"):
        assert any(k == "operation-removed" and op in loc for k, loc in kept), op
    assert ("field-removed", "LipsyncDetail.caption_url") in kept
    assert any(k == "parameter-removed" and "createLipsyncV3" in loc and "Idempotency-Key" in loc for k, loc in kept)
    assert any(k == "response-removed" and "createLipsyncV3" in loc and "409" in loc for k, loc in kept)
    applied = [c for c in changes if not c.kept]
    # The older spec documents a 400 for delete that ours lacks.
    assert any(c.kind == "response-added" and "deleteLipsyncV3" in c.location for c in applied)
    assert not any(c.breaking for c in applied)


@needs_upstream
def test_upstream_sync_on_a_copy_keeps_our_additions(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "heygen-lipsync.yaml"
    readme = tmp_path / "README.md"
    shutil.copy(VENDORED, spec)
    shutil.copy(ROOT / "openapi" / "README.md", readme)
    argv = [str(UPSTREAM), "--spec", str(spec), "--readme", str(readme), "--no-regenerate", "--no-tests"]
    assert sync.main([*argv, "--dry-run"]) == 0
    assert spec.read_bytes() == VENDORED.read_bytes()
    assert "caption_url" in capsys.readouterr().out
    assert sync.main(argv) == 0
    written = yaml.safe_load(spec.read_text())
    assert "caption_url" in written["components"]["schemas"]["LipsyncDetail"]["properties"]
    assert written["paths"]["/v3/lipsyncs"]["post"]["parameters"] == [
        {"$ref": "#/components/parameters/IdempotencyKey"}
    ]
    assert "/v3/lipsyncs/batches" in written["paths"]
    assert "heygen-external-api-2026-04-08.json" in readme.read_text()
