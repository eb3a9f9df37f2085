"""`batch create` with many big local files sends them as one upload batch (HeyGen's, one presign and one complete)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from heygen_lipsync.jobs import upload_many
from heygen_lipsync.media import files
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO
from tests.cli.conftest import Cli


def test_batch_create_sends_its_big_files_in_one_upload_batch(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MULTIPART_MAX_BYTES", 1024)  # the samples stand for files over 32 MB
    batches: list[list[str]] = []
    real = upload_many.upload_batch

    async def spy(http: Any, api: Any, batch: Any, **kwargs: Any) -> Any:
        batches.append([file.field for file in batch])
        return await real(http, api, batch, **kwargs)

    monkeypatch.setattr(upload_many, "upload_batch", spy)
    jobs = []
    for i in range(3):
        video = tmp_path / f"talk{i}.mp4"
        shutil.copyfile(SAMPLE_VIDEO, video)
        video.write_bytes(video.read_bytes() + bytes([i]))  # three contents, three uploads
        jobs.append({"video": video.name, "audio": str(SAMPLE_AUDIO)})
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps(jobs))
    batch_id = cli.json("batch", "create", manifest)["batch_id"]
    assert len(cli.json("batch", "get", batch_id)["items"]) == 3
    # One upload batch: the three videos and the audio the jobs share (sent once).
    assert batches == [["lipsyncs[0].video", "lipsyncs[0].audio", "lipsyncs[1].video", "lipsyncs[2].video"]]
