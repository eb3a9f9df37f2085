"""Issue 15: every command the CLI prints for a person to copy works when copied (in a --sandbox session)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.cli.conftest import Cli

_HINT = re.compile(r"(heygen-lipsync [^\n]*?)(?:\)|$)", re.MULTILINE)


@pytest.fixture
def sandboxed(cli: Cli) -> Cli:
    """A --sandbox session: no API key anywhere, fast jobs, its own data directory."""
    return Cli(
        env={
            **cli.env,
            "HEYGEN_API_KEY": None,
            "HEYGEN_BASE_URL": None,
            "HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "0.05",
            "HEYGEN_LIPSYNC_SANDBOX_RUNNING_SECONDS": "0.3",
        }
    )


def _hints(stderr: str) -> list[list[str]]:
    """Every ``heygen-lipsync ...`` command printed, as argument lists (without the program name)."""
    text = "\n".join(line for line in stderr.splitlines() if not line.startswith("{"))  # not the JSON error
    return [shlex.split(match)[1:] for match in _HINT.findall(text)]


def _run_hint(cli: Cli, stderr: str, word: str, expected: int = 0) -> str:
    hints = [h for h in _hints(stderr) if word in h]
    assert hints, f"no hint with {word!r} in: {stderr}"
    for hint in hints:
        assert "--sandbox" in hint, hint
        result = cli(*hint)
        assert result.exit_code == expected, f"{shlex.join(hint)} -> exit {result.exit_code}: {result.stderr}"
    return result.stderr


def test_create_then_wait_hint_works(sandboxed: Cli, samples: tuple[Path, Path]):
    video, audio = samples
    created = sandboxed("--sandbox", "create", "--video", video, "--audio", audio)
    assert created.exit_code == 0, created.stderr
    _run_hint(sandboxed, created.stderr, "wait")


def test_the_timeout_resume_keeps_the_download(sandboxed: Cli, samples: tuple[Path, Path], tmp_path: Path):
    video, audio = samples
    slow = Cli(env={**sandboxed.env, "HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "1.5"})
    timed_out = slow(
        "--sandbox", "create", "--video", video, "--audio", audio, "--download", "out.mp4", "--timeout", "1"
    )
    assert timed_out.exit_code == 4, timed_out.stderr
    resume = next(h for h in _hints(timed_out.stderr) if "wait" in h)
    assert resume[-2:] == ["--download", "out.mp4"]
    payload = json.loads(timed_out.stderr.strip().splitlines()[-1])
    assert "--download out.mp4" in payload["error"]["resume"]
    _run_hint(slow, timed_out.stderr, "wait")
    assert (tmp_path / "out.mp4").stat().st_size > 0


def test_wait_download_saves_the_video(sandboxed: Cli, samples: tuple[Path, Path], tmp_path: Path):
    video, audio = samples
    lipsync_id = json.loads(sandboxed("--sandbox", "create", "--video", video, "--audio", audio).stdout)["lipsync_id"]
    waited = sandboxed("--sandbox", "wait", lipsync_id, "--download", "saved.mp4")
    assert waited.exit_code == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "completed"
    assert (tmp_path / "saved.mp4").stat().st_size > 0


def test_list_more_hint_works(sandboxed: Cli, samples: tuple[Path, Path]):
    video, audio = samples
    for n in range(2):  # two jobs: an identical create would return the first one
        assert (
            sandboxed("--sandbox", "create", "--video", video, "--audio", audio, "--title", f"job {n}").exit_code == 0
        )
    listed = sandboxed("--sandbox", "--human", "list", "--limit", "1")
    assert listed.exit_code == 0, listed.stderr
    _run_hint(sandboxed, listed.stderr, "--token")


def test_batch_create_wait_download_hints_work(sandboxed: Cli, samples: tuple[Path, Path], tmp_path: Path):
    video, audio = samples
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"video,audio,title\n{video},{audio},Episode 4 FR\n{video},{audio},\n")
    created = sandboxed("--sandbox", "batch", "create", manifest)
    assert created.exit_code == 0, created.stderr
    waited = _run_hint(sandboxed, created.stderr, "wait")
    assert "2 of 2 done" in waited
    _run_hint(sandboxed, waited, "download")
    assert sorted(p.name for p in tmp_path.glob("*.mp4")) == ["Episode_4_FR.mp4", "item-1.mp4"]
    # Again: never over the first files.
    _run_hint(sandboxed, waited, "download")
    assert sorted(p.name for p in tmp_path.glob("*.mp4")) == [
        "Episode_4_FR-2.mp4",
        "Episode_4_FR.mp4",
        "item-1-2.mp4",
        "item-1.mp4",
    ]


def test_batch_wait_exits_4_while_still_running(sandboxed: Cli, samples: tuple[Path, Path], tmp_path: Path):
    video, audio = samples
    slow = Cli(env={**sandboxed.env, "HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS": "60"})
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"video,audio\n{video},{audio}\n")
    batch_id = json.loads(slow("--sandbox", "batch", "create", manifest).stdout)["batch_id"]
    waited = slow("--sandbox", "batch", "wait", batch_id, "--timeout", "1")
    assert waited.exit_code == 4, waited.stderr
    assert "0 of 1 done" in waited.stderr
    assert any(h[-3:] == ["batch", "wait", batch_id] for h in _hints(waited.stderr))
