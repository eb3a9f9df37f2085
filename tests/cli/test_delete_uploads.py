"""--delete-uploads on create, wait and download: the uploads of local files go once the job is done."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import Cli, created_id, error_json


def _deleted(stderr: str) -> list[str]:
    match = re.search(r"deleted the uploads of \S+: (.+)", stderr)
    assert match, stderr
    return match.group(1).split(", ")


def test_create_wait_delete_uploads_deletes_both_uploads(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    result = cli("create", "--video", video, "--audio", audio, "--wait", "--new", "--delete-uploads")
    assert result.exit_code == 0, result.stderr
    deleted = _deleted(result.stderr)
    assert len(deleted) == 2
    for asset_id in deleted:
        assert error_json(cli("asset", "get", asset_id))["code"] == "not_found"


def test_download_delete_uploads_after_saving(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    video, audio = samples
    asset = cli.json("upload", audio)["asset_id"]
    lipsync_id = created_id(cli, [video, Path(asset)], "--new")
    assert cli("wait", lipsync_id).exit_code == 0
    # Another process: the ledger-less client knows nothing, so nothing of the user's is deleted.
    result = cli("download", lipsync_id, tmp_path / "out.mp4", "--delete-uploads")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.mp4").is_file()
    assert "assets passed by id are kept" in result.stderr
    assert cli("asset", "get", asset).exit_code == 0  # the asset passed by id stays


def test_create_delete_uploads_without_waiting_is_refused_before_anything_is_sent(
    cli: Cli, samples: tuple[Path, Path]
) -> None:
    video, audio = samples
    result = cli("create", "--video", video, "--audio", audio, "--delete-uploads")
    assert result.exit_code == 2
    assert "--wait" in error_json(result)["message"]
