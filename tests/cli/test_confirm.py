"""The CLI asks before spending (issue 14): on a terminal y/N, --yes, refusal without one, --dry-run.

The terminal is real: the command runs in a child process on a pseudo-terminal (``pty``),
against a sandbox standing in for the paid API, and its job count says what was spent.
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync.client import AsyncLipsyncClient
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from tests.cli.conftest import Cli

CREATE = ("create", "--video", str(SAMPLE_VIDEO), "--audio", str(SAMPLE_AUDIO))
# A bound on how long the child may take, so a hung prompt fails the test instead of hanging it.
CHILD_BOUND_SECONDS = 60.0


@pytest.fixture
def api(tmp_path: Path) -> Iterator[EmbeddedSandbox]:
    """A fresh stand-in for the paid API: its job count starts at 0."""
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=0.2)) as box:
        yield box


def jobs(api: EmbeddedSandbox) -> int:
    async def count() -> int:
        async with AsyncLipsyncClient(api_key=api.api_key, base_url=api.base_url, ledger=None) as client:
            return len((await client.list()).items)

    return asyncio.run(count())


def uploads(api: EmbeddedSandbox) -> int:
    """How many files the API holds (uploads are paid storage, and a refused create must send none)."""
    return len(api.app.store._all("SELECT id FROM assets"))


def _env(api: EmbeddedSandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HEYGEN_LIPSYNC_ASSUME_YES", "HEYGEN_BEARER_TOKEN")}
    return {**env, "HEYGEN_BASE_URL": api.base_url, "HEYGEN_API_KEY": api.api_key, "NO_COLOR": "1"}


def on_terminal(api: EmbeddedSandbox, *args: str, answer: str | None) -> tuple[int, str]:
    """Run ``heygen-lipsync *args`` on a pseudo-terminal; type ``answer`` when asked. Exit code and screen."""
    main, child = pty.openpty()
    command = [sys.executable, "-c", "from heygen_lipsync.cli import main; main()", *args]
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=_env(api), close_fds=True)
    os.close(child)
    screen, answered = b"", False
    try:
        while True:
            ready, _, _ = select.select([main], [], [], CHILD_BOUND_SECONDS)
            if not ready:
                raise AssertionError(f"the command neither finished nor asked: {screen.decode(errors='replace')}")
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
            if answer is not None and not answered and b"[y/N]" in screen:
                os.write(main, answer.encode() + b"\n")
                answered = True
    finally:
        os.close(main)
    return process.wait(timeout=CHILD_BOUND_SECONDS), screen.decode(errors="replace")


def test_on_a_terminal_yes_creates_the_job(api: EmbeddedSandbox) -> None:
    code, screen = on_terminal(api, *CREATE, answer="y")
    assert "Spend about $0.10? [y/N]" in screen
    assert "3.0 s" in screen and "speed" in screen  # the preflight was shown before the question
    assert code == 0 and jobs(api) == 1 and uploads(api) == 2  # the video and the audio


def test_on_a_terminal_no_sends_nothing(api: EmbeddedSandbox) -> None:
    code, screen = on_terminal(api, *CREATE, answer="n")
    assert "Spend about $0.10?" in screen and "nothing was sent" in screen
    assert code != 0 and jobs(api) == 0 and uploads(api) == 0


def test_yes_on_a_terminal_asks_nothing(api: EmbeddedSandbox) -> None:
    code, screen = on_terminal(api, *CREATE, "--yes", answer=None)
    assert "[y/N]" not in screen
    assert code == 0 and jobs(api) == 1


def test_without_a_terminal_or_yes_it_refuses_with_exit_2_and_says_how(api: EmbeddedSandbox) -> None:
    cli = Cli(env={**_env(api), "HEYGEN_LIPSYNC_ASSUME_YES": None})
    result = cli(*CREATE)
    assert result.exit_code == 2
    assert "--yes" in result.stderr and "HEYGEN_LIPSYNC_ASSUME_YES=1" in result.stderr
    assert jobs(api) == 0 and uploads(api) == 0


def test_dry_run_shows_the_preflight_and_the_request_and_sends_nothing(api: EmbeddedSandbox) -> None:
    cli = Cli(env={**_env(api), "HEYGEN_LIPSYNC_ASSUME_YES": None})  # no terminal and no --yes: still allowed
    result = cli(*CREATE, "--dry-run", "--mode", "precision")
    assert result.exit_code == 0, result.stderr
    assert '"dry_run": true' in result.stdout and '"estimated_usd": 0.2' in result.stdout
    assert str(SAMPLE_VIDEO) in result.stdout  # the request that would be sent, its file not uploaded
    assert jobs(api) == 0 and uploads(api) == 0


def _sound_only_mp4(path: Path) -> Path:
    """Two seconds of a tone in an MP4 with no video stream."""
    import array
    import math

    import av

    rate = 48000
    tone = array.array("f", (math.sin(2 * math.pi * 440 * i / rate) for i in range(2 * rate)))
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        frame = av.AudioFrame(format="flt", layout="mono", samples=len(tone))
        frame.planes[0].update(tone.tobytes())
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return path


def test_a_video_without_a_video_stream_is_refused_before_any_request(api: EmbeddedSandbox, tmp_path: Path) -> None:
    sound = _sound_only_mp4(tmp_path / "sound.mp4")
    result = Cli(env=_env(api))(*CREATE[:2], str(sound), *CREATE[3:], "--yes")
    assert result.exit_code == 2, result.stderr
    assert "video" in result.stderr and "no video stream" in result.stderr
    assert jobs(api) == 0 and uploads(api) == 0
