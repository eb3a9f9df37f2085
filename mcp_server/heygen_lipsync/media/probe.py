"""The product's media probe: what a local file holds, read with PyAV before anything is sent.

PyAV (``av``, the ``media`` extra, included by the README's install) reads the container:
its format, duration, and whether it has a video and an audio stream. Without PyAV the
probe still reports the file's size and its sniffed type, and says that streams and
durations are unknown (``MediaProbe.complete`` is False) instead of failing.
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.sources import sniff_media_type

__all__ = [
    "INSTALL_HINT",
    "MediaProbe",
    "NotMediaError",
    "probe_available",
    "probe_file",
    "probe_if_media",
    "probe_if_unchanged",
]

logger = logging.getLogger("heygen_lipsync")

INSTALL_HINT = "install PyAV to check streams and durations locally: pip install 'heygen-lipsync[media]'"


class NotMediaError(ValueError):
    """The file's bytes are not a container PyAV can read."""


@dataclass(frozen=True)
class MediaProbe:
    """What a media file holds. ``None`` means "not known" (PyAV missing), never "absent"."""

    size_bytes: int
    media_type: str | None = None
    container: str | None = None
    duration: float | None = None
    has_video: bool | None = None
    has_audio: bool | None = None

    @property
    def complete(self) -> bool:
        """Whether the streams were read (False without PyAV)."""
        return self.has_video is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (durations rounded to the millisecond)."""
        out = asdict(self)
        if self.duration is not None:
            out["duration"] = round(self.duration, 3)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaProbe:
        """The inverse of ``to_dict`` (for a ledger that stores probes as JSON)."""
        return cls(
            size_bytes=int(data["size_bytes"]),
            media_type=data.get("media_type"),
            container=data.get("container"),
            duration=data.get("duration"),
            has_video=data.get("has_video"),
            has_audio=data.get("has_audio"),
        )


def probe_available() -> bool:
    """Whether PyAV is installed, so probes read streams and durations."""
    try:
        import av  # noqa: F401 - only asking whether it imports
    except ImportError:
        return False
    return True


def _stream_duration(stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


class _DescriptorReader(io.RawIOBase):
    """A read-only, seekable view of an opened input's descriptor (``pread``: no shared offset, no reopen)."""

    def __init__(self, opened: OpenedInput) -> None:
        self._opened = opened
        self._pos = 0
        self._size = opened.fstat().st_size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._opened.read_at(self._pos, len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def probe_file(path: Path) -> MediaProbe:
    """Size, sniffed type and, with PyAV, container, duration (seconds) and streams of ``path``.

    An ``OpenedInput`` is probed through its descriptor: the path is never opened again, so
    what is probed is what gets hashed and uploaded.

    Raises:
        OSError: the file cannot be read.
        NotMediaError: PyAV is installed and cannot read the file as media.
    """
    opened = path if isinstance(path, OpenedInput) and path.is_open else None
    stat = opened.fstat() if opened is not None else path.stat()
    # The same file (inode), unchanged since (size, modification and change times: the last is
    # set by every write and cannot be set back), was probed already: a campaign's preflight and
    # its quote probe each row's files, often one audio for every row.
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    known = _PROBED.get(key)
    if known is not None:
        return known
    found = _probe(path, opened, stat.st_size)
    if len(_PROBED) >= _PROBED_MAX:
        _PROBED.pop(next(iter(_PROBED)))
    _PROBED[key] = found
    return found


_PROBED: dict[tuple[int, int, int, int, int], MediaProbe] = {}
_PROBED_MAX = 4096


def _probe(path: Path, opened: OpenedInput | None, size: int) -> MediaProbe:
    media_type = sniff_media_type(path)
    try:
        import av  # a heavy import: only when a local file is probed
    except ImportError:
        return MediaProbe(size_bytes=size, media_type=media_type)
    try:
        source: Any = _DescriptorReader(opened) if opened is not None else str(path)
        with av.open(source, mode="r") as container:
            durations = [d for s in container.streams if (d := _stream_duration(s)) is not None]
            if durations:
                duration: float | None = max(durations)
            elif container.duration is not None:
                duration = container.duration / 1_000_000  # AV_TIME_BASE
            else:
                duration = None
            return MediaProbe(
                size_bytes=size,
                media_type=media_type,
                container=container.format.name,
                duration=duration,
                has_video=bool(container.streams.video),
                has_audio=bool(container.streams.audio),
            )
    except av.FFmpegError as exc:
        logger.debug("PyAV could not read %s: %s", path, type(exc).__name__)
        raise NotMediaError(f"{path} is not a media file PyAV can read") from None


def probe_if_media(path: Path) -> MediaProbe | None:
    """``probe_file``, or None when the file cannot be read or is not media (for a courtesy, never a check)."""
    try:
        return probe_file(path)
    except (OSError, NotMediaError) as exc:
        logger.debug("no probe of %s: %s", path, type(exc).__name__)
        return None


def probe_if_unchanged(path: Path, size: int, mtime_ns: int) -> MediaProbe | None:
    """``probe_if_media``, when ``path`` still has this size and modification time; else None.

    How a later price is read from a file that was uploaded earlier: a file changed since (or
    gone) no longer says what the asset holds, so its price is unknown rather than guessed.
    """
    try:
        now = path.stat()
    except OSError:
        return None
    if now.st_size != size or now.st_mtime_ns != mtime_ns:
        return None
    return probe_if_media(path)
