"""A file whose name begins with ``~`` is a file in the current directory, not a home directory (issue 12)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.conftest import Cli


def test_create_with_a_video_named_tilde_dub_mp4(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    video, audio = samples
    shutil.copy(video, tmp_path / "~dub.mp4")  # the cli fixture runs in tmp_path
    out = cli.json("create", "--video", "~dub.mp4", "--audio", audio)
    assert out["lipsync_id"]  # no "Could not determine home directory": the file was uploaded
