"""Benchmark: dub 200 rows at the account's concurrency limit (``dub_many``), against the bound and a naive loop.

Against a sandbox in its own process whose cap is 10 unfinished jobs and whose jobs take
``--job-seconds``, with 200 distinct local videos and one shared audio:

- ours: ``dub_many`` (bounded upload pool, a create as each slot frees, one statuses
  request per round for every job in flight, each output downloaded as its job finishes);
- naive: the shell-loop way, ten at a time: ``create`` (uploading both files), poll that id
  with GET every ``--interval`` seconds, download; repeat.

Wall time is judged against the bound the cap sets: ceil(rows/cap) x job duration + the
time ours took to upload and create the first wave. Requests are counted at the transport.
Client memory is this process's peak RSS after ours (the sandbox is another process).

A second sandbox then runs `heygen-lipsync dub` as a command, SIGKILLs it once half the rows
are done, and runs the same command again: the sandbox must hold exactly one job per row,
and every output must have been downloaded once (files from the first run untouched).

A `batch create` scenario then counts the requests of ``create_batch`` (what `batch create`
and the MCP server's create_lipsync_batch run) for ``--batch-rows`` jobs of distinct videos
and one shared audio, each file standing for one over 32 MB (the multipart limit is lowered
in this process, so they take the direct-upload flow): with HeyGen's upload batches, and
against a server without them (the batch presign answered 404 in this process, not counted),
which is how every batch create uploaded before.

    python scripts/bench/campaign.py                    # 200 rows, 3 s jobs
    python scripts/bench/campaign.py --rows 50 --job-seconds 2
    python scripts/bench/campaign.py --only-batch-create --batch-rows 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BIN, Row, counting_transport, print_table, sandbox_process

CAP = 10


def _inputs(folder: Path, rows: int) -> tuple[list[Path], Path]:
    from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO

    folder.mkdir(parents=True, exist_ok=True)
    videos = []
    for i in range(rows):
        video = folder / f"talk{i:03d}.mp4"
        shutil.copyfile(SAMPLE_VIDEO, video)
        videos.append(video)
    return videos, Path(SAMPLE_AUDIO)


async def _ours(base_url: str, api_key: str, videos: list[Path], audio: Path, out: Path) -> dict[str, float]:
    from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest
    from heygen_lipsync.jobs.campaign import DubRow, dub_many

    rows = [DubRow(LipsyncRequest(video=FileSource(v), audio=FileSource(audio))) for v in videos]
    transport = counting_transport()
    first_wave = math.nan
    created = 0
    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key, transport=transport) as client:
        start = time.perf_counter()
        last = None
        async for event in dub_many(client, rows, out, max_concurrent=CAP):
            if event.kind == "created":
                created += 1
                if created == min(CAP, len(rows)):
                    first_wave = time.perf_counter() - start
            last = event
        wall = time.perf_counter() - start
    assert last is not None
    return {
        "wall": wall,
        "first_wave": first_wave,
        "requests": sum(transport.counts.values()),
        "done": last.totals.done,
    }


async def _naive(
    base_url: str, api_key: str, videos: list[Path], audio: Path, out: Path, interval: float
) -> dict[str, float]:
    from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest

    transport = counting_transport()
    queue = list(videos)
    done = 0
    out.mkdir(parents=True, exist_ok=True)

    async def worker(client: AsyncLipsyncClient) -> None:
        nonlocal done
        while queue:
            video = queue.pop(0)
            job_id = await client.create(LipsyncRequest(video=FileSource(video), audio=FileSource(audio)))
            while not (job := await client.get(job_id)).is_finished:
                await asyncio.sleep(interval)
            if job.is_completed:
                await client.download(job, out / f"{video.stem}.mp4")
                done += 1

    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key, transport=transport) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CAP)))
        wall = time.perf_counter() - start
    return {"wall": wall, "requests": sum(transport.counts.values()), "done": done}


def _without_upload_batches() -> Any:
    """A counting transport for a server without upload batches: the batch presign is answered 404 here."""
    import httpx

    transport = counting_transport()
    inner = transport.handle_async_request

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v3/assets/direct-uploads/batches":
            body = b'{"error": {"code": "not_found", "message": "Not Found"}}'
            return httpx.Response(404, content=body, headers={"content-type": "application/json"}, request=request)
        return await inner(request)

    transport.handle_async_request = handle
    return transport


async def _batch_create(
    base_url: str, api_key: str, videos: list[Path], audio: Path, *, batches: bool
) -> dict[str, float]:
    """Requests of one ``create_batch`` of these rows (uploads and the create), and its time."""
    from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest
    from heygen_lipsync.media import files

    files.MULTIPART_MAX_BYTES = 1024  # every sample stands for a file over 32 MB: the direct-upload flow
    requests = [LipsyncRequest(video=FileSource(v), audio=FileSource(audio)) for v in videos]
    transport = counting_transport() if batches else _without_upload_batches()
    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key, transport=transport, ledger=None) as client:
        start = time.perf_counter()
        await client.create_batch(requests)
        wall = time.perf_counter() - start
    return {"requests": sum(transport.counts.values()), "wall": wall, "puts": transport.counts["PUT"]}


def _batch_create_rows(root: Path, rows: int, job_seconds: float) -> list[Row]:
    videos, audio = _inputs(root / "batch-videos", rows)
    for i, video in enumerate(videos):  # distinct contents, so no two rows share an upload
        with video.open("ab") as f:
            f.write(i.to_bytes(4, "big"))
    with sandbox_process(pending_seconds=job_seconds / 4, running_seconds=job_seconds * 3 / 4) as sb:
        before = asyncio.run(_batch_create(sb.base_url, sb.api_key, videos, audio, batches=False))
        after = asyncio.run(_batch_create(sb.base_url, sb.api_key, videos, audio, batches=True))
    files_sent = rows + 1
    return [
        Row(
            "requests per job of a batch create (vs single uploads)",
            before["requests"] / rows,
            after["requests"] / rows,
            "req",
            "< 0.5x",
            after["requests"] < 0.5 * before["requests"],
            note=f"{rows} jobs, {files_sent} distinct files over the multipart limit (the audio shared: sent once "
            "either way): presign, PUT, complete and readiness polls per file one by one; one presign, a PUT per "
            "file, one complete and the batch's reads with upload batches "
            f"(PUTs: {before['puts']:.0f} / {after['puts']:.0f}); the create included",
        ),
        Row("batch create time (vs single uploads)", before["wall"], after["wall"], "s"),
    ]


def _kill_and_rerun(videos: list[Path], audio: Path, out: Path, job_seconds: float) -> dict[str, Any]:
    """Run `heygen-lipsync dub`, SIGKILL it at half the rows done, run it again; count jobs and downloads."""
    rows = len(videos)
    with sandbox_process(
        pending_seconds=job_seconds / 4, running_seconds=job_seconds * 3 / 4, max_concurrent_jobs=CAP
    ) as sb:
        env = {**os.environ, "HEYGEN_BASE_URL": sb.base_url, "HEYGEN_API_KEY": sb.api_key}
        env.pop("HEYGEN_BEARER_TOKEN", None)
        command = [str(BIN / "heygen-lipsync"), "--json", "dub", *map(str, videos), "--audio", str(audio)]
        command += ["--out", str(out), "--yes"]
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        done_first: list[int] = []
        assert first.stdout is not None
        for line in first.stdout:
            event = json.loads(line)
            if event["event"] == "done":
                done_first.append(event["row"])
                if len(done_first) >= rows // 2:
                    first.send_signal(signal.SIGKILL)
                    break
        first.wait()
        # Rows the killed run finished (some after the last event read): the report says which.
        report = [json.loads(line) for line in (out / "dub-report.jsonl").read_text().splitlines()]
        done_first = [line["row"] for line in report if line["status"] == "done"]
        mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.mp4")}
        second = subprocess.run(command, capture_output=True, env=env, check=False)
        events = [json.loads(line) for line in second.stdout.splitlines() if line.strip()]
        done_second = [e["row"] for e in events if e["event"] == "done"]
        untouched = all(p.stat().st_mtime_ns == mtimes[p.name] for p in out.glob("*.mp4") if p.name in mtimes)

        async def count_jobs() -> int:
            from heygen_lipsync import AsyncLipsyncClient

            async with AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key) as client:
                return len([job async for job in client.iter_lipsyncs()])

        jobs = asyncio.run(count_jobs())
    downloads = Counter(done_first + done_second)
    return {
        "jobs": jobs,
        "killed_at_done": len(done_first),
        "second_exit": second.returncode,
        "downloaded_once": len(downloads) == rows and set(downloads.values()) == {1} and untouched,
        "outputs": len(list(out.glob("*.mp4"))),
    }


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200, help="rows to dub (default 200)")
    parser.add_argument("--job-seconds", type=float, default=3.0, help="sandbox job duration (default 3 s)")
    parser.add_argument("--interval", type=float, default=1.0, help="the naive loop's poll interval (default 1 s)")
    parser.add_argument("--skip-kill", action="store_true", help="skip the SIGKILL-and-rerun run")
    parser.add_argument("--batch-rows", type=int, default=50, help="jobs of the batch create scenario (1-100)")
    parser.add_argument("--only-batch-create", action="store_true", help="run only the batch create scenario")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-batch-create-") as tmp:
        batch_rows = _batch_create_rows(Path(tmp), args.batch_rows, args.job_seconds)
    batch_ok = print_table(
        f"Batch create of {args.batch_rows} jobs with local files over 32 MB",
        batch_rows,
        reference_name="single uploads",
    )
    if args.only_batch_create:
        return batch_ok
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as tmp:
        root = Path(tmp)
        videos, audio = _inputs(root / "videos", args.rows)
        with sandbox_process(
            pending_seconds=args.job_seconds / 4, running_seconds=args.job_seconds * 3 / 4, max_concurrent_jobs=CAP
        ) as sb:
            ours = asyncio.run(_ours(sb.base_url, sb.api_key, videos, audio, root / "ours"))
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            naive = asyncio.run(_naive(sb.base_url, sb.api_key, videos, audio, root / "naive", args.interval))
        kill = None if args.skip_kill else _kill_and_rerun(videos, audio, root / "killed", args.job_seconds)
    bound = math.ceil(args.rows / CAP) * args.job_seconds + ours["first_wave"]
    rows = [
        Row(
            "wall time vs the cap's bound",
            bound,
            ours["wall"],
            "s",
            "<= 1.1x",
            ours["wall"] <= 1.1 * bound,
            note=f"bound = ceil({args.rows}/{CAP}) x {args.job_seconds:g} s + first wave's upload+create "
            f"({ours['first_wave']:.2f} s)",
        ),
        Row("wall time vs the naive loop", naive["wall"], ours["wall"], "s"),
        Row(
            "requests per job (vs naive)",
            naive["requests"] / args.rows,
            ours["requests"] / args.rows,
            "req",
            "< 1x",
            ours["requests"] < naive["requests"],
            note="uploads, creates, polls, detail GETs and downloads, retries included; the naive loop "
            f"polls each id every {args.interval:g} s and uploads the shared audio with every row",
        ),
        Row("client peak memory (ours)", None, rss_mb, "MB", "< 100 MB", rss_mb < 100),
        Row(
            "rows done (ours / naive)", naive["done"], ours["done"], "rows", f"= {args.rows}", ours["done"] == args.rows
        ),
    ]
    if kill is not None:
        rows += [
            Row(
                "jobs in the sandbox after SIGKILL + rerun",
                args.rows,
                kill["jobs"],
                "jobs",
                f"= {args.rows}",
                kill["jobs"] == args.rows,
                note=f"killed after {kill['killed_at_done']} rows were done; the rerun exited "
                f"{kill['second_exit']} with {kill['outputs']} outputs",
            ),
            Row("every output downloaded once", None, None, "", "yes", bool(kill["downloaded_once"])),
        ]
    title = f"Dub {args.rows} rows at a cap of {CAP} ({args.job_seconds:g} s jobs)"
    return print_table(title, rows, reference_name="bound / naive") and batch_ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
