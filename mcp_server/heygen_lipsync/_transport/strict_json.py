"""Reading the API's JSON strictly: what Python's ``json`` accepts but no JSON consumer should get.

``json.loads`` accepts ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON: printed again by
``json.dumps`` they make output no other tool can read), turns ``1e400`` into an infinity,
and recurses once per nesting level, so an answer nested 100,000 deep raises
``RecursionError`` (and one nested 900 deep parses, then breaks whatever walks it next).
``check_json`` finds all of these before any parser sees the body and names where they are
(``data.duration``), so each becomes one ``unexpected_response`` error.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JSONProblem", "check_json", "loads_strict"]

#: Deepest nesting an answer may have. HeyGen's answers are 4 levels deep; any of its
#: objects, with room for fields it may add, fits well within this.
MAX_JSON_DEPTH = 64

# A JSON string (escapes included), or one structural character.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)


class JSONProblem(ValueError):
    """The body is not strict JSON; ``field`` is the dotted path to the fault (``data.duration``), or ``""``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field or 'the body'}: {reason}")
        self.field = field
        self.reason = reason


def _depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (strings skipped)."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        else:
            depth -= 1
    return deepest


def _path_too_deep(raw: bytes) -> str:
    """The path (keys; ``[]`` for array levels) down to where ``raw`` first nests too deep, shortened."""
    path: list[str] = []
    pending_key: str | None = None
    last_string: bytes | None = None
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token.startswith(b'"'):
            last_string = token
            continue
        if token == b":":
            pending_key = _key_text(last_string)
        elif token in (b"{", b"["):
            path.append(pending_key if pending_key is not None else "[]")
            pending_key = None
            if len(path) > MAX_JSON_DEPTH:
                break
        elif token in (b"}", b"]"):
            if path:
                path.pop()
            pending_key = None
        last_string = None
    return _dotted(path[1:])  # the outermost container has no name


def _key_text(token: bytes | None) -> str:
    if token is None:
        return "?"
    try:
        text = json.loads(token)
    except ValueError:
        return "?"
    return text if isinstance(text, str) else "?"


def _dotted(parts: list[str]) -> str:
    shown = parts[:4]
    text = ""
    for part in shown:
        text += part if part == "[]" or not text else f".{part}"
    return text + ("..." if len(parts) > len(shown) else "")


def _refuse_constant(name: str) -> Any:
    raise JSONProblem("", f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONProblem("", f"{text} is too large for a number")
    return value


def _where_not_finite(value: Any, path: str = "") -> str | None:
    """Unused on the fast path: find which field a non-finite number sits in."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        for key, item in value.items():
            found = _where_not_finite(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _where_not_finite(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def loads_strict(raw: bytes) -> Any:
    """Parse ``raw`` as strict JSON.

    Raises:
        JSONProblem: nested deeper than ``MAX_JSON_DEPTH``, or holding NaN, Infinity or a
            number too large for a float; ``field`` names where.
        ValueError: not JSON at all (``json.JSONDecodeError``, ``UnicodeDecodeError``).
    """
    if _depth(raw) > MAX_JSON_DEPTH:
        raise JSONProblem(_path_too_deep(raw), f"nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite)
    except JSONProblem as exc:
        # Which field: parse again leniently (the depth is known to be safe) and look.
        try:
            lenient = json.loads(raw)
        except ValueError:
            raise exc from None
        raise JSONProblem(_where_not_finite(lenient) or "", exc.reason) from None


def check_json(raw: bytes) -> JSONProblem | None:
    """The strictness problem of a body that parses as JSON, or None (also None for a body that is not JSON).

    A body that is not JSON at all is for the caller's own parser to report; this only
    finds what a lenient parser would let through, or crash on.
    """
    try:
        loads_strict(raw)
    except JSONProblem as exc:
        return exc
    except (ValueError, RecursionError):
        return None
    return None
