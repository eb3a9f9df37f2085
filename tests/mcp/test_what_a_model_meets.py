"""What a model meets through the tools: instructions, waits, batches, files, deletes, downloads and advice."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.errors import JobFailedError, RateLimitError
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.errors import ERROR_META_KEY, error_result
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.models import Lipsync
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SandboxConfig
from tests.mcp.conftest import check_output, error_of

pytestmark = pytest.mark.anyio


async def _create(client: Client, **extra: Any) -> str:
    args = {"video_path": "talk.mp4", "audio_path": "dub.wav", **extra}
    return str(
        (await check_output(client, "create_lipsync", await client.call_tool("create_lipsync", args)))["lipsync_id"]
    )


async def test_the_rules_a_model_needs_are_in_the_instructions_and_descriptions(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        instructions = client.instructions or ""
        tools = {t.name: t.description or "" for t in (await client.list_tools()).tools}
    assert "relative path starts at the first" in instructions.lower()
    assert "paid jobs per session" in instructions and "is cut" in instructions
    assert "relative ones start at the first allowed directory" in tools["create_lipsync"]
    assert "jobs per session" in tools["create_lipsync"]
    assert "is cut" in tools["wait_for_lipsync"]


async def test_a_cut_timeout_is_said_in_the_wait_result(settings: ServerSettings):
    server = build_server(
        dataclasses.replace(settings, max_wait_seconds=0.3), sandbox=SandboxConfig(pending_seconds=60)
    )
    async with Client(server) as client:
        lipsync_id = await _create(client)
        result = await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id, "timeout_seconds": 100000})
        data = await check_output(client, "wait_for_lipsync", result)
    assert data["still_running"] is True
    assert "timeout_seconds=100000 was cut" in data["timeout_note"]
    assert "cut" in data["next_step"]


async def test_wait_progress_says_the_status_and_completes_when_the_job_finishes(sandbox_server: MCPServer[Any]):
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, total, message))

    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client)
        result = await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id}, progress_callback=on_progress)
        assert (await check_output(client, "wait_for_lipsync", result))["status"] == "completed"
    value, total, message = seen[-1]
    assert value == total, "a finished job is reported as complete at the poll that saw it"
    assert message is not None and "is completed" in message


async def test_a_batch_can_be_waited_for_with_counts_and_labels(sandbox_server: MCPServer[Any]):
    messages: list[str] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        messages.append(message or "")

    items = [
        {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "French"},
        {"video_path": "talk.mp4", "audio_path": "dub.wav", "title": "German"},
    ]
    async with Client(sandbox_server) as client:
        created = await check_output(
            client, "create_lipsync_batch", await client.call_tool("create_lipsync_batch", {"items": items})
        )
        assert "wait_for_lipsync_batch" in created["next_step"]
        result = await client.call_tool(
            "wait_for_lipsync_batch", {"batch_id": created["batch_id"]}, progress_callback=on_progress
        )
        data = await check_output(client, "wait_for_lipsync_batch", result)
        got = await client.call_tool("get_lipsync_batch", {"batch_id": created["batch_id"]})
        batch = await check_output(client, "get_lipsync_batch", got)
    assert data["still_running"] is False and data["done"] == data["total"] == 2
    assert len(data["finished_ids"]) == 2
    assert [item["title"] for item in data["items"]] == ["French", "German"]
    assert data["items"][0]["source"] == "talk.mp4"
    assert any("2 of 2 done" in m for m in messages)
    assert [item["title"] for item in batch["items"]] == ["French", "German"]


async def test_a_batch_still_running_says_so(settings: ServerSettings):
    server = build_server(settings, sandbox=SandboxConfig(pending_seconds=60))
    async with Client(server) as client:
        items = [{"video_path": "talk.mp4", "audio_path": "dub.wav"}]
        created = await check_output(
            client, "create_lipsync_batch", await client.call_tool("create_lipsync_batch", {"items": items})
        )
        result = await client.call_tool(
            "wait_for_lipsync_batch", {"batch_id": created["batch_id"], "timeout_seconds": 0.2}
        )
        data = await check_output(client, "wait_for_lipsync_batch", result)
    assert data["still_running"] is True and data["done"] == 0 and data["finished_ids"] == []
    assert "0 of 1 done" in data["next_step"]


async def test_an_unknown_batch_is_not_found(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        error = error_of(await client.call_tool("wait_for_lipsync_batch", {"batch_id": "b_nope"}))
    assert error["param"] == "batch_id"


async def test_list_media_finds_the_files_and_a_misspelling_gets_a_suggestion(
    sandbox_server: MCPServer[Any], workdir: Path
):
    (workdir / "clips").mkdir()
    shutil.copy(SAMPLE_AUDIO, workdir / "clips" / "interview.wav")
    (workdir / "notes.txt").write_text("not media")
    async with Client(sandbox_server) as client:
        listed = await check_output(client, "list_media", await client.call_tool("list_media", {}))
        audio = await check_output(client, "list_media", await client.call_tool("list_media", {"kind": "audio"}))
        missing = error_of(await client.call_tool("upload_asset", {"path": "clips/intervew.wav"}))
    paths = {f["path"]: f for f in listed["files"]}
    assert set(paths) == {"talk.mp4", "dub.wav", str(Path("clips", "interview.wav"))}
    assert paths["talk.mp4"]["kind"] == "video" and paths["talk.mp4"]["size_bytes"] > 0
    assert paths["dub.wav"]["duration_seconds"] and paths["dub.wav"]["duration_seconds"] > 0
    assert {f["kind"] for f in audio["files"]} == {"audio"}
    assert "did you mean interview.wav?" in missing["message"]


async def test_a_file_uri_is_read_as_a_path(sandbox_server: MCPServer[Any], workdir: Path):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client, video_path=(workdir / "talk.mp4").as_uri())
    assert lipsync_id


async def test_a_second_delete_reports_the_job_gone(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client)
        first = await check_output(
            client, "delete_lipsync", await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id})
        )
        again = await check_output(
            client, "delete_lipsync", await client.call_tool("delete_lipsync", {"lipsync_id": lipsync_id})
        )
    assert first["already_gone"] is False
    assert again["already_gone"] is True and "gone" in again["next_step"]


@pytest.mark.parametrize("filename", ["dubbed.srt", "notes.txt"])
async def test_the_video_keeps_a_video_name_and_captions_never_replace_it(
    sandbox_server: MCPServer[Any], workdir: Path, filename: str
):
    async with Client(sandbox_server) as client:
        lipsync_id = await _create(client, enable_caption=True)
        await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        result = await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id, "filename": filename})
        saved = await check_output(client, "download_lipsync", result)
    video = Path(saved["video_path"])
    assert video.suffix == ".mp4" and video.stem == Path(filename).stem
    assert "saved as" in saved["filename_note"] and "saved as" in saved["next_step"]
    assert video.stat().st_size == saved["video_bytes"] > 200
    if saved.get("caption_path"):
        caption = Path(saved["caption_path"])
        assert caption == video.with_suffix(".srt")
        assert caption.stat().st_size == saved["caption_bytes"]
        assert saved["bytes_written"] == saved["video_bytes"] + saved["caption_bytes"]


async def test_an_uploaded_wav_is_offered_as_audio(sandbox_server: MCPServer[Any]):
    async with Client(sandbox_server) as client:
        data = await check_output(client, "upload_asset", await client.call_tool("upload_asset", {"path": "dub.wav"}))
    assert "audio_asset_id=" in data["next_step"] and "video_asset_id" not in data["next_step"]


async def test_an_unfinished_download_does_not_say_failed_is_not_completed(settings: ServerSettings):
    server = build_server(settings, sandbox=SandboxConfig(pending_seconds=60))
    async with Client(server) as client:
        lipsync_id = await _create(client)
        error = error_of(await client.call_tool("download_lipsync", {"lipsync_id": lipsync_id}))
    assert "has not finished yet" in error["message"]


def _next(result: Any) -> str:
    return str(result.meta[ERROR_META_KEY]["next_action"])


def test_advice_fits_the_tool_and_the_mode():
    limited = RateLimitError("slow down", status_code=429, retry_after=3)
    assert "idempotency_key" not in _next(error_result(limited, tool="get_lipsync"))
    assert "idempotency_key" in _next(error_result(limited, tool="create_lipsync"))
    failed = JobFailedError(Lipsync(id="ls_1", status="failed", failure_message="no face"))
    assert "costs credits again" in _next(error_result(failed, tool="wait_for_lipsync"))
    assert "nothing is spent" in _next(error_result(failed, tool="wait_for_lipsync", sandbox=True))


async def test_the_dub_video_prompt_validates_its_arguments(sandbox_server: MCPServer[Any]):
    from mcp.shared.exceptions import MCPError

    async with Client(sandbox_server) as client:
        with pytest.raises(MCPError) as missing:
            await client.get_prompt("dub_video", {"video": "talk.mp4"})
        with pytest.raises(MCPError) as bad_mode:
            await client.get_prompt("dub_video", {"video": "talk.mp4", "audio": "dub.wav", "mode": "fast"})
    assert missing.value.error.code == -32602
    assert bad_mode.value.error.code == -32602
