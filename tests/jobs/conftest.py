"""Fixtures for the jobs floor's tests: a fast sandbox, sample media in a folder, a ledger file, MCP servers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from heygen_lipsync.store import Ledger
from tests.cli.conftest import assume_yes, cli, sandbox
from tests.mcp.conftest import paid_server, settings, upstream, workdir

__all__ = [
    "assume_yes",
    "box",
    "cli",
    "client_of",
    "jobs_in",
    "ledger_path",
    "media",
    "paid_server",
    "sandbox",
    "settings",
    "upstream",
    "workdir",
]

FAST = SandboxConfig(pending_seconds=0.05, running_seconds=0.2)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def box() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(FAST) as sb:
        yield sb


@pytest.fixture
def media(tmp_path: Path) -> tuple[Path, Path]:
    """A video and an audio file of the samples, in a folder of the test's own."""
    folder = tmp_path / "media"
    folder.mkdir()
    video, audio = folder / "talk.mp4", folder / "dub.wav"
    shutil.copy(SAMPLE_VIDEO, video)
    shutil.copy(SAMPLE_AUDIO, audio)
    return video, audio


@pytest.fixture
def ledger_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The install's ledger, a file of the test's own (every client and process of the test shares it)."""
    path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(path))
    return path


def client_of(box: EmbeddedSandbox, ledger: Ledger | str | None = "default", retries: int = 0) -> AsyncLipsyncClient:
    """A client of the sandbox with the given ledger (the install's by default)."""
    return AsyncLipsyncClient(
        base_url=box.base_url,
        api_key=box.api_key,
        max_retries=retries,
        ledger=ledger,  # type: ignore[arg-type]
    )


def jobs_in(box: EmbeddedSandbox) -> int:
    """How many jobs the sandbox holds: what was paid for."""
    import httpx

    response = httpx.get(f"{box.base_url}/v3/lipsyncs?limit=100", headers={"x-api-key": box.api_key})
    return len(response.json()["data"])
