"""`create --download` never loses a paid result: unwritable folders are refused before creating,
and a save that fails after the job finished still prints the job and how to fetch it."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Cli, error_json


def _writable(folder: Path) -> bool:
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot create files in (root ignores modes: then a read-only system folder)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if _writable(folder):
            folder = Path("/sys")  # mounted read-only (or root-owned and refusing new files) on Linux
            if not folder.is_dir() or _writable(folder):
                pytest.skip("no folder this process cannot write to")
        yield folder
    finally:
        (tmp_path / "readonly").chmod(0o755)


def _job_count(cli: Cli) -> int:
    return len(cli.json("list", "--all")["data"])


@pytest.mark.parametrize("as_file", [False, True])
def test_create_download_into_an_unwritable_folder_refuses_before_creating_a_job(
    cli: Cli, samples: tuple[Path, Path], unwritable_folder: Path, as_file: bool
) -> None:
    before = _job_count(cli)
    target = f"{unwritable_folder / 'dubbed.mp4'}" if as_file else f"{unwritable_folder}{os.sep}"
    result = cli("create", "--video", samples[0], "--audio", samples[1], "--download", target)
    assert result.exit_code == 2, result.stderr
    assert error_json(result)["param"] == "download"
    assert result.stderr.startswith(f"error: --download: cannot write in {unwritable_folder}")
    assert result.stdout == ""
    assert _job_count(cli) == before  # nothing was paid for


@pytest.mark.parametrize(
    "failure",
    [
        PermissionError(errno.EACCES, "Permission denied"),
        OSError(errno.ENOSPC, "No space left on device"),
        IsADirectoryError(errno.EISDIR, "Is a directory"),
    ],
)
def test_any_os_error_saving_a_finished_job_prints_the_job_and_the_exact_download_command(
    cli: Cli, samples: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, failure: OSError
) -> None:
    from heygen_lipsync.client import AsyncLipsyncClient

    async def failing_download(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(AsyncLipsyncClient, "download", failing_download)
    base_url = str(cli.env["HEYGEN_BASE_URL"])
    result = cli(
        "--base-url", base_url, "create", "--video", samples[0], "--audio", samples[1],
        "--download", "my dub.mp4", "--overwrite",
    )  # fmt: skip
    assert result.exit_code == 1
    job = json.loads(result.stdout)
    assert job["status"] == "completed"
    command = f"heygen-lipsync --base-url {base_url} download {job['id']} 'my dub.mp4' --overwrite"
    assert command in result.stderr
    error = error_json(result)
    assert error["code"] == "download_error" and error["exit_code"] == 1
    assert "my dub.mp4" in error["message"] and failure.strerror in error["message"]
