"""Page tokens: opaque cursors that name the endpoint (and query) they continue.

A token is URL-safe base64 of `{"k": kind, "v": value}`. `kind` ties a token to the
list that issued it (a batch's token does not page another batch), and decoding checks
both the kind and the value's shape, so a forged or foreign token is a 400, never a 500.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from heygen_lipsync.sandbox.errors import ApiError, invalid

__all__ = ["decode_offset", "decode_position", "encode"]

# Every position or offset the sandbox issues fits SQLite's signed 64-bit integer.
_MAX_VALUE = 2**63 - 1


def encode(kind: str, value: int) -> str:
    """A token continuing the list `kind` at `value` (an offset or a row sequence number)."""
    raw = json.dumps({"k": kind, "v": value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _foreign() -> ApiError:
    return invalid("token", "'token' is not a cursor this endpoint issued.")


def _decode(kind: str, token: str | None) -> Any:
    if token is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, RecursionError):  # not base64 or JSON, or nested too deeply to parse
        data = None
    if not isinstance(data, dict) or data.get("k") != kind or "v" not in data:
        raise _foreign()
    return data["v"]


def decode_position(kind: str, token: str | None) -> int | None:
    """The row position a `kind` token continues after; None without a token.

    Raises:
        ApiError: 400 param `token` for a token this endpoint did not issue.
    """
    value = _decode(kind, token)
    if value is not None and (not isinstance(value, int) or not 0 <= value <= _MAX_VALUE):
        raise _foreign()
    return value


def decode_offset(kind: str, token: str | None) -> int:
    """The offset a `kind` token continues at; 0 without a token.

    Raises:
        ApiError: 400 param `token` for a token this endpoint did not issue.
    """
    offset = _decode(kind, token) or 0
    if not isinstance(offset, int) or not 0 <= offset <= _MAX_VALUE:
        raise _foreign()
    return offset
