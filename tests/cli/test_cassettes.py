"""The CLI replayed against the library's recorded cassettes (record mode "none": no network, no sandbox).

Each test runs the CLI commands that make the same requests as the recorded scenario
(tests/cassettes/scenarios.py) and checks what a user sees: stdout JSON and the exit code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
from vcr.cassette import Cassette

from heygen_lipsync import polling as waiting
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO
from tests.cassettes.scenarios import CASSETTE_DIR, SANDBOX_BASE_URL

from .conftest import Cli, error_json

pytestmark = pytest.mark.skipif(
    not (CASSETTE_DIR / "sandbox" / "index.json").exists(), reason="no cassettes: python scripts/record_cassettes.py"
)

SAMPLES = ("--video", str(SAMPLE_VIDEO), "--audio", str(SAMPLE_AUDIO))


@pytest.fixture
def replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Cli, Any]]:
    monkeypatch.chdir(tmp_path)

    async def no_wait(seconds: float) -> None:
        return None  # a replayed job advances by its recorded answers, not by the clock

    # The CLI's 1 s poll floor would otherwise make a replayed wait sleep for real.
    monkeypatch.setattr(waiting, "_sleep", no_wait)
    cli = Cli(
        env={
            "HEYGEN_BASE_URL": SANDBOX_BASE_URL,
            "HEYGEN_API_KEY": "replay-key",
            "HEYGEN_BEARER_TOKEN": None,
            "HEYGEN_LIPSYNC_MAX_RETRIES": "0",
            "HEYGEN_LIPSYNC_ASSUME_YES": "1",  # replayed creates are not spent: no question
        }
    )

    def use(name: str) -> Any:
        return vcr.VCR(record_mode="none").use_cassette(str(CASSETTE_DIR / "sandbox" / f"{name}.yaml"))

    yield cli, use


def _created(cli: Cli, title: str) -> str:
    return str(cli.json("create", *SAMPLES, "--title", title)["lipsync_id"])


def test_create_uploads_both_files_then_creates(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("create") as cassette:
        assert _created(cli, "cassette create").startswith("ls_")
    assert isinstance(cassette, Cassette) and cassette.all_played


def test_get_update_delete(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("get") as cassette:
        lipsync_id = _created(cli, "cassette get")
        job = cli.json("get", lipsync_id)
        assert (job["id"], job["title"]) == (lipsync_id, "cassette get")
    assert cassette.all_played
    with use("update") as cassette:
        lipsync_id = _created(cli, "cassette update")
        assert cli.json("update", lipsync_id, "--title", "renamed by cassette")["title"] == "renamed by cassette"
    assert cassette.all_played
    with use("delete") as cassette:
        lipsync_id = _created(cli, "cassette delete")
        assert cli.json("delete", lipsync_id, "--force") == {"id": lipsync_id}
        gone = cli("get", lipsync_id)
        assert gone.exit_code == 1 and error_json(gone)["code"] == "not_found"
    assert cassette.all_played


def test_list_pages(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("list_pages"):
        first = cli.json("list", "--limit", "2")
        assert len(first["data"]) == 2 and first["has_more"] is True
        again = cli.json("list", "--limit", "2")  # the scenario's iteration starts over
        following = cli.json("list", "--limit", "2", "--token", again["next_token"])
        assert not {job["id"] for job in again["data"]} & {job["id"] for job in following["data"]}


def test_upload(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("upload_small") as cassette:
        asset = cli.json("upload", SAMPLE_VIDEO)
    assert cassette.all_played
    assert asset["mime_type"] == "video/mp4" and asset["size_bytes"] == SAMPLE_VIDEO.stat().st_size


def test_wait_and_download(replay: tuple[Cli, Any], tmp_path: Path) -> None:
    cli, use = replay
    with use("wait_completed") as cassette:
        result = cli("create", *SAMPLES, "--title", "cassette wait", "--poll-interval", "0", "--download", tmp_path)
    assert cassette.all_played
    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "completed"
    assert (tmp_path / f"{job['id']}.mp4").read_bytes()[4:8] == b"ftyp"


def test_a_start_beyond_the_video_is_refused_before_any_request(replay: tuple[Cli, Any]) -> None:
    # Issue 14: this job used to be sent, paid for in attention and a slot, and fail later.
    cli, use = replay
    with use("wait_failed") as cassette:
        result = cli("create", *SAMPLES, "--start-time", "100", "--wait", "--poll-interval", "0")
    assert cassette.play_count == 0
    assert result.exit_code == 2
    assert error_json(result)["param"] == "start_time"
    assert "beyond the video" in error_json(result)["message"]


def test_rate_limited_create_says_when_to_retry(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("error_429") as cassette:
        _created(cli, "cassette 429 first")
        result = cli("create", *SAMPLES, "--title", "cassette 429 second")
    assert cassette.all_played
    assert result.exit_code == 1
    error = error_json(result)
    assert error["code"] == "rate_limit_exceeded" and error["retry_after"] is not None
    assert "retry after" in next(line for line in result.stderr.splitlines() if line.startswith("error: "))


@pytest.mark.parametrize(
    ("name", "args", "env", "exit_code", "code"),
    [
        (
            "error_400",
            ["create", "--video", "asset_does_not_exist", "--audio", "asset_nor_this"],
            {},
            1,
            "invalid_parameter",
        ),
        (
            "error_401",
            ["list", "--limit", "1"],
            {"HEYGEN_API_KEY": "wrong-key-for-cassette"},
            3,
            "authentication_failed",
        ),
        ("error_404", ["get", "ls_does_not_exist_0000"], {}, 1, "not_found"),
    ],
)
def test_recorded_errors_map_to_exit_codes(
    replay: tuple[Cli, Any], name: str, args: list[str], env: dict[str, str], exit_code: int, code: str
) -> None:
    cli, use = replay
    with use(name) as cassette:
        result = cli(*args, env=env)
    assert cassette.all_played
    assert result.exit_code == exit_code
    error = error_json(result)
    assert error["code"] == code and error["request_id"] and result.stdout == ""


def _facts(name: str) -> dict[str, Any]:
    """What the recording saw (ids included), from the cassettes' index."""
    return dict(json.loads((CASSETTE_DIR / "sandbox" / "index.json").read_text())[name]["facts"])


def test_asset_get_and_delete(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("asset_get") as cassette:
        asset_id = cli.json("upload", SAMPLE_VIDEO)["asset_id"]
        shown = cli.json("asset", "get", asset_id)
    assert cassette.all_played
    assert (shown["id"], shown["type"], shown["name"]) == (asset_id, "video", SAMPLE_VIDEO.name)
    with use("asset_delete") as cassette:
        asset_id = cli.json("upload", SAMPLE_VIDEO)["asset_id"]
        deleted = cli("asset", "delete", asset_id, "--force")
        gone = cli("asset", "get", asset_id)
    assert cassette.all_played
    assert deleted.exit_code == 0, deleted.stderr
    assert asset_id in deleted.stdout
    assert gone.exit_code == 1 and error_json(gone)["code"] == "not_found"


def test_account_shows_the_wallet(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    with use("account") as cassette:
        shown = cli("--human", "account")
    assert cassette.all_played
    assert shown.exit_code == 0, shown.stderr
    assert "wallet" in shown.stdout.lower() and "usd" in shown.stdout.lower()


def test_a_failed_batch_item_shows_its_reason(replay: tuple[Cli, Any]) -> None:
    cli, use = replay
    facts = _facts("batch_failed_item")
    reason = facts["item_error"]["message"]
    batch_id = facts["batch_id"]
    with use("batch_failed_item") as cassette:
        # The recording polled the batch until it finished: read the same answers, the last one in --human.
        reads = sum(1 for request in cassette.requests if request.path == f"/v3/lipsyncs/batches/{batch_id}")
        for _ in range(reads - 1):
            cli.json("batch", "get", batch_id)
        human = cli("--human", "batch", "get", batch_id, env={"COLUMNS": "200"})  # the reason on one line
        statuses = cli.json("status", "--batch", batch_id)
    assert human.exit_code == 0, human.stderr
    assert reason in human.stdout
    failed = [entry for entry in statuses if entry["status"] == "failed"]
    assert [entry["error"]["message"] for entry in failed] == [reason]
