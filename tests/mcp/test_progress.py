"""Upload progress adds up over the files of one call, by the field and attempt each event names."""

from __future__ import annotations

from pathlib import Path

from heygen_lipsync.mcp.progress import UploadRelay
from heygen_lipsync.resources.uploads import UploadEvent, UploadEvents


def feed(relay: UploadRelay, events: list[tuple[str, int, int, int]]) -> list[int]:
    """Send ``(field, sent, total, attempt)`` events; return the relay's value after each."""
    values = []
    for field, sent, total, attempt in events:
        relay(UploadEvent(field, Path(f"{field}.bin"), sent, total, attempt))
        values.append(relay.value)
    return values


def test_the_relay_keeps_a_running_total_across_files():
    relay = UploadRelay(300)
    feed(relay, [("video", 50, 100, 1), ("video", 100, 100, 1), ("audio", 150, 200, 1), ("audio", 200, 200, 1)])
    assert relay.value == 300


def test_a_second_file_of_the_same_size_still_counts():
    relay = UploadRelay(200)
    feed(relay, [("video", 100, 100, 1), ("audio", 60, 100, 1), ("audio", 100, 100, 1)])
    assert relay.value == 200


def test_a_retried_upload_never_reaches_the_total_before_the_next_file_starts():
    # video (100 bytes) is sent, fails, and is sent again from 0; then audio (50 bytes).
    relay = UploadRelay(150)
    assert isinstance(relay, UploadEvents)  # the library sends it events, not bare (sent, total)
    video = [("video", n, 100, 1) for n in (40, 80)] + [("video", n, 100, 2) for n in (0, 40, 80, 100)]
    before_audio = feed(relay, video)
    after = feed(relay, [("audio", n, 50, 1) for n in (25, 50)])
    assert max(before_audio) == 100 < relay.total  # not 150/150 while the audio has not started
    values = before_audio + after
    assert values == sorted(values) and values[-1] == 150  # never backwards, and complete at the end
