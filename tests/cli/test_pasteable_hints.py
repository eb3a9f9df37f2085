"""Hints work when pasted: a failed save offers commands that succeed, the sandbox's video_url note
appears only while the video is not saved, and an unreachable server names the setting in use."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from .conftest import Cli


@pytest.fixture
def ledger_cli(cli: Cli, tmp_path: Path) -> Cli:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    return cli


def _pasted(cli: Cli, line: str) -> list[str]:
    words = shlex.split(line)
    assert words[0] == "heygen-lipsync", line
    return words[1:]


def _commands_after(stderr: str, marker: str) -> list[str]:
    """The commands in the hint line holding ``marker``: each after "with: ", up to ")" or the end."""
    line = next(line for line in stderr.splitlines() if marker in line)
    return re.findall(r"with: (heygen-lipsync .*?)(?= \(|\)|$)", line)


def test_a_destination_holding_another_jobs_video_is_refused_before_paying_with_what_to_do(
    ledger_cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = samples
    first = ledger_cli("create", "--video", video, "--audio", audio, "--download", "dubbed.mp4")
    assert first.exit_code == 0, first.stderr
    before = (tmp_path / "dubbed.mp4").read_bytes()
    # Another job to the same file: the ledger knows the file holds the first job's video, so it is
    # kept, and the second job is not created (nor paid for) only to be refused its destination.
    second = ledger_cli("create", "--video", video, "--audio", audio, "--title", "Take 2", "--download", "dubbed.mp4")
    assert second.exit_code == 2
    assert "already exists" in second.stderr and "nothing was sent" in second.stderr
    assert "--overwrite" in second.stderr and "another path" in second.stderr
    assert (tmp_path / "dubbed.mp4").read_bytes() == before
    # What it says works when pasted: another path.
    third = ledger_cli("create", "--video", video, "--audio", audio, "--title", "Take 2", "--download", "dubbed-2.mp4")
    assert third.exit_code == 0, third.stderr
    assert (tmp_path / "dubbed-2.mp4").stat().st_size > 0


def test_a_failed_save_without_a_file_there_retries_the_same_destination(
    cli: Cli, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.errors import DownloadError

    real = AsyncLipsyncClient.download
    monkeypatch.setattr(AsyncLipsyncClient, "download", _fails(DownloadError("connection dropped")))
    failed = cli("create", "--video", samples[0], "--audio", samples[1], "--download", "my dub.mp4")
    assert failed.exit_code == 1
    (retry,) = _commands_after(failed.stderr, "was not saved")
    monkeypatch.setattr(AsyncLipsyncClient, "download", real)
    assert "PATH" not in retry  # a placeholder fails when pasted
    assert cli(*_pasted(cli, retry)).exit_code == 0
    assert Path("my dub.mp4").stat().st_size > 0


def _fails(exc: Exception):  # type: ignore[no-untyped-def]
    async def download(*args: object, **kwargs: object) -> None:
        raise exc

    return download


_NOTE = "video_url stops working"


def test_the_sandbox_note_is_left_out_once_the_video_is_saved(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "unused.sqlite3")  # on: --sandbox keeps its own beside its data
    video, audio = samples
    saved = cli("--sandbox", "create", "--video", video, "--audio", audio, "--download", "out.mp4", "--human")
    assert saved.exit_code == 0, saved.stderr
    assert Path("out.mp4").is_file() and _NOTE not in saved.stderr
    lipsync_id = next(line.split()[-1] for line in saved.stdout.splitlines() if line.strip().startswith("id "))
    again = cli("--sandbox", "get", lipsync_id, "--human")
    assert again.exit_code == 0 and _NOTE not in again.stderr
    Path("out.mp4").unlink()  # gone from disk: the note is back, and its command saves it
    gone = cli("--sandbox", "get", lipsync_id, "--human")
    assert _NOTE in gone.stderr
    (save,) = _commands_after(gone.stderr, _NOTE)
    assert cli(*_pasted(cli, save)).exit_code == 0


def test_the_sandbox_note_stays_for_a_job_not_saved(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "unused.sqlite3")
    video, audio = samples
    waited = cli("--sandbox", "create", "--video", video, "--audio", audio, "--wait", "--human")
    assert waited.exit_code == 0 and _NOTE in waited.stderr


def test_an_unreachable_server_names_the_setting_that_was_used(cli: Cli) -> None:
    by_flag = cli("--base-url", "http://127.0.0.1:9", "list", env={"HEYGEN_BASE_URL": None})
    assert by_flag.exit_code == 1
    assert "check the network and --base-url" in by_flag.stderr and "HEYGEN_BASE_URL" not in by_flag.stderr
    assert "--base-url" in json.loads(by_flag.stderr.splitlines()[-1])["error"]["message"]
    by_env = cli("list", env={"HEYGEN_BASE_URL": "http://127.0.0.1:9"})
    assert by_env.exit_code == 1 and "check the network and HEYGEN_BASE_URL" in by_env.stderr
