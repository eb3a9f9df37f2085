"""One command, one --json shape: `create --download out.mp4 --json` prints the job on the first run and
on a rerun, with `reused` and `saved_to` saying what the rerun found."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli


def test_create_download_prints_one_shape_first_run_and_rerun(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    video, audio = samples
    args = ("create", "--video", video, "--audio", audio, "--title", "Shape", "--download", "out.mp4", "--json")
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    again = cli(*args)
    assert again.exit_code == 0, again.stderr
    assert "already downloaded" in again.stderr  # the rerun took the path that used to print a ledger record
    one, two = json.loads(first.stdout), json.loads(again.stdout)
    assert set(one) == set(two)
    assert one["id"] == two["id"] and two["status"] == "completed" and two["title"] == "Shape"
    assert (one["reused"], two["reused"]) == (False, True)
    saved = str((tmp_path / "out.mp4").resolve())
    assert one["saved_to"] == two["saved_to"] == saved


def test_a_reused_job_not_yet_saved_prints_the_same_shape(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    video, audio = samples
    made = cli.json("create", "--video", video, "--audio", audio)["lipsync_id"]
    (tmp_path / "outdir").mkdir()
    saved = cli.json("create", "--video", video, "--audio", audio, "--download", "outdir")
    assert saved["id"] == made and saved["reused"] is True
    assert saved["saved_to"] == str((tmp_path / "outdir" / f"{made}.mp4").resolve())
    assert Path(saved["saved_to"]).is_file()
