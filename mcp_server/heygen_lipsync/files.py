"""Moving bytes: file bodies streamed from disk for uploads, and downloads of finished jobs.

Memory stays flat whatever the file size: uploads read fixed-size chunks from disk
(re-readable, so a retried request sends the same bytes again), the SHA-256 for a direct
upload is computed in its own streaming pass, and downloads are written chunk by chunk to
a temporary file in the destination directory, renamed into place only when complete
(``download_outputs`` does so for a job's video and, if asked, its captions, all or nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from ._http import EXT_NO_AUTH, EXT_UPLOAD
from .errors import DownloadError, error_from_transport
from .models import DownloadResult, Lipsync

__all__ = [
    "CHUNK_SIZE",
    "MULTIPART_MAX_BYTES",
    "ByteReport",
    "FileByteStream",
    "ProgressCallback",
    "ProgressFile",
    "atomic_download",
    "download_outputs",
    "resolve_destination",
    "sha256_file",
]

# Largest file sent through POST /v3/assets; larger files use the direct-upload flow.
MULTIPART_MAX_BYTES = 32 * 1024 * 1024
CHUNK_SIZE = 1024 * 1024

ProgressCallback = Callable[[int, int], Any]
# What the upload streams report: (bytes sent in this attempt, total, attempt number from 1).
ByteReport = Callable[[int, int, int], Any]


def sha256_file(path: Path, *, chunk_size: int = CHUNK_SIZE) -> str:
    """Hex SHA-256 of a file, read in chunks.

    Raises:
        OSError: the file cannot be read.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


class ProgressFile(io.RawIOBase):
    """A read-only file that reports bytes read; given to httpx as a multipart file.

    httpx seeks it back to 0 before each attempt, so the count restarts on a retry; a read
    from position 0 starts the next attempt.
    """

    def __init__(self, path: Path, total: int, on_progress: ByteReport | None) -> None:
        super().__init__()
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._total = total
        self._sent = 0
        self._attempt = 0
        self._on_progress = on_progress

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fh.fileno()

    def tell(self) -> int:
        return self._fh.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        pos = self._fh.seek(offset, whence)
        self._sent = pos
        return pos

    def read(self, size: int = -1) -> bytes:
        starts_attempt = self._fh.tell() == 0
        data = self._fh.read(size)
        if data:
            if starts_attempt:
                self._attempt += 1
            self._sent += len(data)
            if self._on_progress is not None:
                self._on_progress(min(self._sent, self._total), self._total, self._attempt)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


class FileByteStream(httpx.AsyncByteStream):
    """A request body streamed from disk in chunks; iterable again for retries (one attempt each)."""

    def __init__(
        self, path: Path, size: int, on_progress: ByteReport | None = None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self._path = path
        self._size = size
        self._on_progress = on_progress
        self._chunk_size = chunk_size
        self._attempt = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._attempt += 1
        sent = 0
        fh = await asyncio.to_thread(open, self._path, "rb")
        try:
            while sent < self._size:
                chunk = await asyncio.to_thread(fh.read, min(self._chunk_size, self._size - sent))
                if not chunk:
                    break
                sent += len(chunk)
                if self._on_progress is not None:
                    self._on_progress(sent, self._size, self._attempt)
                yield chunk
        finally:
            fh.close()
        if sent != self._size:
            raise OSError(f"{self._path} changed size during upload ({sent} of {self._size} bytes)")


def resolve_destination(dest: Path, lipsync_id: str, suffix: str = ".mp4") -> Path:
    """The file a download writes: ``dest`` itself, or ``dest/<id><suffix>`` when dest is a directory."""
    dest = dest.expanduser()
    if dest.is_dir():
        return dest / f"{lipsync_id}{suffix}"
    return dest


async def atomic_download(
    http: httpx.AsyncClient,
    url: str,
    target: Path,
    *,
    overwrite: bool,
    lipsync_id: str,
    extensions: dict[str, Any],
    on_progress: Callable[[int, int | None], Any] | None = None,
) -> int:
    """Stream ``url`` into ``target`` via a temporary file beside it; return bytes written.

    Raises:
        DownloadError: target exists (and not overwrite), the URL expired (403/404 from
            storage), any other non-2xx, a short read, or a local write failure.
        APIConnectionError: the storage could not be reached after retries.
    """
    if target.exists() and not overwrite:
        raise DownloadError(f"{target} already exists; pass overwrite=True (CLI: --overwrite) to replace it")
    if not target.parent.is_dir():
        raise DownloadError(f"directory {target.parent} does not exist; create it first")
    written = 0
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        # mkstemp creates the file private (0600); the finished download should get the mode
        # any new file of the user's gets, so other tools and users can read it as usual.
        os.chmod(fd, 0o666 & ~_current_umask())
        with os.fdopen(fd, "wb") as out:
            async with http.stream("GET", url, extensions=extensions) as response:
                if response.status_code in (401, 403, 404, 410):
                    raise DownloadError(
                        f"the download URL for lipsync {lipsync_id} has expired or is no longer valid "
                        f"(HTTP {response.status_code} from storage); fetch the job again for a fresh URL "
                        f"(get {lipsync_id}) and retry"
                    )
                if not 200 <= response.status_code < 300:
                    raise DownloadError(
                        f"downloading lipsync {lipsync_id} failed with HTTP {response.status_code}; retry later"
                    )
                expected = _expected_length(response)
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    await asyncio.to_thread(out.write, chunk)
                    written += len(chunk)
                    if on_progress is not None:
                        on_progress(written, expected)
            out.flush()
            os.fsync(out.fileno())
        if expected is not None and written != expected:
            raise DownloadError(
                f"download of lipsync {lipsync_id} was cut short ({written} of {expected} bytes); retry the download"
            )
        _move_into_place(tmp, target, overwrite=overwrite)
    except OSError as exc:
        raise DownloadError(f"could not write {target}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return written


@functools.cache
def _current_umask() -> int:
    # os.umask can only be read by setting it; set it straight back, once per process.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _expected_length(response: httpx.Response) -> int | None:
    # Content-Length counts encoded bytes; only compare when the body is not re-encoded.
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    raw = response.headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _move_into_place(tmp: Path, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    # A hard link fails if the target appeared meanwhile, so nothing is ever clobbered.
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise DownloadError(f"{target} already exists; pass overwrite=True (CLI: --overwrite) to replace it") from None
    except OSError:
        # Filesystems without hard links: check, then rename (a tiny race, accepted).
        if target.exists():
            raise DownloadError(
                f"{target} already exists; pass overwrite=True (CLI: --overwrite) to replace it"
            ) from None
        os.replace(tmp, target)


async def download_outputs(
    http: httpx.AsyncClient,
    lipsync: Lipsync,
    dest: Path | str,
    *,
    overwrite: bool = False,
    captions: bool = False,
    on_progress: Callable[[int, int | None], Any] | None = None,
) -> DownloadResult:
    """Download a completed job's video (and, with ``captions``, its SRT); see ``AsyncLipsyncClient.download``.

    Raises:
        DownloadError: not completed, destination exists, expired URL (fetch the job again),
            short read, or a local write failure.
        APIConnectionError: storage unreachable after retries.
    """
    if not lipsync.is_completed or not lipsync.video_url:
        raise DownloadError(
            f"lipsync {lipsync.id} is {lipsync.status}, not completed: nothing to download yet"
            + (f" ({lipsync.failure_message})" if lipsync.failure_message else "; wait for it first")
        )
    if captions and not lipsync.caption_url:
        raise DownloadError(f"lipsync {lipsync.id} has no captions; create it with enable_caption=True to get them")
    if isinstance(dest, str) and dest.endswith(("/", os.sep)) and not Path(dest).expanduser().is_dir():
        raise DownloadError(f"directory {dest} does not exist; create it first")
    dest = Path(dest).expanduser()
    video_path = resolve_destination(dest, lipsync.id, ".mp4")
    caption_path = video_path.with_suffix(".srt") if captions else None
    for target in (video_path, caption_path):
        if target is not None and target.exists() and not overwrite:
            raise DownloadError(f"{target} already exists; pass overwrite=True (CLI: --overwrite) to replace it")
    extensions = {EXT_NO_AUTH: True, EXT_UPLOAD: True}
    video_existed = video_path.exists()
    try:
        written = await atomic_download(
            http,
            lipsync.video_url,
            video_path,
            overwrite=overwrite,
            lipsync_id=lipsync.id,
            extensions=extensions,
            on_progress=on_progress,
        )
        if caption_path is not None and lipsync.caption_url:
            try:
                written += await atomic_download(
                    http,
                    lipsync.caption_url,
                    caption_path,
                    overwrite=overwrite,
                    lipsync_id=lipsync.id,
                    extensions=extensions,
                )
            except BaseException:
                # All or nothing: a video left behind would make the retry fail with
                # "already exists" unless the caller knew to pass overwrite.
                if not video_existed:
                    video_path.unlink(missing_ok=True)
                raise
    except httpx.TransportError as exc:
        raise error_from_transport(exc, what="HeyGen's file storage") from exc
    return DownloadResult(video_path=video_path, caption_path=caption_path, bytes_written=written)
