"""The local job history (`jobs`) follows what happens to the jobs: deletes, batch waits and downloads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli, created_id


@pytest.fixture
def ledger_cli(cli: Cli, tmp_path: Path) -> Cli:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    return cli


def _history(cli: Cli) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in cli.json("jobs", "--all")}


def test_a_deleted_job_reads_deleted_in_the_history(ledger_cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(ledger_cli, samples)
    assert ledger_cli("wait", lipsync_id, "--poll-interval", "1").exit_code == 0
    assert _history(ledger_cli)[lipsync_id]["status"] == "completed"
    deleted = ledger_cli("delete", lipsync_id, "--force")
    assert deleted.exit_code == 0, deleted.stderr
    assert _history(ledger_cli)[lipsync_id]["status"] == "deleted"


def test_jobs_show_of_a_deleted_job_shows_its_record(ledger_cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(ledger_cli, samples, "--title", "Gone soon")
    assert ledger_cli("delete", lipsync_id, "--force").exit_code == 0
    shown = ledger_cli("jobs", "show", lipsync_id)
    assert shown.exit_code == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["lipsync_id"] == lipsync_id and record["status"] == "deleted" and record["title"] == "Gone soon"
    assert "local record" in shown.stderr


def _batch(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> str:
    video, audio = samples
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"video,audio,title\n{video},{audio},one\n{video},{audio},two\n")
    batch_id: str = cli.json("batch", "create", manifest)["batch_id"]
    assert _history(cli)[batch_id]["status"] != "completed"
    return batch_id


def test_batch_wait_records_the_batch_status(ledger_cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    batch_id = _batch(ledger_cli, samples, tmp_path)
    waited = ledger_cli("batch", "wait", batch_id, "--poll-interval", "1")
    assert waited.exit_code == 0, waited.stderr
    assert _history(ledger_cli)[batch_id]["status"] == "completed"


def test_batch_download_records_the_batch_status(ledger_cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    batch_id = _batch(ledger_cli, samples, tmp_path)
    assert (
        ledger_cli("batch", "wait", batch_id, "--poll-interval", "1", env={"HEYGEN_LIPSYNC_LEDGER": "off"}).exit_code
        == 0
    )
    saved = ledger_cli("batch", "download", batch_id, "out")
    assert saved.exit_code == 0, saved.stderr
    assert _history(ledger_cli)[batch_id]["status"] == "completed"


def test_jobs_show_for_a_person_has_no_json(ledger_cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    made = ledger_cli.json("create", "--video", video, "--audio", audio, "--title", "Nested", "--download", "o.mp4")
    shown = ledger_cli("jobs", "show", made["id"], "--human", env={"COLUMNS": "140"})
    assert shown.exit_code == 0, shown.stderr
    assert "{" not in shown.stdout and "[" not in shown.stdout, shown.stdout
    assert "video: " in shown.stdout and "title: Nested" in shown.stdout  # the nested inputs, one per line
    assert re.search(r"at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", shown.stdout)  # the download's time, like every other
