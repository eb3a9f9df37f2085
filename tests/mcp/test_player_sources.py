"""What the review player is handed beside a job: its source video, mode and inputs, from the ledger.

The page itself is tested in a real browser (tests/browser/test_player_browser.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.player import PLAYER_META_KEY
from heygen_lipsync.mcp.player.extension import loadable
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SandboxConfig
from tests.mcp.conftest import structured
from tests.mcp.test_player import APPS

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _ledger_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The tests' default is no ledger; a kept sandbox's ledger lives beside its data.
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(tmp_path / "ledger.sqlite3"))


def kept_sandbox(settings: ServerSettings, data_dir: Path) -> MCPServer[Any]:
    """A --sandbox server whose jobs and ledger are kept in ``data_dir`` (as the command keeps them)."""
    return build_server(settings, sandbox=SandboxConfig(pending_seconds=0.05, running_seconds=0.2, data_dir=data_dir))


async def _made_from_paths(client: Client, **extra: Any) -> str:
    created = structured(
        await client.call_tool("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", **extra})
    )
    lipsync_id = str(created["lipsync_id"])
    assert structured(await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}))["status"] == "completed"
    return lipsync_id


async def test_a_job_made_from_a_local_video_plays_beside_it_in_another_server_process(
    settings: ServerSettings, workdir: Path, tmp_path: Path
) -> None:
    async with Client(kept_sandbox(settings, tmp_path / "sb"), extensions=[APPS]) as client:
        lipsync_id = await _made_from_paths(client, mode="precision", start_time=0.5)
    # A client that starts a server per conversation: the facts come from the ledger, not memory.
    async with Client(kept_sandbox(settings, tmp_path / "sb"), extensions=[APPS]) as client:
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
    extras = (result.meta or {})[PLAYER_META_KEY]
    assert loadable(extras["source_video_url"])
    assert extras["source_video_path"] == str(workdir / "talk.mp4")
    assert extras["mode"] == "precision" and extras["start_time"] == 0.5
    assert extras["create_arguments"] == {
        "video_path": str(workdir / "talk.mp4"),
        "audio_path": str(workdir / "dub.wav"),
        "mode": "precision",
        "start_time": 0.5,
    }


async def test_a_job_with_no_mode_given_is_speed_heygens_default(settings: ServerSettings, tmp_path: Path) -> None:
    async with Client(kept_sandbox(settings, tmp_path / "sb"), extensions=[APPS]) as client:
        lipsync_id = await _made_from_paths(client)
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
    assert (result.meta or {})[PLAYER_META_KEY]["mode"] == "speed"


async def test_with_the_ledger_off_the_server_remembers_the_paths_it_was_given(
    sandbox_server: MCPServer[Any], workdir: Path
) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        lipsync_id = await _made_from_paths(client)
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
    extras = (result.meta or {})[PLAYER_META_KEY]
    assert extras["source_video_path"] == str(workdir / "talk.mp4")
    assert extras["create_arguments"]["audio_path"] == str(workdir / "dub.wav")


async def test_batch_items_are_named_by_their_files(settings: ServerSettings, workdir: Path, tmp_path: Path) -> None:
    shutil.copy(workdir / "dub.wav", workdir / "fr.wav")
    shutil.copy(workdir / "dub.wav", workdir / "de.wav")
    items = [{"video_path": "talk.mp4", "audio_path": name} for name in ("fr.wav", "de.wav")]
    async with Client(kept_sandbox(settings, tmp_path / "sb"), extensions=[APPS]) as client:
        created = structured(await client.call_tool("create_lipsync_batch", {"items": items}))
    async with Client(kept_sandbox(settings, tmp_path / "sb"), extensions=[APPS]) as client:
        waited = await client.call_tool("wait_for_lipsync_batch", {"batch_id": created["batch_id"]})
        listed = (waited.meta or {})[PLAYER_META_KEY]["list"]
        second = await client.call_tool("get_lipsync", {"lipsync_id": listed[1]["lipsync_id"]})
    assert [entry["title"] for entry in listed] == ["talk.mp4 + fr.wav", "talk.mp4 + de.wav"]
    extras = (second.meta or {})[PLAYER_META_KEY]  # an item chosen in the list knows its own inputs
    assert extras["create_arguments"]["audio_path"] == str(workdir / "de.wav")
    assert loadable(extras["source_video_url"])
