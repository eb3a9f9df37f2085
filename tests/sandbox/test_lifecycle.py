"""Jobs move pending -> running -> completed | failed by the clock, and fail for real reasons."""

from __future__ import annotations

import http.server
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox
from tests.sandbox.conftest import create, fast_config, sample_request, upload, wait

ORDER = ["pending", "running", "completed"]


def test_a_job_is_pending_then_running_then_completed() -> None:
    with (
        EmbeddedSandbox(fast_config(pending_seconds=1.0, running_seconds=0.5)) as sb,
        httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as client,
    ):
        lipsync_id = create(client, sample_request(client))
        seen: list[str] = []
        while not seen or seen[-1] not in ("completed", "failed"):
            status = client.get(f"/v3/lipsyncs/{lipsync_id}").json()["data"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            time.sleep(0.02)
    assert seen[0] == "pending"
    assert seen[-1] == "completed"
    assert seen == sorted(seen, key=ORDER.index), seen


def test_progress_is_the_same_from_every_reader(tmp_path: Path) -> None:
    """Two sandboxes on one data directory report one job identically: state comes from stored timestamps."""
    config = fast_config(data_dir=tmp_path, pending_seconds=60)
    with EmbeddedSandbox(config) as one, EmbeddedSandbox(fast_config(data_dir=tmp_path)) as two:
        with httpx.Client(base_url=one.base_url, headers={"x-api-key": one.api_key}) as client:
            lipsync_id = create(client, sample_request(client))
        seen = [
            httpx.get(f"{sb.base_url}/v3/lipsyncs/{lipsync_id}", headers={"x-api-key": sb.api_key}).json()["data"]
            for sb in (one, two)
        ]
    assert seen[0]["status"] == seen[1]["status"] == "pending"
    assert seen[0]["created_at"] == seen[1]["created_at"]


@pytest.mark.parametrize(
    ("video_url", "expected"),
    [
        ("https://example.com/talk.mp4", "no internet access"),
        ("http://127.0.0.1:9/missing.mp4", "could not fetch the video URL"),
    ],
)
def test_unreachable_sources_fail_the_job_saying_why(client: httpx.Client, video_url: str, expected: str) -> None:
    body = {
        "video": {"type": "url", "url": video_url},
        "audio": {"type": "asset_id", "asset_id": upload(client, SAMPLE_AUDIO)},
    }
    job = wait(client, create(client, body))
    assert job["status"] == "failed"
    assert expected in job["failure_message"]
    assert job["video_url"] is None


def test_a_non_media_source_fails_the_job(client: httpx.Client) -> None:
    pdf = client.post("/v3/assets", files={"file": ("doc.pdf", b"%PDF-1.4\n%fake document\n" * 4)})
    body = {
        "video": {"type": "asset_id", "asset_id": pdf.json()["data"]["asset_id"]},
        "audio": {"type": "asset_id", "asset_id": upload(client, SAMPLE_AUDIO)},
    }
    job = wait(client, create(client, body))
    assert job["status"] == "failed"
    assert "not a media file" in job["failure_message"]


def test_audio_without_sound_fails_the_job(client: httpx.Client) -> None:
    png = client.post("/v3/assets", files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + bytes(64))})
    body = sample_request(client)
    body["audio"] = {"type": "asset_id", "asset_id": png.json()["data"]["asset_id"]}
    job = wait(client, create(client, body))
    assert job["status"] == "failed"
    assert "audio" in job["failure_message"]


def test_start_time_beyond_the_video_fails_the_job(client: httpx.Client) -> None:
    job = wait(client, create(client, sample_request(client, start_time=30)))
    assert job["status"] == "failed"
    assert "beyond the video's duration" in job["failure_message"]


@pytest.fixture
def file_server() -> Iterator[str]:
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(SAMPLE_VIDEO.parent))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_loopback_urls_are_fetched(client: httpx.Client, file_server: str) -> None:
    body = {
        "video": {"type": "url", "url": f"{file_server}/sample.mp4"},
        "audio": {"type": "url", "url": f"{file_server}/sample.wav"},
    }
    job = wait(client, create(client, body))
    assert job["status"] == "completed", job["failure_message"]


def test_the_sandbox_says_it_does_not_reanimate_lips(client: httpx.Client) -> None:
    job = client.get(f"/v3/lipsyncs/{create(client, sample_request(client))}").json()["data"]
    assert "NOT re-animated" in job["sandbox_note"]


def test_without_pyav_jobs_fail_saying_how_to_install_it(client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` now raises ImportError
    job = wait(client, create(client, sample_request(client)))
    assert job["status"] == "failed"
    assert "pip install 'heygen-lipsync[sandbox]'" in job["failure_message"]


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, object]], threading.Event]]:
    """A loopback HTTP server recording the JSON bodies POSTed to it: (base URL, bodies, first-arrival event)."""
    received: list[dict[str, object]] = []
    arrived = threading.Event()

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received, arrived
    finally:
        server.shutdown()
        server.server_close()


def test_a_served_sandbox_finishes_jobs_and_calls_back_without_being_polled(client: httpx.Client) -> None:
    with webhook_receiver() as (base, received, arrived):
        lipsync_id = create(client, sample_request(client, callback_url=f"{base}/hook", callback_id="cb-7"))
        assert arrived.wait(timeout=60)
    event = received[0]
    assert event["event_type"] == "lipsync.success"
    data = event["event_data"]
    assert isinstance(data, dict)
    assert data["lipsync_id"] == lipsync_id and data["callback_id"] == "cb-7"
    assert httpx.get(str(data["video_url"])).status_code == 200


def test_a_batch_calls_its_callback_url_once_when_its_last_job_finishes(client: httpx.Client) -> None:
    with webhook_receiver() as (base, received, arrived):
        url = f"{base}/batch-hook"
        body = sample_request(client)
        broken = {**body, "start_time": 999.0}  # beyond the sample video: this item fails
        response = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body, broken], "callback_url": url})
        batch_id = response.json()["data"]["batch_id"]
        assert arrived.wait(timeout=60)
        give_up = time.monotonic() + 30
        while client.get(f"/v3/lipsyncs/batches/{batch_id}").json()["data"]["status"] == "processing":
            assert time.monotonic() < give_up
            time.sleep(0.05)
        time.sleep(0.3)  # room for a duplicate to arrive, if one were sent
    assert len(received) == 1
    event = received[0]
    assert event["event_type"] == "batch.finished"
    assert event["event_data"] == {
        "batch_id": batch_id,
        "status": "completed",
        "total_items": 2,
        "counts_by_status": {"queued": 0, "processing": 0, "completed": 1, "failed": 1},
        "title": None,
    }


def test_a_job_is_produced_while_it_runs_and_finishes_at_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """HeyGen renders during a job's running time: the output is ready when the job's time is up.

    The sandbox once muxed only after the clock said "done", so every job lasted its configured
    length plus the muxing; and an outcome produced ahead must still not show before its time.
    """
    from heygen_lipsync.sandbox import clock, jobs

    produced: list[tuple[float, float]] = []  # (when production started, the job's done_at)
    real_produce = jobs.produce

    def spy(store: object, job: object) -> object:
        produced.append((clock.now(), job.done_at))  # type: ignore[attr-defined]
        return real_produce(store, job)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "produce", spy)
    with (
        EmbeddedSandbox(fast_config(pending_seconds=0.1, running_seconds=2.0)) as sb,
        httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as client,
    ):
        lipsync_id = create(client, sample_request(client))
        seen: list[tuple[float, str]] = []
        give_up = time.monotonic() + 60
        while (not seen or seen[-1][1] != "completed") and time.monotonic() < give_up:
            entry = client.get("/v3/lipsyncs/statuses", params={"lipsync_ids": lipsync_id}).json()["data"][0]
            seen.append((clock.now(), entry["status"]))
            time.sleep(0.02)
    assert seen[-1][1] == "completed"
    assert len(produced) == 1
    started, done_at = produced[0]
    assert started < done_at, "the output was produced only after the job's time was up"
    first_completed = next(at for at, status in seen if status == "completed")
    assert first_completed >= done_at, "the job showed completed before its time"
