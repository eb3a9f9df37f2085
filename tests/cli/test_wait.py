"""`wait` / `create --wait` polling: the first delay has a floor of 1 s, whatever --poll-interval says."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from heygen_lipsync import polling as waiting

from .conftest import Cli, created_id


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the wait asks for between polls (each actually sleeps a little, so the job advances)."""
    asked: list[float] = []

    async def short_sleep(seconds: float) -> None:
        asked.append(seconds)
        await asyncio.sleep(0.05)

    monkeypatch.setattr(waiting, "_sleep", short_sleep)
    return asked


@pytest.mark.parametrize("interval", ["0", "0.001", "0.5"])
def test_wait_polls_at_most_once_a_second(cli: Cli, samples: tuple[Path, Path], delays: list[float], interval: str):
    lipsync_id = created_id(cli, samples)
    result = cli("wait", lipsync_id, "--poll-interval", interval)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "completed"
    assert delays and min(delays) >= 0.8  # 1 s, less at most the 20% jitter


def test_create_wait_has_the_same_floor(cli: Cli, samples: tuple[Path, Path], delays: list[float]) -> None:
    result = cli("create", "--video", samples[0], "--audio", samples[1], "--wait", "--poll-interval", "0")
    assert result.exit_code == 0, result.stderr
    assert delays and min(delays) >= 0.8


def test_the_floor_is_in_the_help(cli: Cli) -> None:
    assert "at least 1 s" in " ".join(cli("wait", "--help").stdout.replace("│", " ").split())
