"""Moving bytes out: file bodies streamed from disk for uploads (downloads: ``downloads``).

Memory stays flat whatever the file size: uploads read fixed-size chunks from disk
(re-readable, so a retried request sends the same bytes again), and the SHA-256 of a
direct upload is taken from the bytes as they are sent.

No path is opened twice: uploads read the descriptor ``opened.open_input`` checked. The
download functions are re-exported here from ``downloads``, where they live.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from heygen_lipsync.media.downloads import (
    atomic_download,
    download_outputs,
    remove_stale_parts,
    resolve_destination,
)
from heygen_lipsync.media.opened import OpenedInput, open_input

__all__ = [
    "CHUNK_SIZE",
    "MULTIPART_MAX_BYTES",
    "AttemptDigest",
    "ByteReport",
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
# A PUT body goes out in larger pieces: fewer trips through the event loop and the worker thread per GiB.
UPLOAD_CHUNK_SIZE = 4 * 1024 * 1024

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
