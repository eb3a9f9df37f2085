"""`--request-schema` / `--response-schema`: the spec's schemas, self-contained, with no key and no request."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from heygen_lipsync.cli import app

NO_KEY = {"HEYGEN_API_KEY": None, "HEYGEN_BEARER_TOKEN": None, "HEYGEN_BASE_URL": "https://unreachable.invalid"}


def _schema(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, list(args), env=NO_KEY)
    assert result.exit_code == 0, result.stderr
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def test_create_request_schema_without_a_key_is_self_contained() -> None:
    schema = _schema("create", "--request-schema")
    assert schema["required"] == ["video", "audio"]
    assert "$ref" not in json.dumps(schema)
    # The spec's discriminator mapping values are {$ref} objects; the printed schema names the targets.
    assert schema["properties"]["video"]["discriminator"]["mapping"] == {"asset_id": "AssetId", "url": "AssetUrl"}
    assert [option["title"] for option in schema["properties"]["video"]["oneOf"]] == ["AssetUrl", "AssetId"]


@pytest.mark.parametrize(
    ("args", "marker"),
    [
        (["get", "--response-schema"], "LipsyncDetail"),
        (["wait", "--response-schema"], "LipsyncDetail"),
        (["update", "--request-schema"], "UpdateLipsyncRequest"),
        (["delete", "--response-schema"], "LipsyncDeleteResponse"),
        (["upload", "--response-schema"], "UploadAssetV3Response"),
        (["batch", "create", "--request-schema"], "CreateLipsyncBatchRequest"),
        (["batch", "get", "--response-schema"], "LipsyncBatchDetail"),
    ],
)
def test_schemas_print_without_the_required_arguments(args: list[str], marker: str) -> None:
    assert _schema(*args)["title"] == marker


def test_list_response_schema_is_the_page_object() -> None:
    schema = _schema("list", "--response-schema")
    assert set(schema["properties"]) == {"data", "has_more", "next_token"}
    assert schema["properties"]["data"]["items"]["title"] == "LipsyncDetail"


def test_create_response_schema_covers_wait() -> None:
    titles = [option["title"] for option in _schema("create", "--response-schema")["oneOf"]]
    assert titles == ["LipsyncCreateResponse", "LipsyncDetail"]


def test_batch_request_schema_inlines_nested_requests() -> None:
    schema = _schema("batch", "create", "--request-schema")
    assert schema["properties"]["lipsyncs"]["items"]["title"] == "CreateLipsyncRequest"
    assert schema["properties"]["lipsyncs"]["maxItems"] == 100


def test_the_wheel_ships_the_spec_where_the_cli_looks_for_it() -> None:
    import tomllib

    from heygen_lipsync.cli import _schema
    from tests.conftest import ROOT

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force_include["openapi/heygen-lipsync.yaml"] == f"heygen_lipsync/_spec/{_schema._SPEC_NAME}"
    assert _schema._REPO_SPEC == ROOT / "openapi" / _schema._SPEC_NAME  # the editable-install fallback


def test_shell_completion_is_available() -> None:
    result = CliRunner().invoke(app, ["--show-completion", "bash"])
    assert result.exit_code == 0 and "complete" in result.stdout and "heygen-lipsync" in result.stdout
