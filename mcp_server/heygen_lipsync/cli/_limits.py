"""Bounds on what the CLI reads: input size, the kind of file, JSON depth and numbers, id length.

A body (``-d``), stdin and a batch manifest are read whole into memory, so each is capped
at ``MAX_INPUT_BYTES`` and read only from a regular file (or the stdin the user gave):
``batch create /dev/zero`` would otherwise grow until the kernel kills it, and a FIFO would
block until some writer appears. Files are opened non-blocking and checked by what was
opened, so a path swapped for a FIFO after a check cannot hang the read either.

Parsed JSON is bounded too: Python's parser raises ``RecursionError`` on deep nesting and
turns ``1e400`` into infinity, and the library would later fail on a 400-digit integer
with ``OverflowError``. Every such input is a ``UsageProblem`` (exit 2) naming it.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from pathlib import Path
from typing import Any

import typer

from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._state import state

__all__ = [
    "MAX_ID_LENGTH",
    "MAX_INPUT_BYTES",
    "MAX_TOKEN_LENGTH",
    "check_id",
    "check_ids",
    "check_token",
    "load_json",
    "read_stdin",
    "read_text_file",
]

MAX_INPUT_BYTES = 10 * 1024 * 1024
# HeyGen's ids are a few dozen characters; a longer one is a paste gone wrong, and at
# tens of thousands of characters httpx refuses the URL ("URL too long").
MAX_ID_LENGTH = 255
# A next_token is an opaque cursor, longer than an id but never anywhere near this.
MAX_TOKEN_LENGTH = 4096
# Beyond this many digits an integer cannot even become a float (about 1.8e308).
_MAX_INT_DIGITS = 308
_CAP_TEXT = f"{MAX_INPUT_BYTES // (1024 * 1024)} MB"


def read_text_file(path: Path, *, name: str, param: str, encoding: str = "utf-8") -> str:
    """The text of a regular file of at most ``MAX_INPUT_BYTES``, opened without blocking.

    Raises:
        UsageProblem: it cannot be opened, is not a regular file (a FIFO, a device, a
            folder), is larger than the cap, or is not text in ``encoding``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UsageProblem(f"{name}: cannot be opened ({exc.strerror or exc})", param=param) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UsageProblem(f"{name} is not a regular file (a FIFO, device or folder); give a file", param=param)
        if info.st_size > MAX_INPUT_BYTES:
            raise UsageProblem(f"{name} is larger than {_CAP_TEXT} ({info.st_size} bytes)", param=param)
        try:
            data = fh.read(MAX_INPUT_BYTES + 1)  # the file may grow after fstat
        except OSError as exc:
            raise UsageProblem(f"{name}: cannot be read ({exc.strerror or exc})", param=param) from None
    return _decode(data, name=name, param=param, encoding=encoding)


def read_stdin(*, param: str) -> str:
    """Standard input, up to ``MAX_INPUT_BYTES``.

    Raises:
        UsageProblem: stdin holds more than the cap, or is not UTF-8 text.
    """
    source: Any = getattr(sys.stdin, "buffer", sys.stdin)
    data = source.read(MAX_INPUT_BYTES + 1)
    return _decode(data, name="stdin", param=param)


def _decode(data: bytes | str, *, name: str, param: str, encoding: str = "utf-8") -> str:
    if len(data) > MAX_INPUT_BYTES:
        raise UsageProblem(f"{name} is larger than {_CAP_TEXT}", param=param)
    if isinstance(data, str):
        return data
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"{name} is not UTF-8 text (byte {exc.start} cannot be decoded)", param=param) from None


def load_json(text: str, *, name: str, param: str, hint: str = "") -> Any:
    """Parse JSON, refusing what Python's parser would crash on or silently change.

    ``hint`` is added to the message of invalid JSON (what else the input could have been).

    Raises:
        UsageProblem: invalid JSON, nesting too deep for the parser, a number too large
            to use (``1e400``, a 400-digit integer) or ``NaN``/``Infinity``.
    """
    try:
        return json.loads(text, parse_float=_finite_float, parse_int=_bounded_int, parse_constant=_no_constant)
    except RecursionError:
        raise UsageProblem(f"{name} is nested too deeply to read as JSON", param=param) from None
    except _NumberTooLarge as exc:
        raise UsageProblem(f"{name} holds a number too large to use: {exc}", param=param) from None
    except ValueError as exc:
        raise UsageProblem(f"{name} is not valid JSON ({exc}){hint}", param=param) from None


class _NumberTooLarge(Exception):
    pass


def _shorten(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:10]}...({len(text)} digits)"


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberTooLarge(_shorten(text))
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _NumberTooLarge(_shorten(text))
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def check_id(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """A typer callback: refuse an id longer than ``MAX_ID_LENGTH`` with the CLI's error report.

    Raises:
        typer.Exit: with code 2, after the error line (and JSON) on stderr.
    """
    return _check_length(ctx, param, value, MAX_ID_LENGTH, "id")


def check_ids(ctx: typer.Context, param: typer.CallbackParam, values: list[str] | None) -> list[str] | None:
    """``check_id`` for a repeatable argument or option.

    Raises:
        typer.Exit: with code 2 when one of the ids is too long.
    """
    for value in values or ():
        check_id(ctx, param, value)
    return values


def check_token(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """A typer callback: refuse a page token longer than ``MAX_TOKEN_LENGTH``.

    Raises:
        typer.Exit: with code 2, after the error line (and JSON) on stderr.
    """
    return _check_length(ctx, param, value, MAX_TOKEN_LENGTH, "page token")


def _check_length(
    ctx: typer.Context, param: typer.CallbackParam, value: str | None, limit: int, what: str
) -> str | None:
    if value is not None and len(value) > limit:
        flag = next((opt for opt in param.opts if opt.startswith("--")), None)
        label = flag or param.metavar or (param.name or "value").upper()
        with error_boundary(state(ctx)):
            raise UsageProblem(
                f"{label}: {value[:20]}... ({len(value)} characters) is not a valid {what}; "
                f"{what}s are at most {limit} characters",
                param=param.name,
            )
    return value
