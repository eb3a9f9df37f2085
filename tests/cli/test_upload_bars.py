"""Upload bars inside `create` name their field and file; a retried upload gets a bar of its own."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from heygen_lipsync.cli import _progress
from heygen_lipsync.resources.uploads import UploadEvent


def test_each_upload_bar_names_its_file_and_a_retry_its_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(_progress, "stderr_console", lambda: Console(file=out, force_terminal=True, width=150))
    with _progress.upload_progress() as events:
        events(UploadEvent("video", Path("talks/clip.mp4"), 0, 100, 1))
        events(UploadEvent("video", Path("talks/clip.mp4"), 100, 100, 1))
        events(UploadEvent("audio", Path("voice.wav"), 10, 50, 1))
        events(UploadEvent("audio", Path("voice.wav"), 50, 50, 2))
    text = out.getvalue()
    assert "uploading video clip.mp4" in text
    assert "uploading audio voice.wav" in text and "uploading audio voice.wav (attempt 2)" in text
