"""With no allowed directory configured, the client's roots are the allowed directories (never /).

The clients connect with the initialize handshake (``mode="legacy"``): roots are deprecated
in the protocol's 2026-07-28 revision, so the clients that offer them speak the one before.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import load_server_settings
from heygen_lipsync.sandbox import SAMPLE_VIDEO
from tests.mcp.conftest import FAST, error_of, structured

pytestmark = pytest.mark.anyio


def _roots(*uris: str) -> Any:
    async def list_roots(_context: Any) -> types.ListRootsResult:
        return types.ListRootsResult(roots=[types.Root(uri=uri) for uri in uris])

    return list_roots


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A working directory (the default) and a project folder the client offers as its root."""
    cwd, project = tmp_path / "cwd", tmp_path / "project"
    cwd.mkdir()
    project.mkdir()
    shutil.copy(SAMPLE_VIDEO, project / "interview.mp4")
    monkeypatch.chdir(cwd)
    return cwd.resolve(), project.resolve()


async def test_the_clients_roots_replace_the_default_directory(dirs: tuple[Path, Path]):
    _, project = dirs
    server = build_server(load_server_settings(env={}), sandbox=FAST)
    async with Client(server, mode="legacy", list_roots_callback=_roots(project.as_uri())) as client:
        listed = structured(await client.call_tool("list_media", {}))
        assert [Path(f["path"]).name for f in listed["files"]] == ["interview.mp4"]
        uploaded = structured(await client.call_tool("upload_asset", {"path": "interview.mp4"}))
        assert uploaded["path"] == str(project / "interview.mp4")


async def test_configured_directories_win_over_roots(dirs: tuple[Path, Path]):
    cwd, project = dirs
    server = build_server(load_server_settings(env={"HEYGEN_LIPSYNC_ALLOWED_DIRS": str(cwd)}), sandbox=FAST)
    async with Client(server, mode="legacy", list_roots_callback=_roots(project.as_uri())) as client:
        error = error_of(await client.call_tool("upload_asset", {"path": str(project / "interview.mp4")}))
    assert "outside" in error["message"]


async def test_a_root_of_slash_is_never_used(dirs: tuple[Path, Path]):
    cwd, project = dirs
    server = build_server(load_server_settings(env={}), sandbox=FAST)
    async with Client(server, mode="legacy", list_roots_callback=_roots("file:///")) as client:
        error = error_of(await client.call_tool("upload_asset", {"path": str(project / "interview.mp4")}))
    assert str(cwd) in error["message"] or str(cwd) in error["next_action"]
