"""`dub` as a person meets it: a folder of videos, the dry run's pairing, rows counted from 1, a title per
job, an honest time left, Ctrl-C on a new line, and a "no" that says nothing was sent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer

from heygen_lipsync.cli import _dub_display as view
from heygen_lipsync.cli import dub as dub_cli
from heygen_lipsync.jobs.campaign import DubEvent, DubTotals

from .conftest import Cli, error_json


def _folders(tmp_path: Path, samples: tuple[Path, Path], count: int = 3) -> tuple[Path, Path]:
    videos, audios = tmp_path / "talks", tmp_path / "dubs"
    videos.mkdir()
    audios.mkdir()
    for i in range(1, count + 1):
        shutil.copyfile(samples[0], videos / f"episode-{i}.mp4")
        shutil.copyfile(samples[1], audios / f"episode-{i}.wav")
    (videos / "notes.txt").write_text("not a video")
    return videos, audios


def _events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_a_folder_of_videos_dubs_each_video_titled_by_its_name(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    videos, audios = _folders(tmp_path, samples)
    result = cli("dub", f"{videos}/", "--audio", audios, "--out", tmp_path / "out", "--yes")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.mp4")) == [f"episode-{i}.mp4" for i in (1, 2, 3)]
    titles = {job["title"] for job in cli.json("list", "--all")["data"]}
    assert {"episode-1", "episode-2", "episode-3"} <= titles
    rows = {event["row"] for event in _events(result.stdout) if "row" in event}
    assert rows == {1, 2, 3}  # JSON lines count rows from 1 too


def test_a_title_flag_still_names_every_job(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    videos, audios = _folders(tmp_path, samples, 1)
    plan = cli.json("dub", videos, "--audio", audios, "--out", tmp_path / "out", "--title", "Season 2", "--dry-run")
    assert [pair["title"] for pair in plan["pairs"]] == ["Season 2"]


def test_a_folder_without_videos_says_to_pass_the_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("dub", tmp_path / "empty", "--audio", tmp_path, "--yes")
    assert result.exit_code == 2
    assert "/*.mp4" in result.stderr and "audio" not in result.stderr.splitlines()[0]
    assert error_json(result)["param"] == "videos"


def test_dry_run_shows_which_audio_goes_with_which_video(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    videos, audios = _folders(tmp_path, samples, 2)
    plan = cli.json("dub", videos, "--audio", audios, "--out", tmp_path / "out", "--dry-run")
    assert [(p["row"], Path(p["video"]).name, Path(p["audio"]).name) for p in plan["pairs"]] == [
        (1, "episode-1.mp4", "episode-1.wav"),
        (2, "episode-2.mp4", "episode-2.wav"),
    ]
    table = cli(
        "dub", videos, "--audio", audios, "--out", tmp_path / "out", "--dry-run", "--human", env={"COLUMNS": "120"}
    )
    assert table.exit_code == 0, table.stderr
    line = next(line for line in table.stdout.splitlines() if "episode-2.mp4" in line)
    assert "episode-2.wav" in line and "{" not in table.stdout
    assert not (tmp_path / "out").exists()  # nothing was sent, nothing written


def test_a_row_error_counts_rows_from_1(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    videos, audios = _folders(tmp_path, samples, 2)
    result = cli("dub", videos, "--audio", audios, "--mode", "fast", "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: row 1: mode:"), result.stderr
    assert error_json(result)["param"] == "rows[0].mode"


def _event(kind: str, *, queued: int, running: int, done: int, elapsed: float) -> DubEvent:
    totals = DubTotals(
        rows=queued + running + done,
        queued=queued,
        running=running,
        done=done,
        failed=0,
        spent_seconds=3.0 * (running + done),
        elapsed=elapsed,
        eta_seconds=0.01,  # what the library said after skipped rows (an absurd pace)
    )
    return DubEvent(kind, totals, row=0)


def test_time_left_is_never_a_dash_nor_a_guess_from_skipped_rows() -> None:
    eta = view.Eta()
    skipped = _event("skipped", queued=2, running=1, done=7, elapsed=0.1)
    first = view.totals_line(skipped, eta(skipped))
    assert "~-" not in first and "3 rows left, time left known once one finishes" in first
    after = eta(_event("done", queued=1, running=1, done=8, elapsed=60.0))
    assert after == "2 rows left, about 2 min 00 s"
    assert eta(_event("done", queued=0, running=0, done=10, elapsed=90.0)) == ""


def test_declining_says_nothing_was_sent(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("heygen_lipsync.cli.lipsyncs.stdin_is_terminal", lambda: True)
    videos, audios = _folders(tmp_path, samples, 1)
    before = len(cli.json("list", "--all")["data"])
    result = cli("dub", videos, "--audio", audios, "--out", tmp_path / "out", input="n\n")
    assert result.exit_code == 1
    assert "nothing was sent" in result.stderr and "Aborted" not in result.stderr
    assert len(cli.json("list", "--all")["data"]) == before


def test_ctrl_c_starts_its_line_below_the_echoed_c(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise typer.Exit(130)

    monkeypatch.setattr(dub_cli, "run_client", interrupted)
    videos, audios = _folders(tmp_path, samples, 1)
    args = ("dub", videos, "--audio", audios, "--out", tmp_path / "out", "--yes")
    on_terminal = cli(*args, env={"FORCE_COLOR": "1"})  # stderr taken for a terminal: the shell echoed ^C there
    assert on_terminal.exit_code == 130
    assert on_terminal.stderr.startswith("\ninterrupted; resume with:"), on_terminal.stderr
    piped = cli(*args, env={"FORCE_COLOR": None})
    assert piped.exit_code == 130 and piped.stderr.startswith("interrupted; resume with:"), piped.stderr


def test_a_run_started_before_default_titles_resumes_without_paying_again(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    from heygen_lipsync.jobs.campaign import DubRow, plan_rows
    from heygen_lipsync.jobs.report import save_report
    from heygen_lipsync.request import LipsyncRequest

    videos, audios = _folders(tmp_path, samples, 2)
    out = tmp_path / "out"
    out.mkdir()
    # The report an earlier version left: the same rows, no titles, both done.
    untitled = [
        DubRow(LipsyncRequest(video=str(v), audio=str(audios / f"{v.stem}.wav"))) for v in sorted(videos.glob("*.mp4"))
    ]
    records = plan_rows(untitled, out)
    for record in records:
        Path(record.output).write_bytes(samples[0].read_bytes())
    save_report(out, [r.with_status("done", job_id=f"ls_earlier{r.row}") for r in records])
    before = len(cli.json("list", "--all")["data"])
    result = cli("dub", videos, "--audio", audios, "--out", out, "--yes")
    assert result.exit_code == 0, result.stderr
    assert [e["event"] for e in _events(result.stdout)] == ["skipped", "skipped", "finished"]
    assert len(cli.json("list", "--all")["data"]) == before
