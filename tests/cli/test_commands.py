"""Every command against the sandbox: what a script sees on stdout, and the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heygen_lipsync.cli import lipsyncs

from .conftest import Cli, created_id, error_json


def test_create_wait_download_prints_the_finished_job_and_saves_the_video(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    result = cli("create", "--video", video, "--audio", audio, "--title", "Demo", "--download", "out.mp4")
    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)  # stdout holds only the JSON result
    assert job["status"] == "completed" and job["title"] == "Demo"
    assert Path("out.mp4").stat().st_size > 0
    # Progress of both uploads, the status line and the saved path went to stderr.
    # Each upload's lines name its field and file (issue 15: "upload bars inside create don't name their file").
    uploads = [line for line in result.stderr.splitlines() if line.startswith("uploading ") and "bytes" in line]
    assert uploads == [
        f"uploading video {video.name}: {video.stat().st_size} bytes",
        f"uploading audio {audio.name}: {audio.stat().st_size} bytes",
    ]
    assert "completed" in result.stderr and "saved out.mp4" in result.stderr


def test_create_without_wait_prints_the_id_and_get_finds_it(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples)
    assert cli.json("get", lipsync_id)["id"] == lipsync_id


def test_body_from_a_file_with_flags_overriding_it(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    video, audio = samples
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"video": str(video), "audio": str(audio), "title": "from body", "callback_id": "cb-1"}))
    lipsync_id = cli.json("create", "-d", body, "--title", "from flag")["lipsync_id"]
    job = cli.json("get", lipsync_id)
    assert (job["title"], job["callback_id"]) == ("from flag", "cb-1")


def test_body_from_stdin(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    body = json.dumps({"video": str(video), "audio": str(audio), "title": "piped"})
    lipsync_id = cli.json("create", "-d", "-", input=body)["lipsync_id"]
    assert cli.json("get", lipsync_id)["title"] == "piped"


def test_upload_then_create_from_asset_ids(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    result = cli("upload", video)
    assert result.exit_code == 0, result.stderr
    asset = json.loads(result.stdout)
    assert asset["mime_type"] == "video/mp4" and asset["size_bytes"] == video.stat().st_size
    assert "uploading" in result.stderr
    audio_id = cli.json("upload", audio)["asset_id"]
    lipsync_id = cli.json("create", "--video", asset["asset_id"], "--audio", audio_id)["lipsync_id"]
    assert cli.json("wait", lipsync_id)["status"] == "completed"


def test_list_pages_and_all(cli: Cli, samples: tuple[Path, Path]) -> None:
    ids = {created_id(cli, samples) for _ in range(3)}
    page = cli.json("list", "--limit", "2")
    assert len(page["data"]) == 2 and page["has_more"] is True
    following = cli.json("list", "--limit", "2", "--token", page["next_token"])
    assert not {job["id"] for job in page["data"]} & {job["id"] for job in following["data"]}
    everything = cli.json("list", "--all", "--limit", "2")
    assert ids <= {job["id"] for job in everything["data"]}
    assert everything["has_more"] is False


def test_update_title(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples)
    assert cli.json("update", lipsync_id, "--title", "Renamed")["title"] == "Renamed"


def test_delete_refuses_without_a_terminal_unless_forced(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples)
    refused = cli("delete", lipsync_id)
    assert refused.exit_code == 2
    assert "--force" in refused.stderr and refused.stdout == ""
    assert cli.json("get", lipsync_id)["id"] == lipsync_id  # still there
    assert cli.json("delete", lipsync_id, "--force") == {"id": lipsync_id}
    assert cli("get", lipsync_id).exit_code == 1


def test_delete_asks_on_a_terminal(cli: Cli, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lipsyncs, "stdin_is_terminal", lambda: True)
    lipsync_id = created_id(cli, samples)
    declined = cli("delete", lipsync_id, input="n\n")
    assert declined.exit_code == 1 and "not deleted" in declined.stderr
    assert cli.json("get", lipsync_id)["id"] == lipsync_id
    accepted = cli("delete", lipsync_id, input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    # CliRunner echoes the typed answer onto stdout; a terminal would not.
    assert json.loads(accepted.stdout[accepted.stdout.index("{") :]) == {"id": lipsync_id}
    assert "Delete lipsync" in accepted.stderr  # the prompt is on stderr


def test_download_video_and_captions(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    lipsync_id = created_id(cli, samples)  # every job has captions now: no flag needed
    cli.json("wait", lipsync_id)
    saved = cli.json("download", lipsync_id, tmp_path / "dl", "--captions")
    assert Path(saved["video_path"]).is_file() and Path(saved["caption_path"]).is_file()
    again = cli("download", lipsync_id, saved["video_path"])
    assert again.exit_code == 1 and "overwrite" in again.stderr
    assert cli("download", lipsync_id, saved["video_path"], "--overwrite").exit_code == 0


def test_status_of_many_ids(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples)
    entries = cli.json("status", lipsync_id, "ls_does_not_exist")
    by_id = {entry["video_id"]: entry["status"] for entry in entries}
    assert by_id["ls_does_not_exist"] == "not_found"
    assert by_id[lipsync_id] in {"queued", "processing", "completed"}


def test_batch_create_from_csv_and_get(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    video, audio = samples
    (tmp_path / "v.mp4").write_bytes(video.read_bytes())
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"video,audio,title\nv.mp4,{audio},one\nv.mp4,{audio},two\n")
    batch_id = cli.json("batch", "create", manifest, "--title", "Two")["batch_id"]
    batch = cli.json("batch", "get", batch_id)
    assert batch["total_items"] == 2 and batch["title"] == "Two"
    assert [item["item_index"] for item in batch["items"]] == [0, 1]


def test_human_output_is_a_summary_not_json(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples, "--title", "Readable [bold]as typed[/bold]")
    result = cli("--human", "get", lipsync_id)
    assert result.exit_code == 0
    assert not result.stdout.lstrip().startswith("{")
    assert "Readable [bold]as typed[/bold]" in result.stdout  # API values are shown, never read as markup
    table = cli("--human", "list")
    assert lipsync_id in table.stdout and "status" in table.stdout


def test_version() -> None:
    from typer.testing import CliRunner

    from heygen_lipsync import __version__
    from heygen_lipsync.cli import app

    assert CliRunner().invoke(app, ["--version"]).stdout.strip() == f"heygen-lipsync {__version__}"


def test_every_command_has_help_with_examples() -> None:
    from typer.testing import CliRunner

    from heygen_lipsync.cli import app

    for args in (["create"], ["get"], ["list"], ["update"], ["delete"], ["wait"], ["download"], ["upload"],
                 ["status"], ["batch", "create"], ["batch", "get"], ["sandbox", "serve"]):  # fmt: skip
        result = CliRunner().invoke(app, [*args, "--help"])
        assert result.exit_code == 0, args
        assert "Examples" in result.stdout and "heygen-lipsync" in result.stdout, args


def test_embedded_sandbox_keeps_jobs_between_commands(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    env = {"HEYGEN_API_KEY": None, "HEYGEN_BASE_URL": None}
    fast = {"HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "0.05", "HEYGEN_LIPSYNC_SANDBOX_RUNNING_SECONDS": "0.2"}
    created = cli("--sandbox", "create", "--video", video, "--audio", audio, env={**env, **fast})
    assert created.exit_code == 0, created.stderr
    lipsync_id = json.loads(created.stdout)["lipsync_id"]
    waited = cli("--sandbox", "wait", lipsync_id, env={**env, **fast})
    assert waited.exit_code == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "completed"


def test_sandbox_and_base_url_conflict(cli: Cli) -> None:
    result = cli("--sandbox", "--base-url", "http://127.0.0.1:1", "list")
    assert result.exit_code == 2
    assert error_json(result)["param"] == "--base-url"


def test_list_all_with_a_token_is_a_usage_error(cli: Cli) -> None:
    result = cli("list", "--all", "--token", "abc")
    assert result.exit_code == 2 and error_json(result)["param"] == "token"


def test_human_batch_and_status_tables(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    video, audio = samples
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps({"title": "Tabled", "lipsyncs": [{"video": str(video), "audio": str(audio)}]}))
    batch_id = cli.json("batch", "create", manifest)["batch_id"]
    batch = cli("--human", "batch", "get", batch_id)
    assert batch.exit_code == 0 and "Tabled" in batch.stdout and "item_index" in batch.stdout
    status = cli("--human", "status", "--batch", batch_id)
    assert status.exit_code == 0 and batch_id in status.stdout


def test_help_at_80_columns_shows_every_option_name_whole() -> None:
    from typer.testing import CliRunner

    from heygen_lipsync.cli import app

    for args in ([], ["create"], ["list"], ["delete"], ["download"], ["upload"], ["status"], ["batch", "create"],
                 ["batch", "get"], ["sandbox", "serve"]):  # fmt: skip
        result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80", "TERMINAL_WIDTH": "80"})
        assert result.exit_code == 0, args
        assert "…" not in result.stdout, (args, [line for line in result.stdout.splitlines() if "…" in line])
        assert max(len(line) for line in result.stdout.splitlines()) <= 80, args
    create_help = CliRunner().invoke(app, ["create", "--help"], env={"COLUMNS": "80"}).stdout
    for name in ("--keep-the-same-format", "--enable-speech-enhancement", "--no-enable-speech-enhancement"):
        assert name in create_help, name
    # Rendering the help leaves the flags as they were: a second rendering is the same.
    assert CliRunner().invoke(app, ["create", "--help"], env={"COLUMNS": "80"}).stdout == create_help
    assert CliRunner().invoke(app, ["create", "--no-enable-caption", "--request-schema"]).exit_code == 0


def test_human_list_hint_for_the_next_page_keeps_the_page_size(cli: Cli, samples: tuple[Path, Path]) -> None:
    for _ in range(2):
        created_id(cli, samples)
    result = cli("--human", "list", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    hint = result.stderr.strip().splitlines()[-1]
    assert hint.startswith("more: heygen-lipsync list --limit 1 --token ")
    follow = cli("list", *hint.removeprefix("more: heygen-lipsync list ").split())
    assert len(json.loads(follow.stdout)["data"]) == 1


def test_human_batch_get_says_how_to_see_more_items(cli: Cli) -> None:
    Path("jobs.json").write_text(
        json.dumps([{"video": "https://example.com/a.mp4", "audio": f"https://example.com/{n}.wav"} for n in range(3)])
    )
    batch_id = cli.json("batch", "create", "jobs.json")["batch_id"]
    result = cli("--human", "batch", "get", batch_id, "--limit", "2")
    assert result.exit_code == 0, result.stderr
    hint = result.stderr.strip().splitlines()[-1]
    assert hint.startswith(f"more items: heygen-lipsync batch get {batch_id} --limit 2 --token ")
    rest = cli.json("batch", "get", *hint.removeprefix("more items: heygen-lipsync batch get ").split())
    assert [item["item_index"] for item in rest["items"]] == [2]
