"""Messages name what they are about: help defaults, the delete prompt, 404s, colours, sandbox URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from heygen_lipsync.cli import lipsyncs

from .conftest import Cli, created_id, error_json


def test_download_help_shows_the_default_file_name(cli: Cli) -> None:
    result = cli("download", "--help", env={"COLUMNS": "200"})
    assert "(default: ./ID.mp4)" in result.stdout


def test_delete_prompt_names_the_title_and_a_deleted_line_follows(
    cli: Cli, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lipsyncs, "stdin_is_terminal", lambda: True)
    lipsync_id = created_id(cli, samples, "--title", "Interview take 2")
    result = cli("delete", lipsync_id, input="y\n")
    assert result.exit_code == 0, result.stderr
    assert f'Delete lipsync {lipsync_id} ("Interview take 2")?' in result.stderr
    assert f'deleted {lipsync_id} ("Interview take 2")' in result.stderr
    forced = cli("delete", created_id(cli, samples), "--force")
    assert "deleted ls_" in forced.stderr


def test_a_404_names_the_id_it_was_about(cli: Cli) -> None:
    result = cli("get", "ls_doesnotexist")
    assert result.exit_code == 1
    assert "ls_doesnotexist" in result.stderr.splitlines()[0]
    assert "ls_doesnotexist" in error_json(result)["message"]


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_statuses_are_coloured_unless_no_color(
    cli: Cli, samples: tuple[Path, Path], no_color: str | None, coloured: bool
) -> None:
    lipsync_id = created_id(cli, samples)
    cli("wait", lipsync_id)
    result = cli("--human", "get", lipsync_id, env={"FORCE_COLOR": "1", "NO_COLOR": no_color})
    assert result.exit_code == 0, result.stderr
    assert "completed" in result.stdout
    assert ("\x1b[32m" in result.stdout) is coloured  # green


def test_the_embedded_sandbox_says_its_video_url_dies_with_the_command(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    result = cli("--sandbox", "--human", "create", "--video", video, "--audio", audio, "--wait")
    assert result.exit_code == 0, result.stderr
    assert "video_url stops working when this command exits" in result.stderr
    assert "heygen-lipsync --sandbox download ls_" in result.stderr
    # Against a served API (not embedded), the URL stays good: no such note.
    lipsync_id = created_id(cli, samples)
    cli("wait", lipsync_id)
    assert "stops working" not in cli("--human", "get", lipsync_id).stderr
