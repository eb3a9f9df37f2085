"""One campaign shared by several workers through a PostgreSQL store (DBOS queues underneath).

Workers are real `heygen-lipsync dub` processes running the same command against one sandbox
and one database, as a team would run them on several machines: each row is created and saved
once in all, the concurrency cap holds across the workers together, a killed worker's rows are
finished by the others, and a rerun pays nothing again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest
from heygen_lipsync.jobs.campaign import DubRow, dub_many
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from tests.ledger.stores import postgres_schema

CLI = str(Path(sys.executable).parent / "heygen-lipsync")
JOB_SECONDS = 0.6  # pending + running in the sandbox below


@pytest.fixture
def team_store(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A PostgreSQL store of the test's own, as the install's setting (child processes inherit it)."""
    with postgres_schema(postgres_url) as url:
        monkeypatch.setenv("HEYGEN_LIPSYNC_DATABASE_URL", url)
        monkeypatch.delenv("HEYGEN_LIPSYNC_LEDGER", raising=False)
        yield url


@pytest.fixture
def wide_box() -> Iterator[EmbeddedSandbox]:
    """A sandbox that would take many jobs at once: the campaign's own cap is what limits them."""
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.1, running_seconds=0.5, max_concurrent_jobs=100)) as sb:
        yield sb


def distinct_videos(folder: Path, count: int) -> list[Path]:
    """The sample video with a row-numbered `free` box at its end: distinct content, still a valid MP4."""
    folder.mkdir(parents=True, exist_ok=True)
    sample = Path(SAMPLE_VIDEO).read_bytes()
    videos = []
    for i in range(count):
        tag = f"row-{i:08d}".encode()
        path = folder / f"talk{i:02d}.mp4"
        path.write_bytes(sample + (8 + len(tag)).to_bytes(4, "big") + b"free" + tag)
        videos.append(path)
    return videos


def worker(box: EmbeddedSandbox, videos: list[Path], out: Path, cap: int) -> subprocess.Popen[str]:
    env = {**os.environ, "HEYGEN_BASE_URL": box.base_url, "HEYGEN_API_KEY": box.api_key}
    env.pop("HEYGEN_BEARER_TOKEN", None)
    command = [CLI, "--json", "dub", *map(str, videos), "--audio", str(SAMPLE_AUDIO), "--out", str(out), "--yes"]
    command += ["--max-concurrent", str(cap)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def most_at_once(box: EmbeddedSandbox) -> int:
    """The most jobs unfinished at one moment: every sandbox job runs JOB_SECONDS from its creation."""
    starts = sorted(job.created_at for job in box.app.store.list_jobs(10_000, None))
    return max(sum(1 for other in starts if start <= other < start + JOB_SECONDS) for start in starts)


def jobs_of(box: EmbeddedSandbox) -> int:
    return len(box.app.store.list_jobs(10_000, None))


def events_of(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.mark.usefixtures("team_store")
def test_two_workers_share_the_rows_and_the_cap(wide_box: EmbeddedSandbox, tmp_path: Path) -> None:
    videos = distinct_videos(tmp_path / "in", 8)
    out = tmp_path / "out"
    workers = [worker(wide_box, videos, out, cap=2) for _ in range(2)]
    results = [w.communicate(timeout=180) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], [err[-2000:] for _, err in results]
    assert jobs_of(wide_box) == 8  # each row created once in all
    assert sorted(p.name for p in out.glob("*.mp4")) == sorted(v.name for v in videos)
    # Two workers with a cap of 2 each would have run 4 at once: the cap is the campaign's, shared.
    assert most_at_once(wide_box) <= 2
    # Both workers report the whole campaign, each row done once.
    for stdout, _ in results:
        last = events_of(stdout)[-1]
        assert last["event"] == "finished" and last["totals"]["done"] == 8  # type: ignore[index]
    # Each row was created by exactly one of them.
    created = [e["row"] for stdout, _ in results for e in events_of(stdout) if e["event"] == "created"]
    assert sorted(created) == list(range(1, 9)) or sorted(created) == list(range(8))


@pytest.mark.usefixtures("team_store")
def test_a_killed_workers_rows_are_finished_by_the_other(wide_box: EmbeddedSandbox, tmp_path: Path) -> None:
    videos = distinct_videos(tmp_path / "in", 6)
    out = tmp_path / "out"
    survivor = worker(wide_box, videos, out, cap=2)
    doomed = worker(wide_box, videos, out, cap=2)
    assert doomed.stdout is not None
    for line in doomed.stdout:  # killed as soon as it has a job in flight
        if json.loads(line)["event"] == "created":
            break
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    stdout, stderr = survivor.communicate(timeout=180)

    assert survivor.returncode == 0, stderr[-2000:]
    assert jobs_of(wide_box) == 6  # the killed worker's job was followed, not created again
    assert len(list(out.glob("*.mp4"))) == 6
    assert events_of(stdout)[-1]["totals"]["done"] == 6  # type: ignore[index]

    # The killed worker started again finds the campaign done: nothing is created or paid again.
    again = worker(wide_box, videos, out, cap=2)
    stdout, stderr = again.communicate(timeout=180)
    assert again.returncode == 0, stderr[-2000:]
    assert jobs_of(wide_box) == 6
    assert not [e for e in events_of(stdout) if e["event"] == "created"]


@pytest.mark.anyio
@pytest.mark.usefixtures("team_store")
async def test_the_library_runs_a_shared_campaign_twice_in_one_process(
    wide_box: EmbeddedSandbox, tmp_path: Path
) -> None:
    videos = distinct_videos(tmp_path / "in", 3)
    rows = [DubRow(LipsyncRequest(video=FileSource(v), audio=FileSource(SAMPLE_AUDIO))) for v in videos]
    out = tmp_path / "out"
    async with AsyncLipsyncClient(base_url=wide_box.base_url, api_key=wide_box.api_key) as client:
        first = [event async for event in dub_many(client, rows, out, max_concurrent=2)]
        second = [event async for event in dub_many(client, rows, out, max_concurrent=2)]

    assert first[-1].kind == "finished" and first[-1].totals.done == 3
    assert second[-1].kind == "finished" and second[-1].totals.done == 3
    assert [e.kind for e in second if e.kind == "created"] == []
    assert jobs_of(wide_box) == 3
    report = [json.loads(line) for line in (out / "dub-report.jsonl").read_text().splitlines()]
    assert {line["status"] for line in report} == {"done"}


@pytest.mark.anyio
@pytest.mark.usefixtures("team_store")
async def test_two_shared_campaigns_at_once_in_one_process_both_finish(
    wide_box: EmbeddedSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import anyio

    videos = distinct_videos(tmp_path / "in", 4)
    rows = [DubRow(LipsyncRequest(video=FileSource(v), audio=FileSource(SAMPLE_AUDIO))) for v in videos]
    finals: dict[str, object] = {}
    async with AsyncLipsyncClient(base_url=wide_box.base_url, api_key=wide_box.api_key) as client:

        async def campaign(name: str, part: list[DubRow]) -> None:
            events = [event async for event in dub_many(client, part, tmp_path / name, max_concurrent=2)]
            finals[name] = events[-1]

        async with anyio.create_task_group() as group:
            group.start_soon(campaign, "first", rows[:2])
            group.start_soon(campaign, "second", rows[2:])

    assert {name: final.totals.done for name, final in finals.items()} == {"first": 2, "second": 2}  # type: ignore[attr-defined]
    assert jobs_of(wide_box) == 4
    assert "another shared campaign runs in this process" in caplog.text
