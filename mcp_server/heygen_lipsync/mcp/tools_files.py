"""The file tools: ``upload_asset`` (a local file as an asset) and ``download_lipsync`` (a finished video saved).

Both read and write only inside the directories the server was given (``files.FileSandbox``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ContentBlock, ResourceLink
from pydantic import Field

from heygen_lipsync.errors import APIError, ValidationError
from heygen_lipsync.mcp.cost import MediaInfo
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import FileSandbox, off_loop
from heygen_lipsync.mcp.inputs import (
    IdempotencyKey,
    LipsyncId,
)
from heygen_lipsync.mcp.progress import with_upload_progress
from heygen_lipsync.mcp.results import (
    DownloadInfo,
    UploadInfo,
)
from heygen_lipsync.mcp.state import AppState, guarded, ok, state_of

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.models import DownloadResult, Lipsync

__all__ = ["download_lipsync", "next_for_status", "upload_asset"]


async def _delete_uploads_if_asked(state: AppState, client: AsyncLipsyncClient, lipsync_id: str) -> str:
    """Apply create_lipsync's delete_uploads wish for a finished job; the sentence that says so, or ""."""
    if lipsync_id not in state.delete_uploads_when_finished:
        return ""
    try:
        deleted = await client.delete_uploads(lipsync_id)
    except APIError as exc:  # kept: the next wait/download call tries again
        return f" Its uploads could not be deleted yet ({exc}); the next call tries again."
    state.delete_uploads_when_finished.discard(lipsync_id)
    return f" Deleted its uploads from HeyGen: {', '.join(deleted)}." if deleted else " It had no uploads to delete."


@guarded
async def upload_asset(
    ctx: Context,
    path: Annotated[str, Field(min_length=1, description="Local media file inside the allowed directories.")],
    idempotency_key: IdempotencyKey = None,
) -> Annotated[CallToolResult, UploadInfo]:
    state = state_of(ctx)
    client = await state.require_client()
    local = await off_loop(state.files.input_file, path, param="path")  # opened: the upload reads it
    try:
        asset = await with_upload_progress(
            ctx,
            local.size,
            state.settings.poll_interval,
            lambda relay: client.upload(local, idempotency_key=idempotency_key, on_progress=relay),
        )
        audio_type = await off_loop(_local_audio_type, local)  # while the opened file is still open
    except ValidationError as exc:
        arg = "idempotency_key" if exc.field == "idempotency_key" else "path"
        raise ToolFailure("invalid_argument", exc.reason, param=arg, next_action=f"Fix {arg} and call again.") from None
    finally:
        local.close()
    argument = "audio_asset_id" if audio_type else "video_asset_id"  # a WAV is never a video
    step = f"Pass {argument}={asset.asset_id!r} to create_lipsync."
    mime = audio_type if audio_type and not (asset.mime_type or "").startswith("audio/") else asset.mime_type
    # What the file holds (PyAV reads it now, off the event loop); a create from the asset is priced from it.
    probe = await off_loop(client.remembered_probe, asset.asset_id)
    media = MediaInfo.of(probe) if probe is not None else None
    return ok(UploadInfo.of(asset, path=str(local), mime_type=mime, media=media, next_step=step))


_AUDIO_SUFFIXES = frozenset({".m4a", ".mp3", ".wav", ".aac", ".ogg", ".flac", ".opus"})


def _local_audio_type(local: Path) -> str | None:
    """The file's audio media type when it is audio (by content, then name); None for a video.

    The local file decides, not the upload's reported type: an .m4a is an MP4 container that
    HeyGen may report as video/mp4, but it holds only sound. Blocking: run it off the loop.
    """
    from heygen_lipsync.sources import sniff_media_type

    sniffed = sniff_media_type(local) or ""
    if sniffed.startswith("audio/"):
        return sniffed
    if local.suffix.lower() in _AUDIO_SUFFIXES:
        return "audio/mp4" if local.suffix.lower() == ".m4a" else sniffed or f"audio/{local.suffix.lower()[1:]}"
    return None


_VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv"})


def _with_extension(filename: str | None) -> tuple[str | None, str | None]:
    """The filename the video is saved under, and a note when it was changed.

    The video always keeps a video extension: "dubbed_fr" gets .mp4 (a file no player would
    recognise otherwise), and "notes.txt" or "talk.srt" become .mp4 too, so the MP4 is never
    saved as text and the captions' own file (<stem>.srt beside it) can never be the video.
    """
    named = (filename or "").strip()
    if not named or named.endswith(("/", "\\", ".")):
        return filename, None
    suffix = Path(named).suffix
    if not suffix:
        return named + ".mp4", None
    if suffix.lower() in _VIDEO_SUFFIXES:
        return filename, None
    fixed = named[: -len(suffix)] + ".mp4"
    return fixed, f"filename {named!r} is not a video name, so the video was saved as {Path(fixed).name!r}"


def _destination(files: FileSandbox, filename: str | None, default: str, *, overwrite: bool, captions: bool) -> Path:
    dest = files.output_file(filename, default_name=default, overwrite=overwrite, param="filename")
    if captions:
        files.output_file(str(dest.with_suffix(".srt")), default_name="", overwrite=overwrite, param="filename")
    return files.open_output(dest, param="filename")  # written through its folder's descriptor


def _sizes(result: DownloadResult) -> tuple[int, int]:
    video = Path(result.video_path).stat().st_size
    caption = Path(result.caption_path).stat().st_size if result.caption_path else 0
    return video, caption


def _saved(
    lipsync_id: str, result: DownloadResult, sizes: tuple[int, int], note: str | None, deleted: str = ""
) -> CallToolResult:
    video = Path(result.video_path)
    caption = Path(result.caption_path) if result.caption_path else None
    links: list[ContentBlock] = [
        ResourceLink(type="resource_link", uri=video.as_uri(), name=video.name, mime_type="video/mp4")
    ]
    if caption is not None:
        links.append(
            ResourceLink(
                type="resource_link", uri=caption.as_uri(), name=caption.name, mime_type="application/x-subrip"
            )
        )
    info = DownloadInfo(
        lipsync_id=lipsync_id,
        video_path=str(video),
        caption_path=str(caption) if caption else None,
        bytes_written=result.bytes_written,
        video_bytes=sizes[0],
        caption_bytes=sizes[1] if caption else None,
        filename_note=note,
        next_step=(note + ". " if note else "")
        + f"Saved. Tell the user where: {video}"
        + (f" (captions: {caption})." if caption else ".")
        + deleted,
    )
    return ok(info, *links)


@guarded
async def download_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    filename: Annotated[
        str | None,
        Field(
            description="File name in the output directory (default <lipsync_id>.mp4; always a video extension); "
            "captions go beside it as .srt."
        ),
    ] = None,
    overwrite: Annotated[bool, Field(description="Replace an existing file (only if the user agrees).")] = False,
    captions: Annotated[bool, Field(description="Also save the job's SRT captions.")] = True,
) -> Annotated[CallToolResult, DownloadInfo]:
    state = state_of(ctx)
    client = await state.require_client()
    (filename, renamed), default = _with_extension(filename), f"{lipsync_id}.mp4"
    # Where it would go first (overwrite=True: only the location is checked), then the job: for an
    # unfinished job "wait" is the answer, not "that file exists, overwrite?".
    await off_loop(state.files.output_file, filename, default_name=default, overwrite=True, param="filename")
    lipsync = await client.get(lipsync_id)
    if not lipsync.is_completed:
        failure = f": {lipsync.failure_message}" if lipsync.failure_message else ""
        if lipsync.is_failed:
            message = f"lipsync {lipsync_id} failed{failure}; there is no video to download"
        else:
            message = f"lipsync {lipsync_id} has not finished yet (status: {lipsync.status}); nothing to download yet"
        raise ToolFailure("not_completed", message, param="lipsync_id", next_action=next_for_status(lipsync))
    with_captions = bool(captions and lipsync.caption_url)
    dest = await off_loop(_destination, state.files, filename, default, overwrite=overwrite, captions=with_captions)
    result = await client.download(lipsync, dest, overwrite=overwrite, captions=with_captions)
    deleted = await _delete_uploads_if_asked(state, client, lipsync_id)
    return _saved(lipsync_id, result, await off_loop(_sizes, result), renamed, deleted)


def next_for_status(lipsync: Lipsync) -> str:
    if lipsync.is_completed:
        return f"Completed: call download_lipsync with lipsync_id={lipsync.id!r} to save the video locally."
    if lipsync.is_failed:
        return "Failed: tell the user the failure_message; a new job needs create_lipsync (and credits) again."
    return f"Still {lipsync.status}: call wait_for_lipsync with lipsync_id={lipsync.id!r}."
