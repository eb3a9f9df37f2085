"""The CLI's paid commands: caps see them, reruns find their job, and nothing is paid before a refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox
from tests.cli.conftest import Cli, error_json
from tests.jobs.conftest import jobs_in


def test_the_spend_cap_counts_cli_creates(
    cli: Cli, sandbox: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video, audio = media
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY", "0.15")  # one 3 s job is about $0.10
    before = jobs_in(sandbox)
    assert cli("create", "--video", video, "--audio", audio, "--title", "first").exit_code == 0
    refused = cli("create", "--video", video, "--audio", audio, "--title", "second")
    assert refused.exit_code != 0 and error_json(refused)["code"] == "daily_cap"
    assert jobs_in(sandbox) == before + 1


def test_a_destination_holding_another_jobs_video_is_refused_before_anything_is_paid(
    cli: Cli, sandbox: EmbeddedSandbox, media: tuple[Path, Path], ledger_path: Path, tmp_path: Path
) -> None:
    video, audio = media
    target = tmp_path / "out.mp4"
    first = cli("create", "--video", video, "--audio", audio, "--title", "A", "--download", target)
    assert first.exit_code == 0, first.stderr
    before = jobs_in(sandbox)
    other = cli("create", "--video", video, "--audio", audio, "--title", "B", "--download", target)
    assert other.exit_code == 2 and "nothing was sent" in other.stderr
    assert jobs_in(sandbox) == before


def test_dub_asks_only_for_rows_not_created_yet(
    cli: Cli, media: tuple[Path, Path], ledger_path: Path, tmp_path: Path
) -> None:
    video, audio = media
    out = tmp_path / "dubbed"
    first = cli("dub", video, "--audio", audio, "--out", out, "--yes")
    assert first.exit_code == 0, first.stderr
    assert "about $0.10 in all" in first.stderr
    again = cli("dub", video, "--audio", audio, "--out", out, "--yes")
    assert again.exit_code == 0, again.stderr
    assert "nothing new to pay for" in again.stderr and "about $" not in again.stderr


def test_readmes_try_it_twice_makes_one_job_and_exits_zero(tmp_path: Path) -> None:
    # The embedded sandbox listens on a new port each run: its identity is its data, not its port.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEYGEN_", "COVERAGE"))}
    env["HEYGEN_LIPSYNC_SANDBOX_DIR"] = str(tmp_path / "sandbox-data")
    cli_path = str(Path(sys.executable).parent / "heygen-lipsync")
    command = [
        cli_path, "--sandbox", "create", "--video", str(SAMPLE_VIDEO), "--audio", str(SAMPLE_AUDIO), "--wait",
        "--download", "dubbed.mp4",
    ]  # fmt: skip
    runs = [subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120) for _ in "12"]
    assert [r.returncode for r in runs] == [0, 0], runs[1].stderr
    assert "already downloaded" in runs[1].stderr
    listed = subprocess.run(
        [cli_path, "--sandbox", "list", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert listed.stdout.count('"id"') == 1, listed.stdout
