"""Moving bytes: file bodies streamed from disk for uploads, and downloads of finished jobs.

Memory stays flat whatever the file size: uploads read fixed-size chunks from disk
(re-readable, so a retried request sends the same bytes again), the SHA-256 for a direct
upload is computed in its own streaming pass, and downloads are written chunk by chunk to
a temporary file in the destination directory, renamed into place only when complete
(``download_outputs`` does so for a job's video and, if asked, its captions, all or nothing).

No path is opened twice: uploads read the descriptor ``opened.open_input`` checked, and
downloads create, rename and remove their files through a descriptor of the destination
folder. A temporary file left by a killed download is removed by the next download to the
same destination (``remove_stale_parts``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import re
import secrets
import stat
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from ._http import EXT_NO_AUTH, EXT_UPLOAD
from .errors import DownloadError, error_from_transport
from .models import DownloadResult, Lipsync
from .opened import OpenedInput, OutputTarget, open_folder, open_input
from .paths import expand_user

__all__ = [
    "CHUNK_SIZE",
    "MULTIPART_MAX_BYTES",
    "AttemptDigest",
    "ByteReport",
    "FileByteStream",
    "ProgressCallback",
    "ProgressFile",
    "atomic_download",
    "download_outputs",
    "remove_stale_parts",
    "resolve_destination",
    "sha256_file",
]

# Largest file sent through POST /v3/assets; larger files use the direct-upload flow.
MULTIPART_MAX_BYTES = 32 * 1024 * 1024
CHUNK_SIZE = 1024 * 1024

ProgressCallback = Callable[[int, int], Any]
# What the upload streams report: (bytes sent in this attempt, total, attempt number from 1).
ByteReport = Callable[[int, int, int], Any]


def _opened(path: Path) -> tuple[OpenedInput, bool]:
    """``path``'s open descriptor, and whether the caller must close it (it opened it here)."""
    if isinstance(path, OpenedInput) and path.is_open:
        return path, False
    return open_input(path), True


def sha256_file(path: Path, *, chunk_size: int = CHUNK_SIZE) -> str:
    """Hex SHA-256 of a file, read in chunks (from its descriptor when ``path`` is an ``OpenedInput``).

    Raises:
        OSError: the file cannot be opened or read, or is not a regular file.
    """
    digest = hashlib.sha256()
    opened, owned = _opened(path)
    try:
        offset = 0
        while chunk := opened.read_at(offset, chunk_size):
            digest.update(chunk)
            offset += len(chunk)
    finally:
        if owned:
            opened.close()
    return digest.hexdigest()


class AttemptDigest:
    """The SHA-256 of what one attempt sends: bytes read in order from offset 0.

    A read at offset 0 starts a new attempt (a retry sends the file again from the start),
    so the digest is always that of the last attempt; ``hexdigest`` is None until it has read
    all ``total`` bytes.
    """

    def __init__(self, total: int) -> None:
        self._total = total
        self._digest = hashlib.sha256()
        self._hashed = 0

    def add(self, offset: int, data: bytes) -> None:
        """Hash ``data``, read at ``offset`` (bytes out of order are left out: no digest then)."""
        if offset == 0:
            self._digest, self._hashed = hashlib.sha256(), 0
        if data and offset == self._hashed:
            self._digest.update(data)
            self._hashed += len(data)

    @property
    def hexdigest(self) -> str | None:
        return self._digest.hexdigest() if self._hashed == self._total else None


class ProgressFile(io.RawIOBase):
    """A read-only file that reports bytes read, and hashes them; given to httpx as a multipart file.

    It reads the opened descriptor (``OpenedInput``), never the path again. httpx seeks it
    back to 0 before each attempt, so the count restarts on a retry; a read from position 0
    starts the next attempt.
    """

    def __init__(self, path: Path, total: int, on_progress: ByteReport | None) -> None:
        super().__init__()
        self._file, self._owned = _opened(path)
        self._pos = 0
        self._total = total
        self._sent = 0
        self._attempt = 0
        self._on_progress = on_progress
        self._hash = AttemptDigest(total)

    @property
    def hexdigest(self) -> str | None:
        """The SHA-256 of the bytes the last attempt read, once it read them all in order; else None."""
        return self._hash.hexdigest

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._pos
        elif whence == os.SEEK_END:
            offset += self._file.fstat().st_size
        self._pos = max(0, offset)
        self._sent = self._pos
        return self._pos

    def read(self, size: int = -1) -> bytes:
        starts_attempt = self._pos == 0
        if size is None or size < 0:
            size = max(0, self._file.fstat().st_size - self._pos)
        data = self._file.read_at(self._pos, size)
        self._hash.add(self._pos, data)
        if data:
            self._pos += len(data)
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
        if self._owned:
            self._file.close()
        super().close()


class FileByteStream(httpx.AsyncByteStream):
    """A request body streamed in chunks from an opened file; iterable again for retries (one attempt each)."""

    def __init__(
        self, path: Path, size: int, on_progress: ByteReport | None = None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self._path = path
        self._size = size
        self._on_progress = on_progress
        self._chunk_size = chunk_size
        self._attempt = 0

    def _read(self, opened: OpenedInput, offset: int, n: int) -> bytes:
        """Read one chunk from the opened file (in a worker thread); a subclass may also look at the bytes here."""
        return opened.read_at(offset, n)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._attempt += 1
        sent = 0
        opened, owned = await asyncio.to_thread(_opened, self._path)
        try:
            while sent < self._size:
                chunk = await asyncio.to_thread(self._read, opened, sent, min(self._chunk_size, self._size - sent))
                if not chunk:
                    break
                sent += len(chunk)
                if self._on_progress is not None:
                    self._on_progress(sent, self._size, self._attempt)
                yield chunk
        finally:
            if owned:
                opened.close()
        if sent != self._size:
            raise OSError(f"{self._path} changed size during upload ({sent} of {self._size} bytes)")


def resolve_destination(dest: Path, lipsync_id: str, suffix: str = ".mp4") -> Path:
    """The file a download writes: ``dest`` itself, or ``dest/<id><suffix>`` when dest is a directory."""
    dest = expand_user(dest)
    if isinstance(dest, OutputTarget):
        return dest  # checked and opened by the caller (the MCP server): a file, never a folder
    if dest.is_dir():
        return dest / f"{lipsync_id}{suffix}"
    return dest


def _exists_message(target: Path) -> str:
    # Each front-end adds how to ask for a replacement (--overwrite, overwrite=true).
    return f"{target} already exists; pass overwrite=True to replace it"


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

    The temporary file is created, renamed and removed through a descriptor of the target's
    folder (the one an ``OutputTarget`` carries, else opened here), never by path again.

    Raises:
        DownloadError: target exists (and not overwrite), the URL expired (403/404 from
            storage), any other non-2xx, a short read, or a local write failure.
        APIConnectionError: the storage could not be reached after retries.
    """
    given = target.folder if isinstance(target, OutputTarget) else None
    try:
        folder = given if given is not None else open_folder(target.parent)
    except FileNotFoundError:
        raise DownloadError(f"directory {target.parent} does not exist; create it first") from None
    except OSError as exc:
        raise DownloadError(f"cannot use the directory {target.parent}: {exc.strerror or exc}") from None
    try:
        return await _download_into(http, url, target, folder.fd, overwrite, lipsync_id, extensions, on_progress)
    finally:
        if given is None:
            folder.close()


async def _download_into(
    http: httpx.AsyncClient,
    url: str,
    target: Path,
    dir_fd: int,
    overwrite: bool,
    lipsync_id: str,
    extensions: dict[str, Any],
    on_progress: Callable[[int, int | None], Any] | None,
) -> int:
    name = target.name
    if _exists(name, dir_fd) and not overwrite:
        raise DownloadError(_exists_message(target))
    remove_stale_parts(dir_fd, name)
    written = 0
    tmp = _part_name(name)
    try:
        # O_EXCL|O_NOFOLLOW: a fresh file of ours, never one planted there; 0o666 minus the
        # umask is the mode any new file of the user's gets.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | _NOFOLLOW, 0o666, dir_fd=dir_fd)
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
        _move_into_place(tmp, name, dir_fd, target, overwrite=overwrite)
    except OSError as exc:
        raise DownloadError(f"could not write {target}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dir_fd)
    return written


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# A download in progress: .<name>.<pid>.<random>.part, beside the file it becomes. The pid
# tells a later run whether the writer is gone (a SIGKILL leaves the file behind).
_PART = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{16}\.part")
# Older runs named them .<name>.<random>.part (no pid): removed once clearly abandoned.
_LEGACY_PART = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.part")
STALE_PART_SECONDS = 24 * 3600


def _part_name(name: str) -> str:
    return f".{name}.{os.getpid()}.{secrets.token_hex(8)}.part"


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive
    return True


def remove_stale_parts(dir_fd: int, name: str) -> list[str]:
    """Remove our abandoned temporary files for the download of ``name`` in the open folder; return their names.

    Only this destination's ``.part`` files, owned by this user, whose writing process is
    gone (or, for a name without a pid, older than a day) are removed: a download still
    running in another process keeps its file.
    """
    removed: list[str] = []
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(dir_fd) as entries:
        for entry in entries:
            match = _PART.fullmatch(entry.name) or _LEGACY_PART.fullmatch(entry.name)
            if match is None or match.group("name") != name:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
                continue
            pid = match.groupdict().get("pid")
            stale = not _pid_alive(int(pid)) if pid is not None else now - st.st_mtime > STALE_PART_SECONDS
            if stale or now - st.st_mtime > STALE_PART_SECONDS:
                with contextlib.suppress(OSError):
                    os.unlink(entry.name, dir_fd=dir_fd)
                    removed.append(entry.name)
    return removed


def _expected_length(response: httpx.Response) -> int | None:
    # Content-Length counts encoded bytes; only compare when the body is not re-encoded.
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    raw = response.headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _move_into_place(tmp: str, name: str, dir_fd: int, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        return
    # A hard link fails if the target appeared meanwhile, so nothing is ever clobbered.
    try:
        os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    except FileExistsError:
        raise DownloadError(_exists_message(target)) from None
    except OSError:
        # Filesystems without hard links: check, then rename (a tiny race, accepted).
        if _exists(name, dir_fd):
            raise DownloadError(_exists_message(target)) from None
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


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
    if isinstance(dest, str) and dest.endswith(("/", os.sep)) and not expand_user(dest).is_dir():
        raise DownloadError(f"directory {dest} does not exist; create it first")
    video_path = resolve_destination(expand_user(dest), lipsync.id, ".mp4")
    caption_path = _caption_path(video_path) if captions else None
    for target in (video_path, caption_path):
        if target is not None and _target_exists(target) and not overwrite:
            raise DownloadError(_exists_message(target))
    extensions = {EXT_NO_AUTH: True, EXT_UPLOAD: True}
    video_existed = _target_exists(video_path)
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
                    _remove_target(video_path)
                raise
    except httpx.TransportError as exc:
        raise error_from_transport(exc, what="HeyGen's file storage") from exc
    return DownloadResult(video_path=video_path, caption_path=caption_path, bytes_written=written)


def _caption_path(video_path: Path) -> Path:
    if isinstance(video_path, OutputTarget):
        return video_path.sibling(".srt")
    return video_path.with_suffix(".srt")


def _target_exists(target: Path) -> bool:
    if isinstance(target, OutputTarget) and target.folder is not None:
        return _exists(target.name, target.folder.fd)
    return target.exists()


def _remove_target(target: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if isinstance(target, OutputTarget) and target.folder is not None:
            os.unlink(target.name, dir_fd=target.folder.fd)
        else:
            target.unlink()
