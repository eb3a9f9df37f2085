"""``dub_many`` against the embedded sandbox: the concurrency cap, the report, resuming without paying twice."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import httpx
import pytest

from heygen_lipsync import AssetSource, AsyncLipsyncClient, FileSource, LipsyncRequest
from heygen_lipsync.jobs.campaign import DubEvent, DubRow, dub_many
from heygen_lipsync.jobs.report import REPORT_NAME, output_paths, row_key
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio

CAP = 3


class Counting(httpx.AsyncBaseTransport):
    """Counts requests by method and path, and 429s (the sandbox's answer to a create over the cap)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        path = request.url.path
        self.counts[f"{request.method} {path if path.count('/') <= 3 else path.rsplit('/', 1)[0] + '/ID'}"] += 1
        if response.status_code == 429:
            self.counts["429"] += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def sandbox() -> AsyncIterator[EmbeddedSandbox]:
    config = SandboxConfig(pending_seconds=0.05, running_seconds=0.25, max_concurrent_jobs=CAP)
    async with EmbeddedSandbox(config) as sb:
        yield sb


@pytest.fixture
async def counting() -> Counting:
    return Counting()


@pytest.fixture
async def client(sandbox: EmbeddedSandbox, counting: Counting) -> AsyncIterator[AsyncLipsyncClient]:
    async with AsyncLipsyncClient(base_url=sandbox.base_url, api_key=sandbox.api_key, transport=counting) as c:
        yield c


def _videos(tmp_path: Path, count: int) -> list[DubRow]:
    folder = tmp_path / "videos"
    folder.mkdir(exist_ok=True)
    rows = []
    for i in range(count):
        video = folder / f"talk{i}.mp4"
        shutil.copyfile(SAMPLE_VIDEO, video)
        with video.open("ab") as extra:  # each its own content: the same content is the same job
            extra.write(bytes([i]))
        rows.append(DubRow(LipsyncRequest(video=FileSource(video), audio=FileSource(SAMPLE_AUDIO))))
    return rows


async def _run(client: AsyncLipsyncClient, rows: list[DubRow], out: Path, **kwargs: Any) -> list[DubEvent]:
    return [event async for event in dub_many(client, rows, out, max_concurrent=CAP, poll_interval=0.05, **kwargs)]


def _report(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / REPORT_NAME).read_text().splitlines()]


async def _jobs_in_sandbox(client: AsyncLipsyncClient) -> int:
    return len([job async for job in client.iter_lipsyncs()])


async def test_every_row_is_dubbed_within_the_cap_and_reported(
    client: AsyncLipsyncClient, counting: Counting, tmp_path: Path
) -> None:
    rows = _videos(tmp_path, 7)
    out = tmp_path / "out"
    events = await _run(client, rows, out, captions=True)
    assert events[-1].kind == "finished"
    assert events[-1].totals.done == 7 and events[-1].totals.failed == 0
    assert [e.row for e in events if e.kind == "done"].count(None) == 0
    assert sorted(p.name for p in out.glob("*.mp4")) == [f"talk{i}.mp4" for i in range(7)]
    assert len(list(out.glob("*.srt"))) == 7
    report = _report(out)
    assert [line["row"] for line in report] == list(range(7))
    assert {line["status"] for line in report} == {"done"}
    assert all(line["job_id"] and line["output"].endswith(f"talk{line['row']}.mp4") for line in report)
    # Never over the cap (the sandbox would have answered 429), one create per row,
    # and the shared audio uploaded once for all seven.
    assert counting.counts["429"] == 0
    assert counting.counts["POST /v3/lipsyncs"] == 7
    assert counting.counts["POST /v3/assets"] == 8


async def test_a_rerun_of_a_finished_run_sends_nothing_and_skips_every_row(
    client: AsyncLipsyncClient, counting: Counting, tmp_path: Path
) -> None:
    rows = _videos(tmp_path, 3)
    out = tmp_path / "out"
    await _run(client, rows, out)
    before = sum(counting.counts.values())
    events = await _run(client, rows, out)
    assert sum(counting.counts.values()) == before
    assert [e.kind for e in events] == ["skipped", "skipped", "skipped", "finished"]


async def test_a_run_stopped_halfway_resumes_without_creating_a_job_twice(
    client: AsyncLipsyncClient, counting: Counting, tmp_path: Path
) -> None:
    rows = _videos(tmp_path, 8)
    out = tmp_path / "out"
    created = 0
    async with aclosing(dub_many(client, rows, out, max_concurrent=CAP, poll_interval=0.05)) as run:
        async for event in run:
            created += event.kind == "created"
            if created == 4:
                break  # like Ctrl-C: the run is closed with jobs in flight
    report = _report(out)
    assert sum(1 for line in report if line["status"] == "running") >= 1
    events = await _run(client, rows, out)
    assert events[-1].totals.done == 8, [e.message for e in events if e.kind in ("failed", "incomplete")]
    assert any(e.kind == "resumed" for e in events)
    # A create cut off mid-flight is sent again with its key (a replay), never as a new job.
    assert await _jobs_in_sandbox(client) == 8
    assert len(list(out.glob("*.mp4"))) == 8


async def test_a_create_whose_answer_was_lost_is_replayed_not_paid_again(
    client: AsyncLipsyncClient, tmp_path: Path
) -> None:
    video = (await client.upload(SAMPLE_VIDEO)).asset_id
    audio = (await client.upload(SAMPLE_AUDIO)).asset_id
    rows = [DubRow(LipsyncRequest(video=AssetSource(video), audio=AssetSource(audio), title=f"t{i}")) for i in range(3)]
    out = tmp_path / "out"
    # The first run sent row 1's create and died before recording the answer.
    paths = output_paths(rows, out)
    lost = await client.create(rows[1].request, idempotency_key=row_key(rows[1], paths[1]))
    events = await _run(client, rows, out)
    assert events[-1].totals.done == 3
    assert _report(out)[1]["job_id"] == lost
    assert await _jobs_in_sandbox(client) == 3


async def test_failed_rows_are_retried_only_when_asked(
    client: AsyncLipsyncClient, counting: Counting, tmp_path: Path
) -> None:
    good = DubRow(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO)))
    bad = DubRow(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=AssetSource("asset_gone")))
    out = tmp_path / "out"
    events = await _run(client, [good, bad], out)
    assert events[-1].totals.done == 1 and events[-1].totals.failed == 1
    failed = _report(out)[1]
    assert failed["status"] == "failed" and "asset_gone" in failed["failure_message"]
    creates = counting.counts["POST /v3/lipsyncs"]
    again = await _run(client, [good, bad], out)
    assert [e.kind for e in again] == ["skipped", "skipped", "finished"]
    assert counting.counts["POST /v3/lipsyncs"] == creates
    retried = await _run(client, [good, bad], out, retry_failed=True)
    assert [e.kind for e in retried] == ["skipped", "failed", "finished"]
    assert counting.counts["POST /v3/lipsyncs"] == creates + 1  # only the failed row, on a new key
    assert _report(out)[1]["attempt"] == 2


def test_outputs_of_the_same_video_with_two_audios_do_not_collide(tmp_path: Path) -> None:
    rows = [
        DubRow(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(tmp_path / "fr.mp3"))),
        DubRow(LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(tmp_path / "de.mp3"))),
        DubRow(LipsyncRequest(video="https://example.com/a.mp4", audio="https://example.com/a.mp3")),
    ]
    names = [p.name for p in output_paths(rows, tmp_path)]
    stem = Path(SAMPLE_VIDEO).stem
    assert names == [f"{stem}.fr.mp4", f"{stem}.de.mp4", "row-0003.mp4"]


def test_a_row_measured_by_an_earlier_preflight_keeps_its_estimate(tmp_path: Path) -> None:
    """A caller that already priced the rows (the MCP tool) hands each its length; nothing is probed again."""
    from heygen_lipsync.jobs.campaign import plan_rows

    request = LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO))
    records = plan_rows([DubRow(request, estimate_seconds=4.5), DubRow(request, tmp_path / "b.mp4")], tmp_path)
    assert [r.estimate_seconds for r in records] == [4.5, None]


async def test_rows_of_the_same_content_are_one_job_saved_to_each_output(
    sandbox: EmbeddedSandbox, tmp_path: Path
) -> None:
    from heygen_lipsync.store import Ledger

    ledger = Ledger.open(tmp_path / "ledger.sqlite3")  # the install's ledger (on by default) knows the job
    client = AsyncLipsyncClient(base_url=sandbox.base_url, api_key=sandbox.api_key, ledger=ledger)
    folder = tmp_path / "same"
    folder.mkdir()
    rows = []
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        shutil.copyfile(SAMPLE_VIDEO, folder / name)  # three copies of one video, one audio
        rows.append(DubRow(LipsyncRequest(video=FileSource(folder / name), audio=FileSource(SAMPLE_AUDIO))))
    out = tmp_path / "out"
    async with client:
        events = await _run(client, rows, out)
        assert await _jobs_in_sandbox(client) == 1  # paid once
    assert events[-1].totals.done == 3
    assert sorted(p.name for p in out.glob("*.mp4")) == ["a.mp4", "b.mp4", "c.mp4"]
    assert len({line["job_id"] for line in _report(out)}) == 1
