"""Secret redaction, in one function for every output: messages, JSON errors, logs, tracebacks.

Library messages are built never to hold a secret, but text from elsewhere can (httpx's
"Illegal header value b'...'" echoes a malformed key). ``redact`` replaces every known
secret by ``***`` in the forms it takes in such text: as it is, inside ``repr()`` of a
string or of bytes (``\\n`` for a newline), JSON-escaped (also twice, a JSON error that
carries a repr), and, for a key with whitespace or control characters in it, each long
piece of it on its own (a newline splits it across log lines).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping

__all__ = ["MIN_SECRET_LENGTH", "SECRET_ENV_VARS", "redact", "secret_forms"]

# The environment variables that hold this project's secrets (API key, OAuth token, the
# MCP HTTP transport's bearer token).
SECRET_ENV_VARS = ("HEYGEN_API_KEY", "HEYGEN_BEARER_TOKEN", "HEYGEN_LIPSYNC_MCP_TOKEN")
# Shorter values are not secrets worth the false positives ("***" for every "abc").
MIN_SECRET_LENGTH = 4
_PIECE_MIN_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\x00-\x1f\x7f]+")


def secret_forms(secret: str) -> set[str]:
    """Every form of ``secret`` that ``redact`` removes (empty when it is too short to be one)."""
    forms: set[str] = set()
    for value in {secret, secret.strip()}:
        if len(value) < MIN_SECRET_LENGTH:
            continue
        escaped = {
            value,
            repr(value)[1:-1],
            repr(value.encode("utf-8", "backslashreplace"))[2:-1],
            json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
        }
        escaped |= {json.dumps(form)[1:-1] for form in list(escaped)}
        forms |= escaped
        forms |= {piece for piece in _SEPARATORS.split(value) if len(piece) >= _PIECE_MIN_LENGTH}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def redact(text: str, secrets: Iterable[str | None] = (), *, env: Mapping[str, str] | None = None) -> str:
    """``text`` with every form of every known secret replaced by ``***``.

    The known secrets are ``secrets`` plus the values of ``SECRET_ENV_VARS`` in ``env``
    (the process environment by default; pass ``{}`` to use only ``secrets``).

    Raises:
        Nothing: redaction never fails, whatever the text.
    """
    environ = os.environ if env is None else env
    known = [s for s in secrets if s] + [environ.get(name, "") for name in SECRET_ENV_VARS]
    forms: set[str] = set()
    for secret in known:
        forms |= secret_forms(secret)
    # Longest first, so that a form containing another is replaced whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text
