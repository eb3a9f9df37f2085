"""Downloads of finished jobs: bounded, confined and atomic.

A download is written chunk by chunk to a temporary file in the destination folder and
renamed into place only when complete (``download_outputs`` does so for a job's video and,
if asked, its captions, all or nothing). Files are created, renamed and removed through a
descriptor of the destination folder, never by path again; a temporary file left by a
killed download is removed by the next download to the same destination
(``remove_stale_parts``).

What the server says is not trusted: the output URL must pass ``output_urls.check_output_url``
(https; http only for a loopback sandbox; no key ever sent), the file is named from the id
the caller asked for (``output_urls.safe_stem``), the body may not exceed its advertised
``Content-Length`` (nor ``MAX_DOWNLOAD_BYTES`` without one, nor once inflated), and the
whole transfer ends by the request's deadline (``Settings.request_deadline``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import stat
import time
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from heygen_lipsync._transport.bodies import BodyTooLarge, BoundedDecoder, UnsupportedEncoding
from heygen_lipsync._transport.http import EXT_DEADLINE, EXT_NO_AUTH, EXT_STREAM, EXT_UPLOAD
from heygen_lipsync._transport.mapping import error_from_transport
from heygen_lipsync._transport.output_urls import check_output_url, safe_stem
from heygen_lipsync.errors import APITimeoutError, DownloadError
from heygen_lipsync.media.opened import OutputTarget, open_folder
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.models import DownloadResult, Lipsync

__all__ = [
    "CHUNK_SIZE",
    "MAX_DOWNLOAD_BYTES",
    "STALE_PART_SECONDS",
    "atomic_download",
    "download_outputs",
    "remove_stale_parts",
    "resolve_destination",
]

CHUNK_SIZE = 1024 * 1024
#: The most a download writes when storage does not say how long the file is (or compresses
#: it): far more than any lipsync output, far less than a full disk.
MAX_DOWNLOAD_BYTES = 16 * 1024**3
#: What a download asks for: the file's own bytes (storage has no reason to compress a video).
DOWNLOAD_HEADERS = {"Accept-Encoding": "identity"}


def resolve_destination(dest: Path, lipsync_id: str, suffix: str = ".mp4") -> Path:
    """The file a download writes: ``dest`` itself, or ``dest/<id><suffix>`` when dest is a directory.

    Raises:
        ValidationError: ``dest`` is a directory and ``lipsync_id`` cannot name a file in it.
    """
    dest = expand_user(dest)
    if isinstance(dest, OutputTarget):
        return dest  # checked and opened by the caller (the MCP server): a file, never a folder
    if dest.is_dir():
        return dest / f"{safe_stem(lipsync_id)}{suffix}"
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
            async with http.stream("GET", url, headers=DOWNLOAD_HEADERS, extensions=extensions) as response:
                _check_status(response, lipsync_id)
                expected = _expected_length(response)
                if expected is not None and expected > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(
                        f"the download of lipsync {lipsync_id} says it is {expected} bytes, more than any lipsync "
                        f"output ({MAX_DOWNLOAD_BYTES} at most); not saved. Check HEYGEN_BASE_URL and any proxy"
                    )
                bound = expected if expected is not None else MAX_DOWNLOAD_BYTES
                deadline = response.extensions.get(EXT_DEADLINE)
                try:
                    async with asyncio.timeout_at(deadline if isinstance(deadline, float) else None):
                        written = await _stream_body(response, out, bound, on_progress, expected)
                except TimeoutError:
                    raise APITimeoutError(
                        f"the download of lipsync {lipsync_id} did not finish in time "
                        f"(HEYGEN_LIPSYNC_REQUEST_DEADLINE, {written_so_far(out)} bytes saved so far); retry it, "
                        "or raise HEYGEN_LIPSYNC_REQUEST_DEADLINE on a slow link"
                    ) from None
                except BodyTooLarge:
                    raise DownloadError(
                        f"the download of lipsync {lipsync_id} is larger than "
                        + (f"its advertised length ({expected} bytes)" if expected is not None else f"{bound} bytes")
                        + "; stopped and removed it. Retry: a fresh URL comes with get "
                        + lipsync_id
                    ) from None
                except (UnsupportedEncoding, zlib.error) as exc:
                    raise DownloadError(
                        f"the download of lipsync {lipsync_id} came in a form that cannot be read ({exc}); retry later"
                    ) from None
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


def _check_status(response: httpx.Response, lipsync_id: str) -> None:
    if response.status_code in (401, 403, 404, 410):
        raise DownloadError(
            f"the download URL for lipsync {lipsync_id} has expired or is no longer valid "
            f"(HTTP {response.status_code} from storage); fetch the job again for a fresh URL "
            f"(get {lipsync_id}) and retry"
        )
    if not 200 <= response.status_code < 300:
        raise DownloadError(f"downloading lipsync {lipsync_id} failed with HTTP {response.status_code}; retry later")


def written_so_far(out: Any) -> int:
    """How many bytes the open temporary file holds."""
    with contextlib.suppress(OSError, ValueError):
        return int(out.tell())
    return 0


async def _stream_body(
    response: httpx.Response,
    out: Any,
    bound: int,
    on_progress: Callable[[int, int | None], Any] | None,
    expected: int | None,
) -> int:
    """Write the body (inflated with a bound, if storage compressed it anyway); return bytes written."""
    in_memory = response.is_stream_consumed  # built in memory (a test transport): already decoded
    decoder = BoundedDecoder(None if in_memory else response.headers.get("content-encoding"), bound)
    written = 0
    chunks = _in_chunks(response.content) if in_memory else response.aiter_raw(CHUNK_SIZE)
    async for raw in chunks:
        chunk = decoder.feed(raw)
        if chunk:
            await asyncio.to_thread(out.write, chunk)
            written += len(chunk)
            if on_progress is not None:
                on_progress(written, expected)
    tail = decoder.flush()
    if tail:
        await asyncio.to_thread(out.write, tail)
        written += len(tail)
    return written


async def _in_chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK_SIZE):
        yield data[start : start + CHUNK_SIZE]


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
        length = int(raw) if raw is not None else None
    except ValueError:
        return None
    return length if length is not None and length >= 0 else None


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
    name: str | None = None,
) -> DownloadResult:
    """Download a completed job's video (and, with ``captions``, its SRT); see ``AsyncLipsyncClient.download``.

    ``name`` is the id the caller asked for: in a directory the files are ``<name>.mp4`` and
    ``<name>.srt`` (default: ``lipsync.id``, checked the same way).

    Raises:
        DownloadError: not completed, destination exists, expired URL (fetch the job again),
            short read, larger than advertised, or a local write failure.
        ValidationError: ``dest`` is a directory and the id cannot name a file.
        APIError: an output URL the policy refuses (``unexpected_response``, see ``output_urls``).
        APIConnectionError: storage unreachable after retries; APITimeoutError past the deadline.
    """
    if not lipsync.is_completed or not lipsync.video_url:
        raise DownloadError(
            f"lipsync {lipsync.id} is {lipsync.status}, not completed: nothing to download yet"
            + (f" ({lipsync.failure_message})" if lipsync.failure_message else "; wait for it first")
        )
    if captions and not lipsync.caption_url:
        raise DownloadError(
            f"lipsync {lipsync.id} has no caption_url (HeyGen makes captions for every job; an older job may "
            "have none): download it without captions"
        )
    if isinstance(dest, str) and dest.endswith(("/", os.sep)) and not expand_user(dest).is_dir():
        raise DownloadError(f"directory {dest} does not exist; create it first")
    base_url = str(http.base_url)
    check_output_url(lipsync.video_url, field="video_url", lipsync_id=lipsync.id, base_url=base_url)
    if captions and lipsync.caption_url:
        check_output_url(lipsync.caption_url, field="caption_url", lipsync_id=lipsync.id, base_url=base_url)
    video_path = resolve_destination(expand_user(dest), lipsync.id if name is None else name, ".mp4")
    caption_path = _caption_path(video_path) if captions else None
    for target in (video_path, caption_path):
        if target is not None and _target_exists(target) and not overwrite:
            raise DownloadError(_exists_message(target))
    # No credentials for the output host, the transfer's timeouts, and the body left to stream here.
    extensions = {EXT_NO_AUTH: True, EXT_UPLOAD: True, EXT_STREAM: True}
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
