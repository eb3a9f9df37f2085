"""Benchmark 4: create and wait for many jobs; wall time and requests per job.

Against a sandbox (its own process) whose jobs take `--job-seconds` (pending + running):

- ours: `create` every job concurrently, then `wait_many` (one statuses request per round
  per 100 ids, one final GET per finished job);
- naive: the same creates, then a loop of one GET per unfinished job per round, a round
  every `--interval` seconds (default: the library's first poll interval);
- HeyGen's CLI schedule: the same creates, then each job polled on its own, 2 s doubling to 30 s.

Requests are counted at the transport (retries included). Wall time is judged against
the job duration: the floor no client can beat.

    python scripts/bench/many_jobs.py                 # 100 jobs, 4 s each
    python scripts/bench/many_jobs.py --jobs 500 --job-seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, counting_transport, print_table, sandbox_process


async def _create_all(client: Any, jobs: int, video: str, audio: str) -> list[str]:
    from heygen_lipsync import AssetSource, LipsyncRequest

    request = LipsyncRequest(video=AssetSource(video), audio=AssetSource(audio))
    return list(await asyncio.gather(*(client.create(request) for _ in range(jobs))))


async def _heygen_follow(client: Any, lipsync_id: str) -> None:
    delay = 2.0
    while not (await client.get(lipsync_id)).is_finished:
        await asyncio.sleep(delay)
        delay = min(30.0, delay * 2)


async def _run(base_url: str, api_key: str, jobs: int, interval: float, how: str) -> dict[str, float]:
    from heygen_lipsync import AsyncLipsyncClient
    from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO

    # Inputs uploaded once, outside the measurement: the benchmark is about jobs, not files.
    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key) as setup:
        video = (await setup.upload(SAMPLE_VIDEO)).asset_id
        audio = (await setup.upload(SAMPLE_AUDIO)).asset_id
    transport = counting_transport()
    # No ledger: 100 identical requests are meant as 100 jobs here, not one job reused.
    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key, transport=transport, ledger=None) as client:
        start = time.perf_counter()
        ids = await _create_all(client, jobs, video, audio)
        created = time.perf_counter() - start
        if how == "heygen":
            await asyncio.gather(*(_heygen_follow(client, i) for i in ids))
            failed = 0
        elif how == "naive":
            pending = set(ids)
            deadline = time.monotonic() + 600
            while pending and time.monotonic() < deadline:
                found = await asyncio.gather(*(client.get(i) for i in pending))
                pending -= {job.id for job in found if job.is_finished}
                if pending:
                    await asyncio.sleep(interval)
            failed = 0 if not pending else len(pending)
        else:
            done = await client.wait_many(ids, poll_interval=interval, timeout=600)
            failed = sum(1 for job in done.values() if not job.is_completed)
        wall = time.perf_counter() - start
    counts = transport.counts
    return {
        "wall": wall,
        "created": created,
        "requests": sum(counts.values()),
        "creates": counts["POST"],
        "unfinished": failed,
    }


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100, help="jobs per run (default 100)")
    parser.add_argument("--job-seconds", type=float, default=4.0, help="sandbox job duration (default 4 s)")
    parser.add_argument("--interval", type=float, default=2.0, help="first poll interval / naive round (default 2 s)")
    parser.add_argument("--runs", type=int, default=1, help="runs each (default 1; medians when more)")
    args = parser.parse_args(argv)
    ours: list[dict[str, float]] = []
    naive: list[dict[str, float]] = []
    heygen: list[dict[str, float]] = []
    with sandbox_process(
        pending_seconds=args.job_seconds / 4,
        running_seconds=args.job_seconds * 3 / 4,
        max_concurrent_jobs=max(10, args.jobs * 2),
    ) as sb:
        for _ in range(args.runs):
            ours.append(asyncio.run(_run(sb.base_url, sb.api_key, args.jobs, args.interval, "ours")))
            naive.append(asyncio.run(_run(sb.base_url, sb.api_key, args.jobs, args.interval, "naive")))
            heygen.append(asyncio.run(_run(sb.base_url, sb.api_key, args.jobs, args.interval, "heygen")))

    def med(results: list[dict[str, float]], key: str) -> float:
        values = sorted(r[key] for r in results)
        return values[len(values) // 2]

    unfinished = sum(r["unfinished"] for r in ours + naive + heygen)
    rows = [
        Row(
            "wall time (ours vs naive)",
            med(naive, "wall"),
            med(ours, "wall"),
            "s",
            note=f"job duration {args.job_seconds:g} s; ours is {med(ours, 'wall') / args.job_seconds:.2f}x the job "
            f"duration, naive {med(naive, 'wall') / args.job_seconds:.2f}x; creating the jobs took "
            f"{med(ours, 'created'):.2f} s (ours) and {med(naive, 'created'):.2f} s (naive); the sandbox muxes every "
            "output when a job is first read after its clock ends",
        ),
        Row("wall time / job duration (ours)", args.job_seconds, med(ours, "wall"), "s"),
        Row(
            "requests per job (ours vs naive)",
            med(naive, "requests") / args.jobs,
            med(ours, "requests") / args.jobs,
            "req",
            "< 1x",
            med(ours, "requests") < med(naive, "requests"),
            note="each includes the create (1 per job) and, for ours, one final GET per finished job",
        ),
    ]
    rows += [
        Row("wall time (ours vs HeyGen's CLI schedule)", med(heygen, "wall"), med(ours, "wall"), "s"),
        Row(
            "requests per job (ours vs HeyGen's CLI schedule)",
            med(heygen, "requests") / args.jobs,
            med(ours, "requests") / args.jobs,
            "req",
            "<= 1x",
            med(ours, "requests") <= med(heygen, "requests"),
            note="HeyGen's CLI follows each job alone: GET, then 2 s doubling to 30 s",
        ),
    ]
    if unfinished:
        rows.append(Row("jobs not completed", 0, unfinished, "jobs", "0", False))
    return print_table(
        f"Many jobs: create and wait for {args.jobs} jobs ({args.runs} run(s) each)", rows, reference_name="naive loop"
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
