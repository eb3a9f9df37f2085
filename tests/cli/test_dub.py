"""`heygen-lipsync dub`: pairing by stem, the summary before spending, JSON lines, resuming."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.cli.conftest import Cli, error_json


def _sent(sandbox: EmbeddedSandbox) -> tuple[int, int]:
    """What the API holds: its jobs and its uploaded files (the sandbox is the module's: compare before and after)."""
    store = sandbox.app.store
    return len(store.list_jobs(1_000_000, None)), len(store._all("SELECT id FROM assets"))


def _folders(tmp_path: Path, samples: tuple[Path, Path], count: int = 3) -> tuple[list[Path], Path]:
    videos, audios = tmp_path / "talks", tmp_path / "dubs"
    videos.mkdir()
    audios.mkdir()
    for i in range(count):
        shutil.copyfile(samples[0], videos / f"ep{i}.mp4")
        shutil.copyfile(samples[1], audios / f"ep{i}.wav")
    return sorted(videos.glob("*.mp4")), audios


def _events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_videos_are_paired_with_audio_by_stem_and_dubbed_into_out(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path, sandbox: EmbeddedSandbox
) -> None:
    videos, audios = _folders(tmp_path, samples)
    jobs_before, _ = _sent(sandbox)
    result = cli("dub", *videos, "--audio", audios, "--out", tmp_path / "out", "--yes")
    assert result.exit_code == 0, result.stderr
    events = _events(result.stdout)
    assert events[-1]["event"] == "finished" and events[-1]["totals"]["done"] == 3
    assert sorted(p.name for p in (tmp_path / "out").glob("*.mp4")) == ["ep0.mp4", "ep1.mp4", "ep2.mp4"]
    report = [json.loads(line) for line in (tmp_path / "out" / "dub-report.jsonl").read_text().splitlines()]
    assert [Path(line["audio"]).name for line in report] == ["ep0.wav", "ep1.wav", "ep2.wav"]
    assert _sent(sandbox)[0] == jobs_before + 3  # the counter sees what a real run sends
    again = cli("dub", *videos, "--audio", audios, "--out", tmp_path / "out", "--yes")
    assert [e["event"] for e in _events(again.stdout)] == ["skipped", "skipped", "skipped", "finished"]


def test_dry_run_shows_the_summary_and_sends_nothing(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path, sandbox: EmbeddedSandbox
) -> None:
    videos, audios = _folders(tmp_path, samples, 2)
    before = _sent(sandbox)
    result = cli("dub", *videos, "--audio", audios, "--out", tmp_path / "out", "--mode", "precision", "--dry-run")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == 2 and set(summary["by_mode"]) == {"precision"}
    assert "2 rows" in result.stderr
    assert not (tmp_path / "out").exists()
    assert _sent(sandbox) == before


def test_without_yes_and_without_a_terminal_nothing_is_spent(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path, sandbox: EmbeddedSandbox
) -> None:
    videos, audios = _folders(tmp_path, samples, 1)
    before = _sent(sandbox)
    result = cli("dub", *videos, "--audio", audios, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert error_json(result)["param"] == "yes"
    assert not (tmp_path / "out").exists()
    assert _sent(sandbox) == before


def test_a_video_without_audio_of_its_stem_is_named(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    videos, audios = _folders(tmp_path, samples, 2)
    (audios / "ep1.wav").unlink()
    result = cli("dub", *videos, "--audio", audios, "--out", tmp_path / "out", "--yes")
    assert result.exit_code == 2
    assert "ep1" in error_json(result)["message"]


def test_a_manifest_of_more_than_a_batch_is_read_with_its_output_column(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest = tmp_path / "jobs.csv"
    lines = ["video,audio,output"] + [f"{samples[0]},{samples[1]},clip{i}.mp4" for i in range(101)]
    manifest.write_text("\n".join(lines) + "\n")
    result = cli("dub", "--manifest", manifest, "--out", tmp_path / "out", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 101


def test_the_summary_names_the_balance_before_the_run(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    videos, audios = _folders(tmp_path, samples, 1)
    result = cli("--sandbox", "dub", *videos, "--audio", audios, "--out", tmp_path / "out", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "balance is $" in result.stderr


def test_a_row_the_preflight_refuses_is_named_before_anything_is_sent(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    videos, audios = _folders(tmp_path, samples, 2)
    result = cli("dub", *videos, "--audio", audios, "--out", tmp_path / "out", "--start-time", "100", "--yes")
    assert result.exit_code == 2
    assert error_json(result)["param"] == "rows[0].start_time"
    assert not (tmp_path / "out").exists()
