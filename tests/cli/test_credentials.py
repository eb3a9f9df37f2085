"""Credentials: HEYGEN_API_KEY first, then HeyGen's own CLI login; the message when there are none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heygen_lipsync import ConfigurationError, resolve_settings
from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

from .conftest import Cli, error_json


def _login(tmp_path: Path, text: str) -> dict[str, str]:
    (tmp_path / "credentials").write_text(text, encoding="utf-8")
    (tmp_path / "credentials").chmod(0o600)
    return {"HEYGEN_CONFIG_DIR": str(tmp_path)}


@pytest.mark.parametrize(
    "text",
    ['{"api_key": "key-from-login", "oauth": {"refresh_token": "r"}}', "key-from-login\n"],
    ids=["json", "legacy-line"],
)
def test_the_heygen_cli_login_is_used_when_the_variable_is_unset(tmp_path: Path, text: str) -> None:
    settings = resolve_settings(env=_login(tmp_path, text))
    assert settings.api_key == "key-from-login"
    assert "key-from-login" not in repr(settings)


def test_the_variable_takes_precedence_and_a_broken_file_is_then_not_read(tmp_path: Path) -> None:
    env = {**_login(tmp_path, "{broken"), "HEYGEN_API_KEY": "key-from-env"}
    assert resolve_settings(env=env).api_key == "key-from-env"


def test_an_oauth_only_login_is_sent_as_a_bearer_token(tmp_path: Path) -> None:
    settings = resolve_settings(env=_login(tmp_path, '{"oauth": {"access_token": "tok-1"}}'))
    assert settings.auth_headers() == {"Authorization": "Bearer tok-1"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [("  \n", "is empty"), ("{not json", "not valid JSON"), ('{"oauth": {}}', "neither"), ("a\nb\n", "one line")],
)
def test_a_blank_or_malformed_login_is_an_error_naming_the_file(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(env=_login(tmp_path, text))
    assert needle in caught.value.message and str(tmp_path / "credentials") in caught.value.message
    assert "HEYGEN_API_KEY" in caught.value.message


def test_no_credentials_says_where_a_key_comes_from(cli: Cli, tmp_path: Path) -> None:
    result = cli("list", env={"HEYGEN_API_KEY": None, "HEYGEN_BASE_URL": None, "HEYGEN_CONFIG_DIR": str(tmp_path)})
    assert result.exit_code == 3
    message = error_json(result)["message"]
    assert "dashboard" in message and str(tmp_path / "credentials") in message and "--sandbox" in message


def test_the_cli_lists_jobs_with_only_the_heygen_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # A sandbox whose key is not the loopback default, so only the login file can authenticate.
    with EmbeddedSandbox(SandboxConfig(api_key="login-only-key")) as sandbox:
        env = {
            **_login(tmp_path, json.dumps({"api_key": "login-only-key"})),
            "HEYGEN_API_KEY": None,
            "HEYGEN_BEARER_TOKEN": None,
            "HEYGEN_BASE_URL": sandbox.base_url,
        }
        result = Cli(env={})("list", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert "login-only-key" not in result.stdout + result.stderr
