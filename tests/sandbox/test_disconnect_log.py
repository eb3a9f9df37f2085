"""A client that hangs up mid-request: one INFO line in the sandbox's log, no traceback at ERROR, and its
Idempotency-Key left free (the request was never answered)."""

from __future__ import annotations

import logging
import socket
import threading

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_VIDEO, EmbeddedSandbox
from tests.sandbox.conftest import fast_config


class _Seen(logging.Handler):
    """Sets an event when the sandbox logs the disconnect, so the test waits for it, not for a time."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "disconnected" in record.getMessage() or record.levelno >= logging.ERROR:
            self.event.set()


def test_a_client_that_disconnects_mid_direct_upload_logs_one_info_line(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO)
    seen = _Seen()
    logging.getLogger().addHandler(seen)
    try:
        with EmbeddedSandbox(fast_config()) as box:
            body = {"filename": "v.mp4", "content_type": "video/mp4", "size_bytes": 1_000_000}
            started = httpx.post(
                f"{box.base_url}/v3/assets/direct-uploads", json=body, headers={"x-api-key": box.api_key}
            ).json()["data"]
            url = httpx.URL(started["upload_url"])
            headers = "".join(f"{k}: {v}\r\n" for k, v in started["upload_headers"].items())
            with socket.create_connection((url.host, url.port or 80), timeout=10) as sock:
                head = f"PUT {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}\r\n{headers}"
                head += "Content-Length: 1000000\r\n\r\n"  # promised, never sent in full
                sock.sendall(head.encode() + b"\0" * 4096)
            # The socket is closed with most of the promised body unsent.
            assert seen.event.wait(10), "the sandbox logged nothing about the abandoned request"
    finally:
        logging.getLogger().removeHandler(seen)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    lines = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert lines[0].exc_info is None  # one line, no traceback
    assert "/_sandbox/uploads/" in lines[0].getMessage()


def test_a_multipart_upload_cut_off_midway_leaves_its_key_free_for_the_retry(caplog: pytest.LogCaptureFixture) -> None:
    # A client killed while sending a file (a campaign worker, say) never finished its request:
    # HeyGen never answered it, so its Idempotency-Key must not replay a 400 to the retry.
    caplog.set_level(logging.INFO)
    key = "upload-cut-off-1"
    video = SAMPLE_VIDEO.read_bytes()
    with EmbeddedSandbox(fast_config()) as box:
        url = httpx.URL(f"{box.base_url}/v3/assets")
        boundary = "cutoffboundary"
        part = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="talk.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode() + video[: len(video) // 2]
        promised = len(part) + len(video) // 2 + len(f"\r\n--{boundary}--\r\n")
        seen = _Seen()
        logging.getLogger().addHandler(seen)
        try:
            with socket.create_connection((url.host, url.port or 80), timeout=10) as sock:
                head = (
                    f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}\r\nx-api-key: {box.api_key}\r\n"
                    f"Idempotency-Key: {key}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {promised}\r\n\r\n"
                )
                sock.sendall(head.encode() + part)  # then hang up, half the file unsent
            assert seen.event.wait(10), "the sandbox logged nothing about the abandoned request"
        finally:
            logging.getLogger().removeHandler(seen)
        retry = httpx.post(
            str(url),
            headers={"x-api-key": box.api_key, "Idempotency-Key": key},
            files={"file": ("talk.mp4", video, "video/mp4")},
            timeout=30,
        )
        assert retry.status_code == 200, retry.text
        assert "Idempotent-Replayed" not in retry.headers
        assert retry.json()["data"]["size_bytes"] == len(video)
