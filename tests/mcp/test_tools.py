"""Every tool, in-process against the sandbox: results match their outputSchema and say what comes next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SandboxConfig
from tests.mcp.conftest import check_output, error_of

pytestmark = pytest.mark.anyio


async def _create(client: Client, **extra: Any) -> str:
    result = await client.call_tool("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", **extra})
    data = await check_output(client, "create_lipsync", result)
    assert "wait_for_lipsync" in data["next_step"]
    return str(data["lipsync_id"])


async def test_create_wait_download_saves_the_video_in_the_output_dir(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client, title="Talk, dubbed")

        waited = await check_output(
            client, "wait_for_lipsync", await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        )
        assert waited["still_running"] is False
        assert waited["status"] == "completed"
        assert waited["lipsync"]["title"] == "Talk, dubbed"
        assert "download_lipsync" in waited["next_step"]

        result = await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id})
        saved = await check_output(client, "download_lipsync", result)
        video = Path(saved["video_path"])
        assert video == workdir / "out" / f"{lipsync_id}.mp4"
        # Every job has captions now (HeyGen always makes them); the tool saves them by default.
        assert video.stat().st_size + saved["caption_bytes"] == saved["bytes_written"] > 0
        links = [block for block in result.content if block.type == "resource_link"]
        assert [link.uri for link in links] == [video.as_uri(), Path(saved["caption_path"]).as_uri()]


async def test_download_never_overwrites_unless_asked(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client)
        await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        (workdir / "out").mkdir()
        existing = workdir / "out" / "mine.mp4"
        existing.write_bytes(b"keep me")

        refused = error_of(
            await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id, "filename": "mine.mp4"})
        )
        assert refused["code"] == "file_exists"
        assert "overwrite=true" in refused["next_action"]
        assert existing.read_bytes() == b"keep me"

        replaced = await client.call_tool(
            "download_lipsync", {"lipsync_id": lipsync_id, "filename": "mine.mp4", "overwrite": True}
        )
        await check_output(client, "download_lipsync", replaced)
        assert existing.read_bytes() != b"keep me"


async def test_download_with_captions_saves_the_srt_too(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client, enable_caption=True)
        await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        saved = await check_output(
            client, "download_lipsync", await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id})
        )
        assert saved["caption_path"] is not None
        assert Path(saved["caption_path"]).read_text().strip()


async def test_download_of_a_running_job_says_to_wait(settings: ServerSettings):
    slow = build_server(settings, sandbox=SandboxConfig(pending_seconds=30, running_seconds=30))
    async with Client(slow) as client:
        lipsync_id = await _create(client)
        error = error_of(await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id}))
        assert error["code"] == "not_completed"
        assert "wait_for_lipsync" in error["next_action"]
        # Even when the target file exists: the answer is to wait, not to ask about overwriting.
        (settings.output_dir / "taken.mp4").parent.mkdir(parents=True, exist_ok=True)
        (settings.output_dir / "taken.mp4").write_bytes(b"x")
        arguments = {"lipsync_id": lipsync_id, "filename": "taken.mp4"}
        assert error_of(await client.call_tool("download_lipsync", arguments))["code"] == "not_completed"


async def test_wait_returns_still_running_with_progress_when_time_runs_out(settings: ServerSettings):
    slow = build_server(settings, sandbox=SandboxConfig(pending_seconds=0.1, running_seconds=60))
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async with Client(slow) as client:
        lipsync_id = await _create(client)
        result = await client.call_tool(
            "wait_for_lipsync", {"lipsync_id": lipsync_id, "timeout_seconds": 0.5}, progress_callback=on_progress
        )
        data = await check_output(client, "wait_for_lipsync", result)

    assert data["still_running"] is True
    assert data["status"] in ("pending", "running")
    assert f"wait_for_lipsync again with lipsync_id={lipsync_id!r}" in data["next_step"]
    assert progress, "no progress notification arrived while waiting"
    values = [value for value, _, _ in progress]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert all(total == 0.5 for _, total, _ in progress)
    assert lipsync_id in (progress[-1][2] or "")


async def test_wait_is_bounded_by_the_configured_maximum(settings: ServerSettings):
    import dataclasses

    capped = build_server(
        dataclasses.replace(settings, max_wait_seconds=0.3),
        sandbox=SandboxConfig(pending_seconds=0.1, running_seconds=60),
    )
    async with Client(capped) as client:
        lipsync_id = await _create(client)
        data = await check_output(
            client,
            "wait_for_lipsync",
            await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id, "timeout_seconds": 3600}),
        )
    assert data["still_running"] is True
    assert data["waited_seconds"] < 5


async def test_get_list_update_delete(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        first = await _create(client, title="one")
        second = await _create(client, title="two")

        got = await check_output(client, "get_lipsync", await client.call_tool("get_lipsync", {"lipsync_id": first}))
        assert got["lipsync"]["id"] == first

        page = await check_output(client, "list_lipsyncs", await client.call_tool("list_lipsyncs", {"limit": 1}))
        assert len(page["items"]) == 1 and page["has_more"] is True
        assert "token=next_token" in page["next_step"]
        rest = await check_output(
            client, "list_lipsyncs", await client.call_tool("list_lipsyncs", {"limit": 1, "token": page["next_token"]})
        )
        assert {page["items"][0]["id"], rest["items"][0]["id"]} == {first, second}

        renamed = await check_output(
            client, "update_lipsync", await client.call_tool("update_lipsync", {"lipsync_id": first, "title": "uno"})
        )
        assert renamed["lipsync"]["title"] == "uno"

        deleted = await check_output(
            client, "delete_lipsync", await client.call_tool("delete_lipsync", {"lipsync_id": second})
        )
        assert deleted["deleted_id"] == second
        gone = error_of(await client.call_tool("get_lipsync", {"lipsync_id": second}))
        assert gone["code"] == "not_found"
        assert "list_lipsyncs" in gone["next_action"]


async def test_upload_then_create_from_asset_ids(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        video = await check_output(client, "upload_asset", await client.call_tool("upload_asset", {"path": "talk.mp4"}))
        audio = await check_output(
            client, "upload_asset", await client.call_tool("upload_asset", {"path": str(workdir / "dub.wav")})
        )
        assert video["mime_type"] == "video/mp4"
        assert video["path"] == str(workdir / "talk.mp4")
        assert "video_asset_id" in video["next_step"]
        lipsync_id = await _create_from(client, video_asset_id=video["asset_id"], audio_asset_id=audio["asset_id"])
        waited = await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        assert (await check_output(client, "wait_for_lipsync", waited))["status"] == "completed"


async def _create_from(client: Client, **sources: Any) -> str:
    data = await check_output(client, "create_lipsync", await client.call_tool("create_lipsync", sources))
    return str(data["lipsync_id"])


async def test_batch_create_and_progress(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        items = [
            {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "fr"},
            {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "de", "mode": "precision"},
        ]
        created = await check_output(
            client, "create_lipsync_batch", await client.call_tool("create_lipsync_batch", {"items": items})
        )
        assert created["items"] == 2
        assert created["jobs_left_in_session"] == 8
        batch = await check_output(
            client, "get_lipsync_batch", await client.call_tool("get_lipsync_batch", {"batch_id": created["batch_id"]})
        )
        assert batch["total_items"] == 2
        assert [item["item_index"] for item in batch["items"]] == [0, 1]
        assert batch["next_step"]


async def test_the_dub_video_prompt_walks_through_the_workflow(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert {a.name for a in prompts["dub_video"].arguments or []} == {"video", "audio", "mode"}
        got = await client.get_prompt("dub_video", {"video": "talk.mp4", "audio": "https://x.test/fr.mp3"})
        text = got.messages[0].content.text  # type: ignore[union-attr]
        steps = ["create_lipsync", "confirm_spend", "wait_for_lipsync", "still_running", "download_lipsync"]
        assert all(step in text for step in steps)
        assert [text.index(s) for s in steps] == sorted(text.index(s) for s in steps)


async def test_a_failed_job_is_a_tool_error_with_heygens_reason(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create_from(client, video_url="http://127.0.0.1:9/gone.mp4", audio_path="dub.wav")
        error = error_of(await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}))
        assert error["code"] == "job_failed"
        assert "gone.mp4" in error["message"]
        assert "create_lipsync" in error["next_action"]
        download = error_of(await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id}))
        assert download["code"] == "not_completed" and "failed" in download["message"]


async def test_uploads_report_progress_up_to_the_file_size(sandbox_server: MCPServer[Any], workdir: Path):
    seen: list[tuple[float, float | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, total))

    size = (workdir / "talk.mp4").stat().st_size + (workdir / "dub.wav").stat().st_size
    async with Client(sandbox_server) as client:
        result = await client.call_tool(
            "create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav"}, progress_callback=on_progress
        )
        await check_output(client, "create_lipsync", result)
    assert seen and seen[-1] == (size, size)
    assert [value for value, _ in seen] == sorted(value for value, _ in seen)


async def test_a_download_name_without_extension_gets_mp4(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client)
        await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        result = await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id, "filename": "dubbed_fr"})
        saved = await check_output(client, "download_lipsync", result)
    assert Path(saved["video_path"]) == workdir / "out" / "dubbed_fr.mp4"
