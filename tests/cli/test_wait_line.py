"""The live status line of a wait: it ticks between polls and counts from the job's creation."""

from __future__ import annotations

from types import SimpleNamespace

from heygen_lipsync.cli._progress import WaitLine


def test_the_line_counts_from_the_jobs_created_at_and_ticks_between_polls() -> None:
    now = [1_000_000.0]
    line = WaitLine(clock=lambda: now[0])
    # The job was made 65 s before this wait's first poll (e.g. by an earlier create).
    line.update(SimpleNamespace(id="ls_1", status="processing", created_at=int(now[0]) - 65), 0.0)
    assert line.plain() == "ls_1: processing (1m05s)"
    now[0] += 1  # no poll in between: each render reads the clock
    assert line.plain() == "ls_1: processing (1m06s)"


def test_without_created_at_the_line_counts_from_the_waits_start() -> None:
    now = [500.0]
    line = WaitLine(clock=lambda: now[0])
    line.update(SimpleNamespace(id="ls_2", status="queued", created_at=None), 4.0)
    assert line.plain() == "ls_2: queued (4s)"
    now[0] += 2
    assert line.plain() == "ls_2: queued (6s)"
