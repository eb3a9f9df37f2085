"""The body of a direct upload's PUT: the checked descriptor's bytes, hashed as they are sent.

The file goes out in pieces of up to ``files.UPLOAD_CHUNK_SIZE``. Each piece is read with
``pread`` from the descriptor ``open_checked`` checked (never the path again) and hashed in one
worker-thread hop (``hashlib`` releases the GIL on large buffers, and a slow disk never blocks
the event loop), then handed to the socket.

The next piece is read once the one before has been handed on, not while it is: the upload
uses one core at a time. The socket's own buffer (megabytes on a fast link) keeps the link
busy while the next piece is read and hashed, which takes a few milliseconds, so nothing is
lost to the network; what reading ahead in parallel bought was a second busy core. Where the
receiving end shares the machine's cores (a sandbox on a two-core machine), that second core
was taken from the receiver: in 3 of 6 runs of 1 GiB the PUT fell to 0.55x curl's, and none
did once the reads waited (``scripts/bench/upload.py``; docs/performance.md).

The first piece is a sixteenth of the others and each next one as large as all the bytes
before it, up to the full size: the PUT's first byte waits for 256 KiB of reading and hashing,
not 4 MiB. An upload's fixed costs weigh most on a smaller file. Every attempt (a retry
re-sends the body) reads from offset 0 again and starts a new hash, so ``hexdigest`` is always
that of the bytes the last attempt sent.

``on_sent()`` is called once, when an attempt has handed its last piece to the socket: the
server is still receiving what the socket holds and then storing it, and the caller may use
that wait (the event loop has nothing else to do for this upload).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput

__all__ = ["HashingPutBody"]

#: The first piece is this fraction of the full piece size.
FIRST_PIECE_FRACTION = 16


class HashingPutBody(httpx.AsyncByteStream):
    """A PUT body read in pieces from an opened file, hashed as sent; iterable again for retries."""

    def __init__(
        self,
        opened: OpenedInput,
        size: int,
        on_progress: files.ByteReport | None = None,
        piece_size: int | None = None,
        on_sent: Callable[[], Any] | None = None,
    ) -> None:
        self._opened = opened
        self._on_sent = on_sent
        self._size = size
        self._on_progress = on_progress
        self._piece_size = piece_size or files.UPLOAD_CHUNK_SIZE
        self._hash = files.AttemptDigest(size)
        self._attempt = 0

    @property
    def hexdigest(self) -> str | None:
        """The SHA-256 of the last attempt's bytes, once it read the whole file; else None."""
        return self._hash.hexdigest

    def _read(self, offset: int, n: int) -> bytes:
        """One piece, read and hashed in a worker thread (a read at offset 0 starts a new hash)."""
        piece = self._opened.read_at(offset, n)
        self._hash.add(offset, piece)
        return piece

    def _read_from(self, offset: int) -> asyncio.Future[bytes] | None:
        if offset >= self._size:
            return None
        first = max(1, self._piece_size // FIRST_PIECE_FRACTION)
        n = min(self._piece_size, max(first, offset), self._size - offset)
        return asyncio.get_running_loop().run_in_executor(None, self._read, offset, n)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._attempt += 1
        sent = 0
        # One piece at a time, in order (the hash needs them so): each read starts once the
        # piece before has been handed to the socket.
        reading = self._read_from(0)
        try:
            while reading is not None:
                piece = await reading
                reading = None
                if not piece:
                    break
                sent += len(piece)
                if self._on_progress is not None:
                    self._on_progress(sent, self._size, self._attempt)
                yield piece
                reading = self._read_from(sent)
                if reading is None and self._on_sent is not None:
                    on_sent, self._on_sent = self._on_sent, None
                    on_sent()
        finally:
            if reading is not None:  # an attempt cut short: its read finishes before the file may close
                with contextlib.suppress(Exception):
                    await asyncio.shield(reading)
        if sent != self._size:
            raise OSError(f"{self._opened} changed size during upload ({sent} of {self._size} bytes)")
