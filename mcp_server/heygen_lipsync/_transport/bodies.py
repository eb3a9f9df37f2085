"""Response bodies read with a size bound that holds after decompression.

httpx inflates a gzip or deflate body one network chunk at a time, with no bound: 99 KB of
gzip can become 100 MB in memory before anything counts it. ``BoundedDecoder`` inflates with
``zlib``'s ``max_length``, so no more than the room left (plus one byte, to notice) is ever
produced, and the compressed bytes are bounded too. The policy transport reads every answer
it does not stream through one (``read_bounded``); downloads feed their chunks through one.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

from heygen_lipsync._transport.strict_json import check_json
from heygen_lipsync.config import ENV_MAX_RESPONSE_BYTES
from heygen_lipsync.errors import APIError

__all__ = ["ACCEPT_ENCODING", "BodyTooLarge", "BoundedDecoder", "UnsupportedEncoding", "read_answer", "read_bounded"]

#: What the client asks for: only encodings it can inflate with a bound.
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The body (decoded, or as sent) passed its bound; ``limit`` is that bound in bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"body larger than {limit} bytes")
        self.limit = limit


class UnsupportedEncoding(Exception):
    """The body came in a content encoding the client did not ask for and cannot bound."""

    def __init__(self, encoding: str) -> None:
        super().__init__(f"unsupported content encoding {encoding!r}")
        self.encoding = encoding


class BoundedDecoder:
    """Decodes a body chunk by chunk (identity, gzip, deflate), never producing more than ``limit`` bytes.

    Raises (from ``feed``/``flush``):
        BodyTooLarge: more than ``limit`` bytes decoded, or sent.
        UnsupportedEncoding: an encoding other than identity, gzip, deflate (at construction).
        zlib.error: a corrupt compressed body.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.decoded = 0
        self.received = 0
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise UnsupportedEncoding(content_encoding or "")
        self._coding = codings[0] if codings else "identity"
        if self._coding in ("gzip", "x-gzip"):
            self._inflate: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._coding == "deflate":
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_tried = False
        elif self._coding == "identity":
            self._inflate = None
        else:
            raise UnsupportedEncoding(self._coding)

    def _room(self) -> int:
        return self.limit - self.decoded

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes of one more chunk of the body."""
        self.received += len(data)
        if self.received > self.limit:
            raise BodyTooLarge(self.limit)  # bounds the compressed bytes (and trailing junk) too
        out = data if self._inflate is None else self._decompress(data)
        self.decoded += len(out)
        if self.decoded > self.limit:
            raise BodyTooLarge(self.limit)
        return out

    def _decompress(self, data: bytes) -> bytes:
        assert self._inflate is not None
        try:
            out = self._inflate.decompress(data, self._room() + 1)
        except zlib.error:
            if self._coding != "deflate" or self._raw_deflate_tried or self.decoded:
                raise
            # "deflate" is sent both with and without the zlib wrapper: try the raw form.
            self._raw_deflate_tried = True
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflate.decompress(data, self._room() + 1)
        if len(out) > self._room():
            raise BodyTooLarge(self.limit)
        return out

    def flush(self) -> bytes:
        """What the decoder still holds at the end of the body."""
        if self._inflate is None:
            return b""
        out = self._inflate.flush(self._room() + 1)
        self.decoded += len(out)
        if self.decoded > self.limit:
            raise BodyTooLarge(self.limit)
        return out


async def read_bounded(chunks: AsyncIterator[bytes], content_encoding: str | None, limit: int) -> bytes:
    """The whole decoded body of ``chunks`` (raw bytes as sent), at most ``limit`` bytes.

    Raises:
        BodyTooLarge: the body passed ``limit`` bytes, decoded or as sent.
        UnsupportedEncoding: an encoding other than identity, gzip or deflate.
        zlib.error: a corrupt compressed body.
    """
    decoder = BoundedDecoder(content_encoding, limit)
    parts: list[bytes] = []
    async for chunk in chunks:
        parts.append(decoder.feed(chunk))
    parts.append(decoder.flush())
    return b"".join(parts)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


_DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


async def read_answer(
    request: httpx.Request, response: httpx.Response, *, limit: int, strict_json: bool
) -> httpx.Response:
    """``response`` with its body read (and closed): at most ``limit`` bytes decoded, then held in memory.

    With ``strict_json`` (an API answer), a 2xx body that parses as JSON but is not strict
    JSON (too deep, NaN, Infinity) is refused; an error answer keeps its status (so its
    typed error) but not such a body.

    Raises:
        APIError: ``response_too_large`` past ``limit``; ``unexpected_response`` for a body
            that cannot be decoded, or a 2xx body that is not strict JSON (the field named).
    """
    where = f"{request.method} {request.url.path}"
    request_id = response.headers.get("x-request-id")
    try:
        if response.is_stream_consumed:  # built in memory (a test transport): already decoded
            content = await read_bounded(_once(response.content), None, limit)
        else:
            content = await read_bounded(response.aiter_raw(), response.headers.get("content-encoding"), limit)
    except BodyTooLarge:
        raise APIError(
            f"the answer to {where} is larger than {limit} bytes once decompressed ({ENV_MAX_RESPONSE_BYTES}); "
            f"stopped reading it. No HeyGen answer is that large: check HEYGEN_BASE_URL, or raise "
            f"{ENV_MAX_RESPONSE_BYTES} if this answer is expected",
            code="response_too_large",
            request_id=request_id,
        ) from None
    except (UnsupportedEncoding, zlib.error) as exc:
        raise APIError(
            f"unexpected response from {where}: HTTP {response.status_code} with a body that cannot be decoded "
            f"({exc}); check HEYGEN_BASE_URL and any proxy in between",
            code="unexpected_response",
            request_id=request_id,
        ) from None
    finally:
        await response.aclose()
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROPPED_HEADERS]
    problem = check_json(content) if strict_json else None
    if problem is not None and 200 <= response.status_code < 300:
        raise APIError(
            f"unexpected response from {where}: HTTP {response.status_code} with a body that is not valid JSON "
            f"at {problem}; nothing was read from it",
            code="unexpected_response",
            request_id=request_id,
        )
    if problem is not None:
        content = f"(body not shown: {problem})".encode()
    return httpx.Response(
        response.status_code, headers=headers, content=content, request=request, extensions=response.extensions
    )
