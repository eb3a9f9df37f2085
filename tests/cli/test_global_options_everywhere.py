"""`jobs` takes the global options after it like every other command (README: "before or after the command")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Cli, created_id


@pytest.fixture
def ledger_cli(cli: Cli, tmp_path: Path) -> Cli:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    return cli


def test_jobs_accepts_output_flags_after_it(ledger_cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(ledger_cli, samples, "--title", "History")
    human = ledger_cli("jobs", "--human")
    assert human.exit_code == 0, human.stderr
    assert lipsync_id in human.stdout and not human.stdout.lstrip().startswith("[")
    rows = json.loads(ledger_cli("--human", "jobs", "--limit", "5", "--json").stdout)
    assert [row["id"] for row in rows] == [lipsync_id]


def test_jobs_show_accepts_output_flags_after_the_id(ledger_cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(ledger_cli, samples)
    shown = ledger_cli("jobs", "show", lipsync_id, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["lipsync_id"] == lipsync_id


def test_jobs_accepts_sandbox_after_it(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(Path.cwd() / "unused.sqlite3")  # --sandbox keeps its own ledger
    made = cli.json("--sandbox", "create", "--video", video, "--audio", audio)
    result = cli("jobs", "--sandbox", "--json")
    assert result.exit_code == 0, result.stderr
    assert made["lipsync_id"] in [row["id"] for row in json.loads(result.stdout)]
