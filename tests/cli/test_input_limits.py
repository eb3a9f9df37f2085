"""Bad or hostile input exits 2 naming the input: sizes, non-regular files, deep JSON, huge numbers, long ids."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from heygen_lipsync.cli._limits import MAX_INPUT_BYTES

from .conftest import Cli, error_json

JOB = {"video": "https://example.com/v.mp4", "audio": "asset_1"}


def test_the_cap_is_ten_megabytes() -> None:
    assert MAX_INPUT_BYTES == 10 * 1024 * 1024


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_as_manifest_fails_fast_naming_it(cli: Cli) -> None:
    result = cli("batch", "create", "/dev/zero")
    assert result.exit_code == 2
    assert error_json(result)["param"] == "manifest"
    assert "/dev/zero" in result.stderr.splitlines()[0] and "not a regular file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_manifest_is_refused_without_waiting_for_a_writer(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "jobs.json"
    os.mkfifo(fifo)
    done = threading.Event()

    def unblock_a_stuck_reader() -> None:
        # Only if the CLI blocked in open(): give it a valid manifest so the test fails instead of hanging.
        if not done.wait(30):
            with open(fifo, "w") as writer:
                writer.write(json.dumps([JOB]))

    threading.Thread(target=unblock_a_stuck_reader, daemon=True).start()
    try:
        result = cli("batch", "create", fifo)
    finally:
        done.set()
    assert result.exit_code == 2
    assert "jobs.json" in result.stderr.splitlines()[0] and "not a regular file" in result.stderr


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def test_a_manifest_over_the_cap_is_refused_by_size(cli: Cli, tmp_path: Path) -> None:
    result = cli("batch", "create", _sparse(tmp_path / "jobs.json", MAX_INPUT_BYTES + 1))
    assert result.exit_code == 2 and error_json(result)["param"] == "manifest"
    assert "jobs.json" in result.stderr and "10 MB" in result.stderr


def test_a_data_file_over_the_cap_is_refused_by_size(cli: Cli, tmp_path: Path) -> None:
    result = cli("create", "-d", _sparse(tmp_path / "body.json", MAX_INPUT_BYTES + 1))
    assert result.exit_code == 2 and error_json(result)["param"] == "data"
    assert "body.json" in result.stderr and "10 MB" in result.stderr


def test_stdin_over_the_cap_is_refused(cli: Cli) -> None:
    body = json.dumps({**JOB, "title": "x" * (MAX_INPUT_BYTES + 1)})
    result = cli("create", "-d", "-", input=body)
    assert result.exit_code == 2 and error_json(result)["param"] == "data"
    assert "stdin" in result.stderr and "10 MB" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_data_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "body.json")
    result = cli("create", "-d", tmp_path / "body.json")
    assert result.exit_code == 2 and error_json(result)["param"] == "data"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "nested"),
        (json.dumps(JOB)[:-1] + ', "start_time": 1' + "0" * 400 + "}", "too large"),
        (json.dumps(JOB)[:-1] + ', "start_time": 1e400}', "too large"),
        (json.dumps(JOB)[:-1] + ', "start_time": ' + "9" * 5000 + "}", "too large"),
    ],
    ids=["deep", "10**400", "1e400", "5000-digits"],
)
def test_hostile_json_bodies_exit_2_naming_the_input(cli: Cli, tmp_path: Path, content: str, words: str) -> None:
    (tmp_path / "body.json").write_text(content)
    for source, input_text, origin in ((tmp_path / "body.json", None, "body.json"), ("-", content, "stdin")):
        result = cli("create", "-d", source, input=input_text)
        assert result.exit_code == 2, result.stderr
        assert error_json(result)["code"] in {"usage_error", "validation_error"}
        line = result.stderr.splitlines()[0]
        assert words in line and origin in line, line


def test_hostile_json_in_a_manifest_exits_2_naming_it(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "jobs.json").write_text("[" * 50_000 + "]" * 50_000)
    result = cli("batch", "create", tmp_path / "jobs.json")
    assert result.exit_code == 2 and "jobs.json" in result.stderr and "nested" in result.stderr


def test_a_binary_data_file_exits_2_naming_it(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "body.bin").write_bytes(b"\xff\xfe\x00\x81binary")
    result = cli("create", "-d", tmp_path / "body.bin")
    assert result.exit_code == 2 and error_json(result)["param"] == "data"
    assert "body.bin" in result.stderr.splitlines()[0] and "UTF-8" in result.stderr


def test_a_binary_manifest_exits_2_naming_it(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "jobs.csv").write_bytes(b"video,audio\n\xff\xfe,\x81\n")
    result = cli("batch", "create", tmp_path / "jobs.csv")
    assert result.exit_code == 2 and "jobs.csv" in result.stderr.splitlines()[0] and "UTF-8" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["get", "ID"],
        ["wait", "ID"],
        ["update", "ID", "--title", "t"],
        ["delete", "ID", "--force"],
        ["download", "ID"],
        ["status", "ID"],
        ["status", "--batch", "ID"],
        ["batch", "get", "ID"],
    ],
)
def test_a_100000_character_id_exits_2_naming_it(cli: Cli, args: list[str]) -> None:
    result = cli(*("x" * 100_000 if arg == "ID" else arg for arg in args))
    assert result.exit_code == 2, result.stderr
    assert error_json(result)["code"] == "usage_error"
    assert "at most" in result.stderr.splitlines()[0] and "x" * 1000 not in result.stderr


def test_a_csv_cell_longer_than_the_csv_reader_takes_exits_2_naming_the_manifest(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "jobs.csv").write_text("video,audio,title\nv.mp4,asset_1," + "t" * 200_000 + "\n")
    result = cli("batch", "create", tmp_path / "jobs.csv")
    assert result.exit_code == 2 and error_json(result)["param"] == "manifest"
    assert "jobs.csv" in result.stderr.splitlines()[0]


@pytest.mark.parametrize("args", [["list", "--token", "T"], ["batch", "get", "b_1", "--token", "T"]])
def test_a_100000_character_page_token_exits_2_naming_it(cli: Cli, args: list[str]) -> None:
    result = cli(*("t" * 100_000 if arg == "T" else arg for arg in args))
    assert result.exit_code == 2, result.stderr
    assert error_json(result)["code"] == "usage_error"
    assert result.stderr.startswith("error: --token: ") and "t" * 1000 not in result.stderr
