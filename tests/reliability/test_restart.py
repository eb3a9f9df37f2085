"""Sandbox restart mid-run: what was acknowledged before survives, and retried keys replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from heygen_lipsync import AssetSource, AsyncLipsyncClient, LipsyncRequest
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, create_app
from heygen_lipsync.sandbox.faults import SandboxASGI
from tests.reliability.scenarios import kill_mid_run, restart_mid_run, sandbox_config, titles_of

BASE = "http://127.0.0.1"  # requests go to the ASGI app in process, never to the network


def stored_jobs_of(app: SandboxASGI) -> list[tuple[str, str | None]]:
    return [(job.id, job.title) for job in app.sandbox.store.list_jobs(1_000_000, None)]


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


@pytest.mark.anyio
async def test_jobs_acknowledged_before_the_sandbox_is_killed_are_there_after_it(tmp_path: Path) -> None:
    report = await kill_mid_run(tmp_path / "sandbox", 40, kill_after=10)

    assert len(report.acknowledged_before) >= 10
    assert [i for i, status in report.found_after.items() if status is None] == []
    assert all(report.replayed[title] == i for title, i in report.acknowledged_before.items())


class _Crash(BaseException):
    """The sandbox process dying at this exact point (not an error any handler would catch)."""


@pytest.mark.anyio
async def test_a_crash_between_a_jobs_insert_and_its_key_record_makes_no_second_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "sandbox"
    first = create_app(sandbox_config(data_dir=data))
    async with AsyncLipsyncClient(
        base_url=BASE, api_key=first.config.api_key, transport=httpx.ASGITransport(first)
    ) as c:
        video = (await c.upload(SAMPLE_VIDEO)).asset_id
        audio = (await c.upload(SAMPLE_AUDIO)).asset_id
        request = LipsyncRequest(video=AssetSource(video), audio=AssetSource(audio), title="crash")

        insert_jobs = first.sandbox.store.insert_jobs

        def insert_then_die(*args: Any, **kwargs: Any) -> None:
            # The process dies right after the job's row is written, before anything else.
            insert_jobs(*args, **kwargs)
            raise _Crash

        monkeypatch.setattr(first.sandbox.store, "insert_jobs", insert_then_die)
        with pytest.raises(_Crash):
            await c.create(request, idempotency_key="crash-key")
    first.sandbox.close()

    second = create_app(sandbox_config(data_dir=data))
    try:
        async with AsyncLipsyncClient(
            base_url=BASE, api_key=second.config.api_key, transport=httpx.ASGITransport(second)
        ) as client:
            await client.create(request, idempotency_key="crash-key")  # the caller's retry, same key
        titles = [title for _, title in stored_jobs_of(second)]
    finally:
        second.sandbox.close()
    assert titles.count("crash") == 1
