"""Reliability tests: faults, restarts, fuzzing and secret hygiene, with small counts for CI.

The large runs are `python scripts/bench/reliability.py` (e.g. 1000 creates under faults).
Retry back-off is made instant here: these tests are about what happens, not when.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync import polling as waiting
from heygen_lipsync._transport import http as _http
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO

# Recognisable, so a leak is found by a plain substring search of every output.
FAKE_KEY = "sk-FAKE-SECRET-7f3a9c41-reliability-do-not-print"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _no_wait(seconds: float) -> None:
    # A hundredth of a second, not zero: a wait that keeps meeting transient errors polls
    # until its own timeout, and must not spin flat out meanwhile.
    await asyncio.sleep(min(seconds, 0.01))


@pytest.fixture
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Back-off and poll sleeps take (almost) no time (the library looks its sleep up at call time)."""
    monkeypatch.setattr(_http, "_sleep", _no_wait)
    monkeypatch.setattr(waiting, "_sleep", _no_wait)
    yield


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory, holding the sample media as talk.mp4 and dub.wav."""
    shutil.copy(SAMPLE_VIDEO, tmp_path / "talk.mp4")
    shutil.copy(SAMPLE_AUDIO, tmp_path / "dub.wav")
    monkeypatch.chdir(tmp_path)
    return tmp_path
