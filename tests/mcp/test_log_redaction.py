"""The server's log never holds the API key, not even inside a traceback (issue 12, item 10)."""

from __future__ import annotations

import importlib
import io
import logging
from collections.abc import Iterator

import pytest

from heygen_lipsync.mcp.errors import error_result
from heygen_lipsync.mcp.logs import RedactingFormatter, stderr_handler

FAKE_KEY = "sk-FAKE-log-key-3b9d2e71-never-in-a-log"


def _unexpected_error() -> RuntimeError:
    # As httpx words a key with a newline in it, and a cause that holds its repr.
    try:
        try:
            raise ValueError(f"Illegal header value {(FAKE_KEY + chr(10)).encode()!r}")
        except ValueError as cause:
            raise RuntimeError(f"request failed with key {FAKE_KEY}") from cause
    except RuntimeError as exc:
        return exc


@pytest.fixture
def server_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the server's stderr handler writes for the ``heygen_lipsync.mcp`` logger."""
    monkeypatch.setenv("HEYGEN_API_KEY", FAKE_KEY)
    stream = io.StringIO()
    handler = stderr_handler(stream)
    logger = logging.getLogger("heygen_lipsync.mcp")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_an_unexpected_errors_traceback_is_logged_without_the_key(server_log: io.StringIO) -> None:
    result = error_result(_unexpected_error(), tool="get_lipsync")
    assert result.is_error
    log = server_log.getvalue()
    assert "Traceback" in log and "RuntimeError" in log  # still a traceback worth reading
    assert FAKE_KEY not in log and FAKE_KEY.replace("-", "\\x2d") not in log
    assert "***" in log


def test_the_server_installs_the_redacting_handler() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        # The module, not the package's `main` function of the same name.
        importlib.import_module("heygen_lipsync.mcp.main")._configure_logging("INFO")
        assert [type(h.formatter) for h in root.handlers] == [RedactingFormatter]
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
