"""Settings of a served sandbox come from the environment; its startup line says what it does not do."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from heygen_lipsync.sandbox import DEFAULT_SANDBOX_KEY, EmbeddedSandbox, FaultConfig, SandboxConfig
from heygen_lipsync.sandbox.server import startup_line


def test_environment_settings_are_read(tmp_path: Path) -> None:
    env = {
        "HEYGEN_LIPSYNC_SANDBOX_DIR": str(tmp_path),
        "HEYGEN_LIPSYNC_SANDBOX_KEY": "local-key",
        "HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "0.5",
        "HEYGEN_LIPSYNC_SANDBOX_RUNNING_SECONDS": "2",
        "HEYGEN_LIPSYNC_SANDBOX_MAX_CONCURRENT_JOBS": "3",
        "HEYGEN_LIPSYNC_SANDBOX_FAULTS": '{"error_rate": 0.25, "seed": 9}',
    }
    config = SandboxConfig.from_env(env)
    assert config.data_dir == tmp_path
    assert (config.api_key, config.pending_seconds, config.running_seconds) == ("local-key", 0.5, 2.0)
    assert config.max_concurrent_jobs == 3
    assert config.faults == FaultConfig(error_rate=0.25, seed=9)


def test_explicit_settings_win_and_none_means_in_memory(tmp_path: Path) -> None:
    env = {"HEYGEN_LIPSYNC_SANDBOX_DIR": str(tmp_path), "HEYGEN_LIPSYNC_SANDBOX_RUNNING_SECONDS": "9"}
    config = SandboxConfig.from_env(env, data_dir=None, running_seconds=1.0)
    assert config.data_dir is None and config.running_seconds == 1.0
    assert config.api_key == DEFAULT_SANDBOX_KEY


def test_without_a_directory_setting_the_platform_default_is_used() -> None:
    config = SandboxConfig.from_env({})
    assert config.data_dir is not None and "heygen-lipsync" in str(config.data_dir)


@pytest.mark.parametrize(
    "env",
    [
        {"HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "soon"},
        {"HEYGEN_LIPSYNC_SANDBOX_FAULTS": '{"error_rate": 3}'},
        {"HEYGEN_LIPSYNC_SANDBOX_FAULTS": '{"typo_rate": 0.1}'},
        {"HEYGEN_LIPSYNC_SANDBOX_FAULTS": "not json"},
        # Out of range: a cap of 0 made every create a 500, negative durations nonsense.
        {"HEYGEN_LIPSYNC_SANDBOX_MAX_CONCURRENT_JOBS": "0"},
        {"HEYGEN_LIPSYNC_SANDBOX_RUNNING_SECONDS": "-1"},
        {"HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "nan"},
    ],
)
def test_bad_environment_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError) as info:
        SandboxConfig.from_env(env, data_dir=None)
    if "FAULTS" not in str(env) and "soon" not in str(env):
        assert next(iter(env)) in str(info.value)  # names the variable to fix


def test_the_startup_line_says_lips_are_not_reanimated() -> None:
    line = startup_line("http://127.0.0.1:8765", SandboxConfig())
    assert "http://127.0.0.1:8765" in line and "sandbox-key" in line
    assert "does NOT re-animate lips" in line


@pytest.mark.anyio
async def test_the_embedded_sandbox_serves_on_loopback_from_async_code() -> None:
    async with EmbeddedSandbox(SandboxConfig(api_key="k2")) as sb:
        assert sb.base_url.startswith("http://127.0.0.1:")
        assert sb.api_key == "k2"
        async with httpx.AsyncClient(base_url=sb.base_url) as client:
            assert (await client.get("/v3/lipsyncs", headers={"x-api-key": "k2"})).status_code == 200
            info = (await client.get("/_sandbox/info")).json()["data"]
            assert info["lips_reanimated"] is False
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{sb.base_url}/_sandbox/info")  # stopped, port released
