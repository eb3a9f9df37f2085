"""`create --wait --download` run again resumes through the ledger; `jobs` lists what it holds."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Cli


def test_rerun_of_create_download_makes_one_job_and_one_download(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = samples
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    args = ("create", "--video", video, "--audio", audio, "--download", "out.mp4")
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    written = (tmp_path / "out.mp4").stat().st_mtime_ns
    again = cli(*args)
    assert again.exit_code == 0, again.stderr
    assert "same request as" in again.stderr and "pass --new" in again.stderr
    assert "already downloaded" in again.stderr
    assert (tmp_path / "out.mp4").stat().st_mtime_ns == written
    listed = json.loads(cli("jobs").stdout)
    assert len(listed) == 1 and listed[0]["output_path"] == str((tmp_path / "out.mp4").resolve())
    shown = cli.json("jobs", "show", listed[0]["id"])
    assert shown["status"] == "completed" and shown["remote"]["id"] == listed[0]["id"]


def test_new_makes_another_job(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    video, audio = samples
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    one = cli.json("create", "--video", video, "--audio", audio)["lipsync_id"]
    two = cli.json("create", "--video", video, "--audio", audio, "--new")["lipsync_id"]
    same = cli.json("create", "--video", video, "--audio", audio)["lipsync_id"]
    assert one != two and same == two
