"""``list_media``: the media files the server may read, so "dub the interview" needs no guessing.

Read-only: it walks the allowed directories (a bounded number of entries, hidden ones
skipped), keeps the files whose extension is a video or audio format HeyGen takes, and
gives each one's path (relative to the first allowed directory when inside it: exactly what
``video_path``/``audio_path`` accept), size and, when PyAV can read it, duration. Without
PyAV, durations are null; nothing else changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from heygen_lipsync.mcp.files import FileSandbox, off_loop
from heygen_lipsync.mcp.state import guarded, ok, state_of
from heygen_lipsync.media.probe import probe_if_media

__all__ = ["MEDIA_SUFFIXES", "MEDIA_TOOLS", "MediaFile", "MediaList", "find_media", "list_media"]

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".m4v"})
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".m4a", ".aac"})
MEDIA_SUFFIXES = VIDEO_SUFFIXES | AUDIO_SUFFIXES
_MAX_SCANNED = 5000  # entries looked at in all: a huge tree answers partially, not slowly
_MAX_LISTED = 200


class MediaFile(BaseModel):
    """One media file the server can use."""

    path: str = Field(description="Pass it as video_path or audio_path (relative to the first allowed directory).")
    name: str
    kind: str = Field(description="video or audio (by extension).")
    size_bytes: int
    duration_seconds: float | None = Field(default=None, description="When the file could be probed.")


class MediaList(BaseModel):
    """list_media's result."""

    files: list[MediaFile]
    truncated: bool = Field(description="True when there were more files than listed.")
    next_step: str


def find_media(files: FileSandbox, *, kind: str | None = None, probe: bool = True) -> tuple[list[MediaFile], bool]:
    """The media files in the allowed directories (blocking: run it off the event loop)."""
    found: list[MediaFile] = []
    scanned = 0
    truncated = False
    base = files.allowed_dirs[0]
    for root in files.allowed_dirs:
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                scanned += 1
                suffix = Path(name).suffix.lower()
                if name.startswith(".") or suffix not in MEDIA_SUFFIXES:
                    continue
                what = "video" if suffix in VIDEO_SUFFIXES else "audio"
                if kind is not None and what != kind:
                    continue
                path = Path(folder, name)
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                if len(found) >= _MAX_LISTED:
                    return found, True
                shown = path.relative_to(base) if path.is_relative_to(base) else path
                probed = probe_if_media(path) if probe else None
                duration = probed.duration if probed is not None else None
                found.append(
                    MediaFile(path=str(shown), name=name, kind=what, size_bytes=size, duration_seconds=duration)
                )
            if scanned >= _MAX_SCANNED:
                truncated = True
                break
    return found, truncated


@guarded
async def list_media(
    ctx: Context,
    kind: Annotated[
        Literal["video", "audio"] | None, Field(description="Only 'video' or only 'audio' files; default both.")
    ] = None,
) -> Annotated[CallToolResult, MediaList]:
    state = state_of(ctx)
    found, truncated = await off_loop(find_media, state.files, kind=kind)
    if found:
        step = "Pass a file's path as video_path or audio_path to create_lipsync."
    else:
        dirs = ", ".join(str(d) for d in state.files.allowed_dirs)
        step = f"No media files in {dirs}: ask the user to put the file there, or to give an https URL."
    return ok(MediaList(files=found, truncated=truncated, next_step=step))


# name, function, title, annotations, description (as tools.TOOLS)
MEDIA_TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
    (
        "list_media",
        list_media,
        "List local media files",
        # Only reads the local allowed directories; never calls HeyGen.
        ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False),
        "The video and audio files the server may use (in {dirs}), with path, size and duration. When the user "
        'names a file loosely ("the interview"), find it here; pass its path as video_path or audio_path.',
    ),
)
