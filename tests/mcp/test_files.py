"""The file sandbox: tools read and write only inside the allowed directories."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
