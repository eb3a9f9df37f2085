"""Sandbox restart mid-run: what was acknowledged before survives, and retried keys replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.scenarios import restart_mid_run, titles_of

N = 30


@pytest.mark.anyio
@pytest.mark.usefixtures("instant_retries")
async def test_jobs_acknowledged_before_a_restart_are_there_after_it(tmp_path: Path) -> None:
    report = await restart_mid_run(tmp_path / "sandbox", N, stop_after=12)

    assert len(report.acknowledged_before) >= 12
    missing = [i for i, status in report.found_after.items() if status is None]
    assert missing == []
    # Re-sending every create with its own key after the restart: the acknowledged ones
    # replay their first answer, the others are created once; exactly N jobs in all.
    for title, lipsync_id in report.acknowledged_before.items():
        assert report.replayed[title] == lipsync_id
    counts = titles_of(report.stored_after)
    assert len(report.stored_after) == N
    assert all(counts[title] == 1 for title in report.replayed)
