"""``dub``: the whole job in one call (upload, create, wait with progress, download).

Written on top of the client's public methods only, so it inherits whatever they do
(idempotent creates, resume on rerun, retries) and every error passes through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import waiting
from .models import DownloadResult, Lipsync
from .request import LipsyncRequest

if TYPE_CHECKING:
    from .client import AsyncLipsyncClient, DownloadProgress
    from .sources import SourceLike
    from .uploads import UploadProgress

__all__ = ["DubResult", "dub"]


@dataclass(frozen=True)
class DubResult:
    """What ``dub`` made: the finished job and where its files were saved."""

    lipsync: Lipsync
    files: DownloadResult

    @property
    def video_path(self) -> Path:
        """The saved video."""
        return self.files.video_path


async def dub(
    client: AsyncLipsyncClient,
    video: SourceLike,
    audio: SourceLike,
    output: Path | str,
    *,
    idempotency_key: str | None = None,
    timeout: float = waiting.DEFAULT_WAIT_TIMEOUT,
    overwrite: bool = False,
    captions: bool = False,
    on_upload_progress: UploadProgress | None = None,
    on_progress: waiting.ProgressHandler | None = None,
    on_download_progress: DownloadProgress | None = None,
    **fields: Any,
) -> DubResult:
    """Dub ``video`` with ``audio`` and save the result to ``output``; see ``AsyncLipsyncClient.dub``.

    Raises:
        ValidationError, APIStatusError, APIConnectionError, JobFailedError, WaitTimeoutError,
            DownloadError: whatever create, wait or download raised, unchanged.
    """
    request = LipsyncRequest(video=video, audio=audio, **fields)
    lipsync_id = await client.create(request, idempotency_key=idempotency_key, on_upload_progress=on_upload_progress)
    done = await client.wait(lipsync_id, timeout=timeout, on_progress=on_progress)
    saved = await client.download(
        done, output, overwrite=overwrite, captions=captions, on_progress=on_download_progress
    )
    return DubResult(lipsync=done, files=saved)
