"""`estimate` for a person is a table and a summary (no JSON in a cell); under --sandbox its balance is
the sandbox's wallet."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli


def test_estimate_for_a_person_is_a_table_without_json(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    shown = cli("--sandbox", "estimate", "--video", video, "--audio", audio, "--mode", "precision", "--human")
    assert shown.exit_code == 0, shown.stderr
    out = shown.stdout
    assert "{" not in out and '"' not in out, out  # no raw JSON anywhere on stdout
    assert "sample.mp4" in out and "sample.wav" in out and "precision" in out
    assert "3.0 s (from the audio)" in out and "$0.20" in out
    assert "Your balance is $" in out


def test_estimate_under_sandbox_shows_the_sandbox_wallet(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    report = json.loads(cli("--sandbox", "estimate", "--video", video, "--audio", audio, "--json").stdout)
    balance = report["balance"]
    assert balance is not None and balance["currency"].lower() == "usd" and balance["remaining"] > 0
    account = cli.json("--sandbox", "account")
    assert balance["remaining"] == account["wallet"]["remaining_balance"]


def test_estimate_json_keeps_the_whole_report(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    report = cli.json("estimate", "--video", video, "--audio", audio)
    assert report["items"][0]["inputs"][0]["probe"]["has_video"] is True  # --json is not the table
    assert report["estimated_usd"] == 0.1
