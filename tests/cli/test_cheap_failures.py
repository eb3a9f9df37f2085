"""Failures found before anything is uploaded, and a failed job's reason said once."""

from __future__ import annotations

from pathlib import Path

import pytest

from heygen_lipsync.media import files

from .conftest import Cli, error_json


def test_a_wrong_key_is_found_before_the_files_are_uploaded(cli: Cli, samples: tuple[Path, Path]) -> None:
    result = cli("create", "--video", samples[0], "--audio", samples[1], env={"HEYGEN_API_KEY": "wrong-key"})
    assert result.exit_code == 3, result.stderr
    assert error_json(result)["code"] == "unauthorized"
    assert "uploading" not in result.stderr  # no byte of either file was sent


def test_a_video_that_is_no_file_url_or_asset_id_fails_before_the_audio_is_uploaded(
    cli: Cli, samples: tuple[Path, Path]
) -> None:
    result = cli("create", "--video", "clip.mp4x", "--audio", samples[1])
    assert result.exit_code == 2, result.stderr
    assert error_json(result)["param"] == "video"
    assert "not a URL, an existing file or an asset id" in result.stderr
    assert "uploading" not in result.stderr


def test_a_failed_jobs_reason_is_printed_once_for_a_person(cli: Cli, samples: tuple[Path, Path]) -> None:
    # The sandbox fetches URL sources; nothing listens on port 9, so the job fails.
    result = cli("--human", "create", "--video", "http://127.0.0.1:9/missing.mp4", "--audio", samples[1], "--wait")
    assert result.exit_code == 1
    reason = "could not fetch the video URL"
    assert reason in result.stdout  # the job summary holds it
    error_line = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert reason not in error_line and "failed" in error_line
    assert reason in error_json(result)["message"]  # scripts still get it whole


def test_create_says_it_waits_while_heygen_processes_an_uploaded_asset(
    cli: Cli, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the samples go the direct way, then are processed
    result = cli("create", "--video", samples[0], "--audio", samples[1])
    assert result.exit_code == 0, result.stderr
    assert "waiting for HeyGen to finish processing asset" in result.stderr


def test_a_create_at_the_cap_of_running_jobs_says_it_waits_for_a_slot(
    tmp_path: Path, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

    monkeypatch.chdir(tmp_path)
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=1.0, max_concurrent_jobs=1)) as sb:
        cli = Cli(env={"HEYGEN_BASE_URL": sb.base_url, "HEYGEN_API_KEY": sb.api_key, "HEYGEN_BEARER_TOKEN": None})
        first = cli("create", "--video", samples[0], "--audio", samples[1], "--new")
        assert first.exit_code == 0, first.stderr
        second = cli("create", "--video", samples[0], "--audio", samples[1], "--new")
    assert second.exit_code == 0, second.stderr
    assert "waiting for a slot" in second.stderr
