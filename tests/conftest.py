"""Shared test configuration."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _restore_root_logging() -> Iterator[None]:
    """Undo what an in-process `main()` does to the root logger.

    The commands configure logging for their whole process (a stderr handler on the root
    logger, a level). In a test that handler points at pytest's captured stderr, which is
    closed after the test, so every later log line would print "--- Logging error ---".
    """
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    httpx_level = logging.getLogger("httpx").level
    yield
    for handler in list(root.handlers):
        if handler not in before and type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(httpx_level)
