"""Settings: explicit argument > environment > default; secrets never in repr."""

from __future__ import annotations

import pytest

from heygen_lipsync import ConfigurationError, Settings, resolve_settings
from heygen_lipsync.config import DEFAULT_BASE_URL, LOOPBACK_DEFAULT_KEY


def test_defaults_with_empty_environment() -> None:
    s = resolve_settings(env={})
    assert s.base_url == DEFAULT_BASE_URL
    assert (s.timeout, s.write_timeout, s.upload_timeout, s.max_retries) == (30.0, 120.0, 600.0, 2)
    assert s.api_key is None and not s.has_credentials


def test_environment_then_explicit_argument_wins() -> None:
    env = {
        "HEYGEN_API_KEY": " env-key ",
        "HEYGEN_BASE_URL": "https://eu.api.example.com/",
        "HEYGEN_LIPSYNC_TIMEOUT": "45",
        "HEYGEN_LIPSYNC_MAX_RETRIES": "5",
        "HEYGEN_LIPSYNC_UPLOAD_TIMEOUT": "900",
    }
    s = resolve_settings(env=env)
    assert (s.api_key, s.base_url, s.timeout, s.max_retries, s.upload_timeout) == (
        "env-key", "https://eu.api.example.com", 45.0, 5, 900.0,
    )  # fmt: skip
    s = resolve_settings(api_key="arg-key", base_url="https://other.example.com", timeout=10, max_retries=0, env=env)
    assert (s.api_key, s.base_url, s.timeout, s.max_retries) == ("arg-key", "https://other.example.com", 10.0, 0)


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"HEYGEN_LIPSYNC_TIMEOUT": "fast"}, "HEYGEN_LIPSYNC_TIMEOUT"),
        ({"HEYGEN_LIPSYNC_TIMEOUT": "-1"}, "HEYGEN_LIPSYNC_TIMEOUT"),
        ({"HEYGEN_LIPSYNC_MAX_RETRIES": "two"}, "HEYGEN_LIPSYNC_MAX_RETRIES"),
        ({"HEYGEN_LIPSYNC_MAX_RETRIES": "-2"}, "HEYGEN_LIPSYNC_MAX_RETRIES"),
        ({"HEYGEN_BASE_URL": "ftp://x"}, "base URL"),
        ({"HEYGEN_BASE_URL": "http://api.heygen.com"}, "https"),
    ],
)
def test_malformed_values_name_the_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_settings(env=env)
    assert needle in str(info.value)


def test_secrets_never_in_repr() -> None:
    s = resolve_settings(api_key="sk_live_TOPSECRET", bearer_token="tok_TOPSECRET", env={})
    assert "TOPSECRET" not in repr(s) and "TOPSECRET" not in str(s)
    assert s.auth_description == "api key"


def test_auth_headers_and_missing_key_message() -> None:
    assert Settings(api_key="k").auth_headers() == {"x-api-key": "k"}
    assert Settings(bearer_token="t").auth_headers() == {"Authorization": "Bearer t"}
    with pytest.raises(ConfigurationError) as info:
        Settings().auth_headers()
    assert "HEYGEN_API_KEY" in str(info.value) and "sandbox needs none" in str(info.value)
    assert info.value.code == "configuration_error"


def test_loopback_sandbox_needs_no_key() -> None:
    s = resolve_settings(base_url="http://127.0.0.1:8765", env={})
    assert s.auth_headers() == {"x-api-key": LOOPBACK_DEFAULT_KEY}
    assert resolve_settings(base_url="http://localhost:1", env={}).is_loopback


def test_every_public_name_imports_and_nothing_public_is_missing() -> None:
    # `from heygen_lipsync import *` and lazy attribute access must agree with __all__,
    # and every error class a caller may need to catch is part of it.
    import heygen_lipsync
    from heygen_lipsync import errors

    namespace: dict[str, object] = {}
    exec("from heygen_lipsync import *", namespace)  # the star import users write
    assert set(heygen_lipsync.__all__) <= set(namespace)
    assert len(heygen_lipsync.__all__) == len(set(heygen_lipsync.__all__))
    error_classes = {n for n in errors.__all__ if isinstance(getattr(errors, n), type)}
    assert error_classes <= set(heygen_lipsync.__all__)
    assert "AsyncLipsyncClient" in heygen_lipsync.__all__ and "__version__" in heygen_lipsync.__all__
