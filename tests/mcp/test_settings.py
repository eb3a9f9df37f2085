"""The server's settings: environment > default, refusing what would widen the file sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heygen_lipsync.errors import ConfigurationError
from heygen_lipsync.mcp.settings import load_server_settings


def test_defaults_are_the_working_directory_and_the_published_rates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    settings = load_server_settings(env={})
    assert settings.allowed_dirs == (tmp_path.resolve(),)
    assert settings.output_dir == tmp_path.resolve()
    assert (settings.rate_speed, settings.rate_precision) == (0.033, 0.067)
    assert settings.wait_seconds < 60 <= settings.max_wait_seconds


def test_environment_sets_dirs_rates_and_the_job_cap(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    settings = load_server_settings(
        env={
            "HEYGEN_LIPSYNC_ALLOWED_DIRS": f"{a}{os.pathsep}{b}",
            "HEYGEN_LIPSYNC_OUTPUT_DIR": str(b / "out"),
            "HEYGEN_LIPSYNC_RATE_SPEED": "0.05",
            "HEYGEN_LIPSYNC_RATE_PRECISION": "0.1",
            "HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION": "3",
            "HEYGEN_LIPSYNC_MCP_TOKEN": "tok",
        }
    )
    assert settings.allowed_dirs == (a.resolve(), b.resolve())
    assert settings.output_dir == (b / "out").resolve()
    assert settings.rate_for("precision") == 0.1 and settings.rate_for(None) == 0.05
    assert settings.max_jobs_per_session == 3
    assert "tok" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"HEYGEN_LIPSYNC_OUTPUT_DIR": "/"}, "inside an allowed directory"),
        ({"HEYGEN_LIPSYNC_ALLOWED_DIRS": "/no/such/dir"}, "not an existing directory"),
        ({"HEYGEN_LIPSYNC_RATE_SPEED": "cheap"}, "HEYGEN_LIPSYNC_RATE_SPEED"),
        ({"HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION": "-1"}, "0 or more"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], words: str
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match=words):
        load_server_settings(env=env)


def test_the_command_exits_2_with_one_line_on_a_bad_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from heygen_lipsync.mcp import main

    with pytest.raises(SystemExit) as caught:
        main(["--allowed-dir", str(tmp_path), "--output-dir", "/"])
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("heygen-lipsync-mcp: ") and "inside an allowed directory" in err


@pytest.mark.parametrize("port", ["abc", "70000"])
def test_a_bad_port_variable_exits_2_naming_it(
    tmp_path: Path, port: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from heygen_lipsync.mcp import main

    monkeypatch.setenv("HEYGEN_LIPSYNC_MCP_PORT", port)
    with pytest.raises(SystemExit) as caught:
        main(["--transport", "http", "--allowed-dir", str(tmp_path)])
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith("heygen-lipsync-mcp: HEYGEN_LIPSYNC_MCP_PORT must be a port number")


def test_the_filesystem_root_is_never_the_default_allowed_directory(monkeypatch: pytest.MonkeyPatch):
    # Claude Desktop starts servers in /: that default would expose every file the user can read.
    monkeypatch.chdir("/")
    with pytest.raises(ConfigurationError, match="HEYGEN_LIPSYNC_ALLOWED_DIRS"):
        load_server_settings(env={})
    assert load_server_settings(env={"HEYGEN_LIPSYNC_ALLOWED_DIRS": "/"}).allowed_dirs == (Path("/"),)  # if asked
