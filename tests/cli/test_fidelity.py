"""CLI: HeyGen's error objects in human output, the account, and asset get/delete."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Cli


def test_a_failed_items_error_message_shows_in_batch_get_and_status(
    cli: Cli, samples: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = samples
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps({"lipsyncs": [{"video": str(video), "audio": str(audio)}]}))
    batch_id = cli.json("batch", "create", manifest)["batch_id"]
    lipsync_id = cli.json("batch", "get", batch_id)["items"][0]["video_id"]
    cli.json("delete", lipsync_id, "--force")  # a deleted item reads as failed, with an error object
    item = cli.json("batch", "get", batch_id)["items"][0]
    assert item["error"] == {"code": "deleted", "message": "The lipsync was deleted."}
    for args in (("batch", "get", batch_id), ("status", "--batch", batch_id)):
        shown = cli("--human", *args, env={"COLUMNS": "200"})
        assert shown.exit_code == 0, shown.stderr
        assert "The lipsync was deleted. (deleted)" in shown.stdout


def test_account_shows_billing_and_balance(cli: Cli) -> None:
    assert cli.json("account")["wallet"]["currency"] == "usd"
    shown = cli("--human", "account")
    assert shown.exit_code == 0 and "billing_type" in shown.stdout and "remaining_balance" in shown.stdout


def test_asset_get_and_delete(cli: Cli, samples: tuple[Path, Path]) -> None:
    _, audio = samples
    asset_id = cli.json("upload", audio)["asset_id"]
    assert cli.json("asset", "get", asset_id)["id"] == asset_id
    refused = cli("asset", "delete", asset_id)  # no terminal to confirm on
    assert refused.exit_code == 2
    assert cli.json("asset", "delete", asset_id, "--force") == {"id": asset_id}
    assert cli("asset", "get", asset_id).exit_code == 1
