"""`--request-schema` / `--response-schema`: the spec's schemas, self-contained, with no key and no request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
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
    """The CLI reads the generated package's openapi.json, which the wheel carries with that package."""
    import tomllib

    from tests.conftest import ROOT

    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "generated_client/heygen_lipsync_api" in build["packages"]
    assert "force-include" not in build  # no second copy of the spec to drift from the generated one
    assert (ROOT / "generated_client" / "heygen_lipsync_api" / "openapi.json").is_file()


def test_printed_schemas_are_the_normalised_ones() -> None:
    """What the client follows: a response-only enum is open (the normalisation), a request enum is not."""
    detail = _schema("get", "--response-schema")
    assert detail["properties"]["status"]["type"] == "string" and "enum" not in detail["properties"]["status"]
    create = _schema("create", "--request-schema")
    assert create["properties"]["mode"]["enum"] == ["speed", "precision"]


def test_shell_completion_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    # Typer detects the shell from the parent processes unless told not to; then the option takes
    # the shell named here (as a person's `--show-completion bash` does where detection fails).
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="heygen-lipsync")
    assert result.exit_code == 0, (result.output, result.exception)
    assert "complete" in result.stdout and "heygen-lipsync" in result.stdout


def test_schemas_print_from_an_installed_layout_without_the_repository(tmp_path: Path) -> None:
    """Lay the packages out as the wheel does (the spec inside heygen_lipsync_api/), away from the repo."""
    from tests.conftest import ROOT

    site = tmp_path / "a" / "b" / "site-packages"  # deep enough that no openapi/ is three levels up
    shutil.copytree(ROOT / "mcp_server" / "heygen_lipsync", site / "heygen_lipsync")
    shutil.copytree(ROOT / "generated_client" / "heygen_lipsync_api", site / "heygen_lipsync_api")
    code = (
        "import sys; "
        "sys.argv = ['heygen-lipsync', 'get', '--response-schema']; "
        "from heygen_lipsync.cli import main; main()"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEYGEN_")}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "LipsyncDetail"
