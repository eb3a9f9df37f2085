"""Exit codes and error reports: one actionable line, JSON when not a terminal, never a key or a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

from .conftest import Cli, created_id, error_json


def test_local_validation_error_is_exit_2_naming_the_field(cli: Cli, samples: tuple[Path, Path]) -> None:
    video, audio = samples
    result = cli("create", "--video", video, "--audio", audio, "--mode", "turbo")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: mode")
    assert error_json(result)["param"] == "mode" and result.stdout == ""


def test_missing_file_is_exit_2(cli: Cli, samples: tuple[Path, Path]) -> None:
    result = cli("create", "--video", "missing/clip.mp4", "--audio", str(samples[1]))
    assert result.exit_code == 2
    assert error_json(result) | {"message": ""} == {
        "code": "validation_error",
        "message": "",
        "param": "video",
        "exit_code": 2,
    }


def test_unknown_body_field_is_exit_2(cli: Cli) -> None:
    result = cli("create", "-d", '{"video": "a", "audio": "b", "colour": "red"}')
    assert result.exit_code == 2 and "colour" in result.stderr


def test_body_that_is_not_json_is_exit_2(cli: Cli) -> None:
    result = cli("create", "-d", "{nope")
    assert result.exit_code == 2 and error_json(result)["param"] == "data"


def test_bad_flag_is_a_usage_error(cli: Cli) -> None:
    assert cli("list", "--limit", "500").exit_code == 2


def test_not_found_is_exit_1_with_code_and_request_id(cli: Cli) -> None:
    result = cli("get", "ls_missing")
    assert result.exit_code == 1
    error = error_json(result)
    assert error["code"] == "not_found" and error["status_code"] == 404 and error["request_id"]
    assert len(result.stderr.splitlines()) == 2 and "Traceback" not in result.stderr


def test_wrong_key_is_exit_3_and_the_key_is_never_printed(cli: Cli) -> None:
    secret = "sk-live-do-not-print-me-42"
    for extra in ([], ["--debug"]):
        result = cli(*extra, "list", env={"HEYGEN_API_KEY": secret})
        assert result.exit_code == 3
        assert error_json(result)["code"] == "unauthorized"
        assert secret not in result.stderr + result.stdout


def test_no_key_is_exit_3_before_any_request(cli: Cli) -> None:
    env = {"HEYGEN_API_KEY": None, "HEYGEN_BEARER_TOKEN": None, "HEYGEN_BASE_URL": "https://unreachable.invalid"}
    result = cli("list", env=env)
    assert result.exit_code == 3
    assert "HEYGEN_API_KEY" in result.stderr.splitlines()[0]


def test_network_error_is_exit_1(cli: Cli) -> None:
    env = {"HEYGEN_BASE_URL": "http://127.0.0.1:9", "HEYGEN_LIPSYNC_MAX_RETRIES": "0"}
    result = cli("list", env=env)
    assert result.exit_code == 1
    assert error_json(result)["code"] in {"connection_error", "timeout"}


def test_json_errors_flag_and_human_line(cli: Cli) -> None:
    result = cli("--json-errors", "get", "ls_missing")
    first, second = result.stderr.splitlines()
    assert first.startswith("error: 404 not_found")
    assert json.loads(second)["error"]["exit_code"] == 1


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=600)) as sb:
        yield sb


def test_wait_timeout_is_exit_4_and_says_how_to_resume(
    cli: Cli, samples: tuple[Path, Path], slow_sandbox: EmbeddedSandbox
) -> None:
    slow = Cli(env={**cli.env, "HEYGEN_BASE_URL": slow_sandbox.base_url})
    lipsync_id = created_id(slow, samples)
    result = slow("wait", lipsync_id, "--timeout", "1s")
    assert result.exit_code == 4
    first = next(line for line in result.stderr.splitlines() if line.startswith("error: "))  # what a person reads
    assert "still running, not failed" in first and first.endswith(f"resume with: heygen-lipsync wait {lipsync_id}")
    error = error_json(result)
    assert error["code"] == "wait_timeout" and error["resume"] == f"heygen-lipsync wait {lipsync_id}"
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["batch", "create", "jobs\x00.csv"],
        ["batch", "create", "no-such-manifest.json"],
        ["upload", "clip\x00.mp4"],
        ["download", "ls_1", "out\x00.mp4"],
        ["create", "--video", "a", "--audio", "b", "--download", "out\x00.mp4"],
    ],
)
def test_unusable_paths_are_usage_errors(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("error: ") and error_json(result)["code"] == "usage_error"


def test_debug_prints_the_traceback_of_any_error_as_its_help_says(cli: Cli) -> None:
    assert "any error" in " ".join(cli("--help", env={"COLUMNS": "200"}).stdout.split())
    for args in (["get", "ls_missing"], ["create", "-d", "{nope"]):  # an API error, a usage error
        plain, debug = cli(*args), cli("--debug", *args)
        assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
        # The actionable line and the JSON error still end the output, with the same exit code.
        assert debug.stderr.splitlines()[-2].startswith("error: ") and debug.exit_code == plain.exit_code


def test_create_download_to_an_existing_file_refuses_before_creating_a_job(
    cli: Cli, samples: tuple[Path, Path]
) -> None:
    Path("dubbed.mp4").write_bytes(b"an earlier result")
    before = len(cli.json("list", "--all")["data"])
    result = cli("create", "--video", samples[0], "--audio", samples[1], "--download", "dubbed.mp4")
    assert result.exit_code == 2 and error_json(result)["param"] == "download"
    assert result.stderr.startswith("error: --download: dubbed.mp4 already exists; pass --overwrite")
    assert len(cli.json("list", "--all")["data"]) == before  # no job was created (nor paid for)
    assert Path("dubbed.mp4").read_bytes() == b"an earlier result"


def test_a_bad_csv_cell_names_its_line_and_column(cli: Cli) -> None:
    Path("jobs.csv").write_text("video,audio,enable_caption\nv.mp4,a.wav,maybe\n")
    result = cli("batch", "create", "jobs.csv")
    assert result.exit_code == 2 and error_json(result)["param"] == "manifest"
    assert (
        result.stderr.splitlines()[0] == "error: jobs.csv line 2, column enable_caption: 'maybe' is not true or false"
    )


def test_inline_json_that_does_not_parse_says_so_once(cli: Cli) -> None:
    line = cli("create", "-d", "{nope").stderr.splitlines()[0]
    assert line.startswith("error: --data: the inline JSON is not valid JSON (") and line.count("--data") == 1


def test_a_rejected_field_is_named_with_the_flag_that_sets_it(cli: Cli) -> None:
    body = '{"video": "a", "audio": "b"}'
    cases = [
        (["create", "--title", "x"], "error: video (--video): is required"),
        (["create", "-d", body, "--start-time", "5", "--end-time", "1"], "error: end_time (--end-time): "),
        (["update", "ls_1", "--title", ""], "error: title (--title): "),
        (["create", "-d", body, "--idempotency-key", "a b"], "error: idempotency_key (--idempotency-key): "),
    ]
    for args, start in cases:
        result = cli(*args)
        assert result.exit_code == 2 and result.stderr.startswith(start), (args, result.stderr)
        assert error_json(result)["param"] == start.split()[1]  # the JSON keeps the API's field name


def test_create_download_into_a_missing_folder_refuses_before_creating_a_job(
    cli: Cli, samples: tuple[Path, Path]
) -> None:
    before = len(cli.json("list", "--all")["data"])
    result = cli("create", "--video", samples[0], "--audio", samples[1], "--download", "nowhere/dubbed.mp4")
    assert result.exit_code == 2 and error_json(result)["param"] == "download"
    assert result.stderr.startswith("error: --download: nowhere is not an existing folder")
    assert len(cli.json("list", "--all")["data"]) == before


def test_create_whose_download_fails_still_prints_the_job_and_how_to_fetch_it(
    cli: Cli, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.errors import DownloadError

    async def broken_download(*args: object, **kwargs: object) -> None:
        raise DownloadError("No space left on device")

    monkeypatch.setattr(AsyncLipsyncClient, "download", broken_download)
    result = cli("create", "--video", samples[0], "--audio", samples[1], "--download", "dubbed.mp4")
    assert result.exit_code == 1
    job = json.loads(result.stdout)
    assert job["status"] == "completed"
    assert f"retry with: heygen-lipsync download {job['id']} dubbed.mp4" in result.stderr


def test_a_destination_with_a_trailing_slash_must_be_an_existing_folder(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = json.loads(cli("wait", created_id(cli, samples)).stdout)["id"]
    result = cli("download", lipsync_id, "outdir/")
    assert result.exit_code == 2 and result.stderr.startswith("error: PATH: outdir/ is not an existing folder")
    assert not Path("outdir").exists()  # not saved as a file named "outdir"
    Path("outdir").mkdir()
    saved = cli.json("download", lipsync_id, "outdir/")
    assert Path(saved["video_path"]).resolve() == (Path("outdir") / f"{lipsync_id}.mp4").resolve()
    created = cli("create", "--video", samples[0], "--audio", samples[1], "--download", "elsewhere/")
    assert created.exit_code == 2 and error_json(created)["param"] == "download"


def test_a_rejected_field_in_a_batch_manifest_says_which_job(cli: Cli) -> None:
    Path("jobs.json").write_text(
        json.dumps([{"video": "https://example.com/a.mp4", "audio": "asset_1"}, {"video": "https://example.com/b.mp4"}])
    )
    result = cli("batch", "create", "jobs.json")
    assert result.exit_code == 2 and error_json(result)["param"] == "lipsyncs[1].audio"
    assert result.stderr.splitlines()[0] == "error: lipsyncs[1].audio: is required (job 2 in jobs.json)"


def test_a_create_with_an_unknown_outcome_says_which_idempotency_key_to_retry_with(tmp_path: Path) -> None:
    faults = {"error_rate": 1.0, "paths": ("/v3/lipsyncs",)}
    with EmbeddedSandbox(SandboxConfig()) as sb:
        sb.set_faults(**faults)
        cli = Cli(
            env={
                "HEYGEN_BASE_URL": sb.base_url,
                "HEYGEN_API_KEY": sb.api_key,
                "HEYGEN_BEARER_TOKEN": None,
                "HEYGEN_LIPSYNC_MAX_RETRIES": "0",
            }
        )
        result = cli("create", "--video", "https://example.com/v.mp4", "--audio", "https://example.com/a.mp3")
    assert result.exit_code == 1
    key = error_json(result)["idempotency_key"]
    assert key and "--idempotency-key" in result.stderr and key in result.stderr.splitlines()[0]
