"""The MCP server's log: one stderr handler whose every line, tracebacks included, is redacted.

Tool errors are scrubbed where they are made (``errors.py``), but a log line's traceback is
written by ``logging`` itself, from the exception's own text: an unexpected error whose
message or locals repeat the API key (an httpx "Illegal header value" error does) would put
it on stderr. So the formatter redacts the whole formatted record, message and traceback
alike, with the library's one ``redaction.redact``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

from heygen_lipsync.redaction import redact

__all__ = ["LOG_FORMAT", "RedactingFormatter", "stderr_handler"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """A ``logging.Formatter`` whose output (message, traceback, stack) never holds a known secret.

    Known secrets are ``secrets`` plus the environment's (``redaction.SECRET_ENV_VARS``),
    read at each line so a key set after start-up is covered too.
    """

    def __init__(self, fmt: str = LOG_FORMAT, *, secrets: Iterable[str | None] = ()) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, redacted.

        Raises:
            Nothing beyond what ``logging.Formatter.format`` raises.
        """
        return redact(super().format(record), self._secrets)


def stderr_handler(stream: TextIO | None = None, *, secrets: Iterable[str | None] = ()) -> logging.Handler:
    """The server's log handler: ``stream`` (stderr by default; stdout belongs to JSON-RPC), redacted.

    Raises:
        Nothing.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets=secrets))
    return handler
