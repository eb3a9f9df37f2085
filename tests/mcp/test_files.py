"""The file sandbox: tools read and write only inside the allowed directories."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import FileSandbox
from tests.mcp.conftest import error_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "secret.wav"
    secret.parent.mkdir()
    secret.write_bytes((Path(__file__).parent / "__init__.py").read_bytes())
    return secret


async def _refusal(server: MCPServer[Any], tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    async with Client(server) as client:
        return error_of(await client.call_tool(tool, arguments))


async def test_a_symlink_out_of_the_allowed_dir_is_refused(
    sandbox_server: MCPServer[Any], workdir: Path, outside: Path
):
    (workdir / "link.wav").symlink_to(outside)
    error = await _refusal(sandbox_server, "upload_asset", {"path": "link.wav"})
    assert error["code"] == "path_not_allowed" and error["param"] == "path"
    assert "symbolic link" in error["message"] and str(workdir) in error["message"]


async def test_dot_dot_escapes_are_refused(sandbox_server: MCPServer[Any], outside: Path):
    error = await _refusal(
        sandbox_server, "create_lipsync", {"video_path": "talk.mp4", "audio_path": "../elsewhere/secret.wav"}
    )
    assert error["code"] == "path_not_allowed" and error["param"] == "audio_path"
    assert "'..'" in error["message"]


async def test_absolute_paths_outside_are_refused(sandbox_server: MCPServer[Any], outside: Path):
    error = await _refusal(sandbox_server, "upload_asset", {"path": str(outside)})
    assert error["code"] == "path_not_allowed"
    assert "outside" in error["message"]


async def test_directories_and_devices_are_refused(sandbox_server: MCPServer[Any], workdir: Path):
    (workdir / "clips").mkdir()
    assert "directory" in (await _refusal(sandbox_server, "upload_asset", {"path": "clips"}))["message"]
    fifo = workdir / "pipe.wav"
    os.mkfifo(fifo)
    assert "special file" in (await _refusal(sandbox_server, "upload_asset", {"path": "pipe.wav"}))["message"]


async def test_a_missing_file_says_where_relative_paths_start(sandbox_server: MCPServer[Any], workdir: Path):
    error = await _refusal(sandbox_server, "upload_asset", {"path": "nope.wav"})
    assert error["code"] == "file_not_found"
    assert str(workdir) in error["next_action"]


@pytest.mark.parametrize("filename", ["../escape.mp4", "/tmp/escape.mp4", "sub/../../escape.mp4"])
async def test_downloads_stay_in_the_output_dir(sandbox_server: MCPServer[Any], filename: str):
    error = await _refusal(sandbox_server, "download_lipsync", {"lipsync_id": "ls_x", "filename": filename})
    assert error["code"] == "path_not_allowed" and error["param"] == "filename"


def test_output_paths_may_use_subdirectories_of_the_output_dir(tmp_path: Path):
    files = FileSandbox([tmp_path], tmp_path / "out")
    assert (
        files.output_file("fr/talk.mp4", default_name="x.mp4", overwrite=False, param="filename")
        == (tmp_path / "out" / "fr" / "talk.mp4").resolve()
    )
    assert files.output_file(None, default_name="ls_1.mp4", overwrite=False, param="filename").name == "ls_1.mp4"


def test_a_symlinked_output_file_pointing_outside_is_refused(tmp_path: Path, outside: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "talk.mp4").symlink_to(outside)
    with pytest.raises(ToolFailure) as caught:
        FileSandbox([tmp_path / "out"], out).output_file("talk.mp4", default_name="", overwrite=True, param="filename")
    assert caught.value.code == "path_not_allowed"


LONG_NAME = "a" * 300 + ".mp4"


@pytest.mark.parametrize(
    ("tool", "param", "arguments"),
    [
        ("upload_asset", "path", {}),
        ("create_lipsync", "video_path", {"audio_path": "dub.wav"}),
        ("create_lipsync", "audio_path", {"video_path": "talk.mp4"}),
        ("download_lipsync", "filename", {"lipsync_id": "ls_x"}),
    ],
)
@pytest.mark.parametrize(("name", "problem"), [(LONG_NAME, "too long"), ("talk.mp4/x.mp4", "not a directory")])
async def test_impossible_file_names_are_argument_errors(
    sandbox_server: MCPServer[Any],
    workdir: Path,
    tool: str,
    param: str,
    arguments: dict[str, Any],
    name: str,
    problem: str,
):
    (workdir / "out").mkdir()
    (workdir / "out" / "talk.mp4").write_bytes(b"an earlier download")  # for the download case
    error = await _refusal(sandbox_server, tool, {**arguments, param: name})
    assert error["code"] in ("invalid_argument", "file_not_found"), error
    assert error["param"] == param
    assert problem in error["message"]


class _HangingPath:
    """Makes every stat and open of one path hang, as on a stalled network mount, until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
        self.target = str(path)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.blocked_too_long = False
        for name in ("stat", "lstat", "open"):
            monkeypatch.setattr(os, name, self._hanging(getattr(os, name)))

    def _hanging(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, str | os.PathLike) and os.fspath(path) == self.target:
                self.entered.set()
                # Bounded: a server that blocks its event loop here must fail this test, not hang it.
                if not self.release.wait(3):
                    self.blocked_too_long = True
            return real(path, *args, **kwargs)

        return call


async def test_a_file_that_hangs_delays_only_its_own_call(
    sandbox_server: MCPServer[Any], workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copy(workdir / "dub.wav", workdir / "slow.wav")
    async with Client(sandbox_server) as client:
        assert not (await client.call_tool("list_lipsyncs", {})).is_error  # the client is connected
        hanging = _HangingPath(monkeypatch, workdir / "slow.wav")
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.call_tool, "upload_asset", {"path": "slow.wav"})
            assert await anyio.to_thread.run_sync(hanging.entered.wait, 5)
            try:
                with anyio.fail_after(1):
                    listed = await client.call_tool("list_lipsyncs", {})
            finally:
                hanging.release.set()
    assert not listed.is_error
    assert not hanging.blocked_too_long, "one hung file stopped every other tool call"


def test_a_fifo_passed_off_as_a_regular_file_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    fifo = tmp_path / "swapped.wav"
    os.mkfifo(fifo)
    regular = os.stat(__file__)
    real_stat = os.stat

    def stat_before_the_swap(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        # What a check saw before the path was swapped for a FIFO.
        return (
            regular
            if isinstance(path, str | os.PathLike) and os.fspath(path) == str(fifo)
            else real_stat(path, *args, **kwargs)
        )

    monkeypatch.setattr(os, "stat", stat_before_the_swap)
    monkeypatch.setattr(os, "lstat", stat_before_the_swap)
    files = FileSandbox([tmp_path], tmp_path)
    rescued = threading.Event()
    unblock = threading.Timer(3, _open_writer, (fifo, rescued))  # a reader stuck in open() would hang the test
    unblock.start()
    try:
        with pytest.raises(ToolFailure) as caught:
            files.input_file("swapped.wav", param="path")
    finally:
        unblock.cancel()
    assert caught.value.code == "path_not_allowed" and "special file" in caught.value.message
    assert not rescued.is_set(), "the check blocked in open() until a writer came"


def _open_writer(fifo: Path, rescued: threading.Event) -> None:
    rescued.set()
    with suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
