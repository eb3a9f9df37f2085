"""`folder` and `webhook` commands, and what a user sees of enable_caption's deprecation and a bad folder."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli, error_json


def test_a_folder_made_takes_a_job_and_a_missing_one_is_named_in_the_error(
    cli: Cli, samples: tuple[Path, Path]
) -> None:
    folder = cli.json("folder", "create", "French dubs", "--type", "video")
    assert folder["type"] == "video" and folder["folder_id"]
    assert cli.json("folder", "get", folder["folder_id"])["name"] == "French dubs"
    made = cli.json("create", "--video", samples[0], "--audio", samples[1], "--folder-id", folder["folder_id"])
    assert made["lipsync_id"]
    refused = cli("create", "--video", samples[0], "--audio", samples[1], "--folder-id", "fld_nowhere")
    assert refused.exit_code == 1
    error = error_json(refused)
    assert error["status_code"] == 404 and error["param"] == "folder_id" and "fld_nowhere" in error["message"]


def test_webhook_commands_register_list_and_remove_an_endpoint(cli: Cli) -> None:
    made = cli.json("webhook", "create", "https://hooks.example/heygen", "--event", "batch.finished")
    assert made["secret"].startswith("whsec_") and made["events"] == ["batch.finished"]
    listed = cli.json("webhook", "list")
    assert made["endpoint_id"] in [e["endpoint_id"] for e in listed["data"]]
    assert cli.json("webhook", "update", made["endpoint_id"], "--url", "https://hooks.example/v2")["url"].endswith("v2")
    assert cli.json("webhook", "rotate-secret", made["endpoint_id"])["secret"] != made["secret"]
    assert "batch.finished" in [t["event_type"] for t in cli.json("webhook", "event-types")]
    assert cli.json("webhook", "events", "--event-type", "batch.finished")["has_more"] is False
    assert cli.json("webhook", "delete", made["endpoint_id"], "--force") == {"endpoint_id": made["endpoint_id"]}
    unknown = cli("webhook", "create", "https://hooks.example/x", "--event", "lipsync.success")
    assert unknown.exit_code == 2 and error_json(unknown)["param"] == "events[0]"


def test_enable_caption_is_deprecated_in_help_and_schema(cli: Cli) -> None:
    help_text = " ".join(cli("create", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "--enable-caption" in help_text and "Deprecated and ignored by HeyGen" in help_text
    schema = cli.json("create", "--request-schema")
    assert schema["properties"]["enable_caption"]["deprecated"] is True
