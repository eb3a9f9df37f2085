"""The body of a direct upload's PUT: the checked descriptor's bytes, hashed as they are sent.

The file goes out in pieces (``files.UPLOAD_CHUNK_SIZE``). Each piece is read with ``pread``
from the descriptor ``open_checked`` checked (never the path again) and hashed in one
worker-thread hop (``hashlib`` releases the GIL on large buffers), while the piece before it
is being sent: disk, hash and socket overlap, and memory holds two pieces at most.

The first piece need not wait for the PUT: ``prefetch()`` starts reading and hashing it
while the presign request is on its way (an upload's fixed costs weigh most on a smaller
file), and the first attempt sends it. Every attempt (a retry re-sends the body) reads from
offset 0 again and starts a new hash, so ``hexdigest`` is always that of the bytes the last
attempt sent. A read still running when an attempt stops, or a prefetch no attempt took, is
waited for (``settle``) before the caller closes the descriptor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput

__all__ = ["HashingPutBody"]


class HashingPutBody(httpx.AsyncByteStream):
    """A PUT body read in pieces from an opened file, hashed as sent; iterable again for retries."""

    def __init__(
        self,
        opened: OpenedInput,
        size: int,
        on_progress: files.ByteReport | None = None,
        piece_size: int | None = None,
    ) -> None:
        self._opened = opened
        self._size = size
        self._on_progress = on_progress
        self._piece_size = piece_size or files.UPLOAD_CHUNK_SIZE
        self._hash = files.AttemptDigest(size)
        self._attempt = 0
        self._first: asyncio.Future[bytes] | None = None
        self._pending: set[asyncio.Future[bytes]] = set()

    @property
    def hexdigest(self) -> str | None:
        """The SHA-256 of the last attempt's bytes, once it read the whole file; else None."""
        return self._hash.hexdigest

    def prefetch(self) -> None:
        """Start reading (and hashing) the first piece now, for the first attempt to send."""
        if self._first is None and self._attempt == 0:
            self._first = self._read_from(0)

    async def settle(self) -> None:
        """Wait for every read still running (their results are dropped): then the file may close."""
        self._first = None
        while self._pending:
            with contextlib.suppress(Exception):
                await asyncio.shield(next(iter(self._pending)))

    def _read(self, offset: int, n: int) -> bytes:
        """One piece, read and hashed in a worker thread (a read at offset 0 starts a new hash)."""
        piece = self._opened.read_at(offset, n)
        self._hash.add(offset, piece)
        return piece

    def _read_from(self, offset: int) -> asyncio.Future[bytes] | None:
        if offset >= self._size:
            return None
        n = min(self._piece_size, self._size - offset)
        # Handed to a worker thread at once (not when a task first runs): the read has begun
        # before the caller's next await.
        future = asyncio.get_running_loop().run_in_executor(None, self._read, offset, n)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._attempt += 1
        sent = 0
        # Reads stay in order: each starts once the one before is done (the hash needs them so).
        ahead, self._first = (self._first, None) if self._first is not None else (self._read_from(0), None)
        try:
            while ahead is not None:
                piece = await ahead
                ahead = None
                if not piece:
                    break
                sent += len(piece)
                ahead = self._read_from(sent)
                if self._on_progress is not None:
                    self._on_progress(sent, self._size, self._attempt)
                yield piece
        finally:
            if ahead is not None:  # an attempt cut short: its read finishes before the file may close
                with contextlib.suppress(Exception):
                    await asyncio.shield(ahead)
        if sent != self._size:
            raise OSError(f"{self._opened} changed size during upload ({sent} of {self._size} bytes)")
