"""A completed job's video_url serves a real MP4: the source video with the new audio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO
from heygen_lipsync.sandbox.media import sniff_bytes
from tests.sandbox.conftest import create, sample_request, wait


def _download(url: str, dest: Path) -> Path:
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    dest.write_bytes(response.content)
    return dest


def _streams(path: Path) -> tuple[int, int, float, str]:
    with av.open(str(path)) as container:
        video = container.streams.video
        audio = container.streams.audio
        durations = [float(s.duration * s.time_base) for s in container.streams if s.duration is not None]
        return len(video), len(audio), max(durations), audio[0].codec_context.name


def test_the_samples_are_small_and_playable() -> None:
    assert SAMPLE_VIDEO.stat().st_size + SAMPLE_AUDIO.stat().st_size < 1024 * 1024
    assert _streams(SAMPLE_VIDEO)[:2] == (1, 1)
    assert sniff_bytes(SAMPLE_AUDIO.read_bytes()[:64]) == "audio/wav"


@pytest.mark.parametrize(
    ("options", "expected_duration"),
    [
        ({}, 3.0),  # dynamic duration (the default): as long as the 3 s audio
        ({"enable_dynamic_duration": False}, 4.0),  # as long as the 4 s video, audio padded
        ({"start_time": 1.0, "end_time": 2.0, "enable_dynamic_duration": False}, 1.0),
        ({"start_time": 2.5}, 3.0),  # a 1.5 s segment looped under 3 s of audio
    ],
)
def test_output_is_the_video_with_the_new_audio(
    client: httpx.Client, tmp_path: Path, options: dict[str, Any], expected_duration: float
) -> None:
    job = wait(client, create(client, sample_request(client, **options)))
    assert job["status"] == "completed", job["failure_message"]
    out = _download(job["video_url"], tmp_path / "out.mp4")
    videos, audios, duration, audio_codec = _streams(out)
    assert (videos, audios, audio_codec) == (1, 1, "aac")
    assert duration == pytest.approx(job["duration"], abs=0.05)
    assert job["duration"] == pytest.approx(expected_duration, abs=0.05)


def test_captions_are_served_for_every_job(client: httpx.Client) -> None:
    # HeyGen deprecated enable_caption: captions are always generated.
    job = wait(client, create(client, sample_request(client)))
    srt = httpx.get(job["caption_url"])
    assert srt.status_code == 200
    assert "-->" in srt.text and "lips not re-animated" in srt.text


def test_presigned_urls_refuse_tampering(client: httpx.Client) -> None:
    job = wait(client, create(client, sample_request(client)))
    tampered = job["video_url"].replace("signature=", "signature=0")
    response = httpx.get(tampered)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_deleting_a_job_removes_its_files(client: httpx.Client) -> None:
    job = wait(client, create(client, sample_request(client, enable_caption=True)))
    assert httpx.get(job["video_url"]).status_code == 200
    assert client.delete(f"/v3/lipsyncs/{job['id']}").json() == {"data": {"id": job["id"]}}
    assert httpx.get(job["video_url"]).status_code == 404
    assert httpx.get(job["caption_url"]).status_code == 404
    assert client.get(f"/v3/lipsyncs/{job['id']}").status_code == 404
    assert client.delete(f"/v3/lipsyncs/{job['id']}").json()["error"]["code"] == "not_found"
