"""Every paid entry point passes the one spend authority once per create, with its estimate; files open once."""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync import LipsyncRequest
from heygen_lipsync.jobs.authority import SpendAuthority
from heygen_lipsync.jobs.campaign import DubRow, dub_many
from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.cli.conftest import Cli
from tests.jobs.conftest import client_of
from tests.mcp.conftest import CountingTransport, error_of, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Each call of SpendAuthority.authorize: what it was asked to spend."""
    seen: list[dict[str, Any]] = []
    real = SpendAuthority.authorize

    async def spy(self: SpendAuthority, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return await real(self, **kwargs)

    monkeypatch.setattr(SpendAuthority, "authorize", spy)
    yield seen


def _priced(passes: list[dict[str, Any]], jobs: int) -> None:
    assert sum(p["jobs"] for p in passes) == jobs, passes
    assert all(p["estimate_usd"] and p["estimate_usd"] > 0 for p in passes), passes


async def test_library_entry_points(box: EmbeddedSandbox, media: tuple[Path, Path], tmp_path: Path, passes: list):
    video, audio = media
    async with client_of(box, ledger=None) as client:
        await client.create(LipsyncRequest(video=video, audio=audio, title="create"))
        _priced(passes, 1)
        await client.submit(LipsyncRequest(video=video, audio=audio, title="submit"))
        _priced(passes, 2)
        await client.create_batch([LipsyncRequest(video=video, audio=audio, title=f"b{i}") for i in range(2)])
        _priced(passes, 4)
        await client.dub(video, audio, tmp_path / "dub.mp4", title="dub")
        _priced(passes, 5)
        rows = [DubRow(LipsyncRequest(video=video, audio=audio, title=f"row {i}")) for i in range(2)]
        async for _ in dub_many(client, rows, tmp_path / "run"):
            pass
        _priced(passes, 7)


async def test_a_shared_campaign_passes_the_authority_once_per_row(
    box: EmbeddedSandbox,
    media: tuple[Path, Path],
    tmp_path: Path,
    passes: list,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.jobs.test_shared_campaign import distinct_videos
    from tests.ledger.stores import postgres_schema

    _, audio = media
    rows = [DubRow(LipsyncRequest(video=v, audio=audio)) for v in distinct_videos(tmp_path / "in", 3)]
    with postgres_schema(postgres_url) as url:  # the shared store: the rows run as the engine's workflows
        monkeypatch.setenv("HEYGEN_LIPSYNC_DATABASE_URL", url)
        async with client_of(box) as client:
            for _ in range(2):  # the second run finds every row done: it pays nothing
                async for _ in dub_many(client, rows, tmp_path / "run"):
                    pass
    _priced(passes, 3)


def test_cli_entry_points(cli: Cli, media: tuple[Path, Path], tmp_path: Path, passes: list) -> None:
    video, audio = media
    assert cli("create", "--video", video, "--audio", audio, "--title", "cli").exit_code == 0
    _priced(passes, 1)
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"video,audio,title\n{video},{audio},a\n{video},{audio},b\n")
    assert cli("batch", "create", manifest).exit_code == 0
    _priced(passes, 3)
    result = cli("dub", video, "--audio", audio, "--out", tmp_path / "dubbed", "--yes")
    assert result.exit_code == 0, result.stderr
    _priced(passes, 4)


async def test_mcp_entry_points(paid_server: Make, passes: list) -> None:
    server, _ = paid_server()
    local = {"video_path": "talk.mp4", "audio_path": "dub.wav"}

    async def spend(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        token = error_of(await client.call_tool(tool, arguments))["details"]["approval_token"]
        return structured(await client.call_tool(tool, {**arguments, "confirm_spend": True, "approval_token": token}))

    async with Client(server) as client:
        await spend("create_lipsync", {**local, "title": "one"})
        _priced(passes, 1)
        await spend("create_lipsync_batch", {"items": [{**local, "title": "a"}, {**local, "title": "b"}]})
        _priced(passes, 3)
        run = await spend("dub_many", {"items": [{**local, "title": "row"}]})
        for _ in range(50):
            info = structured(await client.call_tool("get_dub_run", {"run_id": run["run_id"], "timeout_seconds": 5}))
            if not info["still_running"]:
                break
        _priced(passes, 4)


async def test_a_create_from_local_files_opens_each_once(
    box: EmbeddedSandbox, media: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import heygen_lipsync.media.opened as opened

    opens: collections.Counter[str] = collections.Counter()
    real = os.open

    def counting(path: Any, *args: Any, **kwargs: Any) -> int:
        opens[os.path.basename(os.fsdecode(path))] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(opened.os, "open", counting)
    video, audio = media
    async with client_of(box, ledger=None) as client:
        request = LipsyncRequest(video=str(video), audio=str(audio))
        await client.create(request)
    assert opens["talk.mp4"] == 1 and opens["dub.wav"] == 1, opens
