"""What a killed run leaves behind: a ``~name`` is a file here, and a dead download's ``.part`` is cleaned.

Issue 12, items 12 and 14. A download writes ``.<name>.<pid>.<random>.part`` beside its
destination and renames it into place; a process killed with SIGKILL never removes it, so the
next download of the same destination does, unless the process writing it is still alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.sources import FileSource, parse_source
from tests.lib.fakeapi import FakeHeyGen
from tests.lib.test_sources import MP4

# A child process that starts a download's temporary file under its own pid, says so, and waits.
_WRITER = """
import os, sys, time
from heygen_lipsync.media import downloads as files
name = files._part_name(sys.argv[2])
fd = os.open(os.path.join(sys.argv[1], name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"half a video")
print(name, flush=True)
time.sleep(600)
"""


def test_parse_source_reads_a_tilde_name_as_a_file_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~dub.mp4").write_bytes(MP4)
    source = parse_source("~dub.mp4", field="video")
    assert isinstance(source, FileSource) and Path(source.path).resolve() == (tmp_path / "~dub.mp4").resolve()


def _start_writer(folder: Path, name: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(folder), name], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    return child, child.stdout.readline().strip()


@pytest.mark.anyio
async def test_a_killed_downloads_part_file_is_cleaned_and_a_live_ones_kept(
    client: AsyncLipsyncClient, fake: FakeHeyGen, tmp_path: Path
) -> None:
    job = fake.add_job()
    fake.finish(fake.jobs[job])
    killed, dead_part = _start_writer(tmp_path, "out.mp4")
    live, live_part = _start_writer(tmp_path, "out.mp4")
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert (tmp_path / dead_part).exists()  # SIGKILL gave it no chance to clean up
        result = await client.download(job, tmp_path / "out.mp4")
        assert result.video_path.read_bytes() == f"video of {job}".encode()
        assert not (tmp_path / dead_part).exists()  # the dead writer's leftover is gone
        assert (tmp_path / live_part).read_bytes() == b"half a video"  # a running download is not touched
    finally:
        live.kill()
        live.wait()
        killed.stdout.close()  # type: ignore[union-attr]
        live.stdout.close()  # type: ignore[union-attr]
