"""Upload progress adds up over the files of one call."""

from __future__ import annotations

from heygen_lipsync.mcp.progress import UploadRelay


def test_the_relay_keeps_a_running_total_across_files():
    relay = UploadRelay(300)
    for sent, total in [(50, 100), (100, 100), (100, 100), (150, 200), (200, 200)]:
        relay(sent, total)
    assert relay.value == 300


def test_a_second_file_of_the_same_size_still_counts():
    relay = UploadRelay(200)
    for sent, total in [(100, 100), (60, 100), (100, 100)]:
        relay(sent, total)
    assert relay.value == 200
