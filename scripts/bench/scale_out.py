"""Benchmark: one campaign shared by 3 worker processes through one PostgreSQL store (issue "Past one machine").

A served sandbox whose cap is 10 unfinished jobs and whose jobs take ``--job-seconds``; 300
rows (distinct videos, one audio); three `heygen-lipsync dub` processes run the same command
with the same ``HEYGEN_LIPSYNC_DATABASE_URL``. Requests are counted from the sandbox's own
request log (one line per answer), so the workers are measured as they run, untouched:

- wall time, first worker started to last worker ended, against the bound the cap sets:
  ceil(rows/cap) x job time (goal: at most 1.15x);
- creates answered 2xx and output downloads, against the rows (goal: at most 1.05x);
- answers of 429 among all requests (goal: under 5%);
- a second run where one worker is SIGKILLed halfway and started again: exactly one job
  per row in the sandbox, every output saved.

Two MCP replicas (an approval from one spent on the other once; a daily cap held under 8
concurrent creates over both) are measured by the test suite (tests/jobs/test_replicas*), not here.

    python scripts/bench/scale_out.py                     # 300 rows, 3 s jobs, 3 workers
    python scripts/bench/scale_out.py --rows 60 --job-seconds 2
    python scripts/bench/scale_out.py --database-url postgresql://user@host/db   # else a private server

Without ``--database-url`` (or HEYGEN_LIPSYNC_TEST_DATABASE_URL) it starts a private PostgreSQL
on 127.0.0.1 from Debian's server programs, as `.ci/run` does, and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BIN, Row, free_port, print_table, sandbox_process

CAP = 10
WORKERS = 3
_LINE = re.compile(r"^(\w+) (\S+) -> (\d+|-) ")


@contextlib.contextmanager
def private_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1 (Debian's server programs), stopped on exit."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        sys.exit("no PostgreSQL server programs (apt-get install postgresql), and no --database-url given")
    bin_dir = bins[-1].parent
    root = Path(tempfile.mkdtemp(prefix="hl-scale-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run = {"cwd": root, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", f"{root}/data", "-U", "postgres", "-A", "trust",
                    "--no-sync"], **run)  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=200"
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", f"{root}/data", "-l", f"{root}/log", "-w",
                    "-o", options, "start"], **run)  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", f"{root}/data", "-m", "immediate", "stop"],
                       cwd=root, check=False, stdout=subprocess.DEVNULL)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """A new empty database on the server (each run starts from nothing); returns its URL."""
    import psycopg

    name = f"hl_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def make_inputs(folder: Path, rows: int) -> tuple[list[Path], Path]:
    """Distinct videos (the sample with a row-numbered `free` box at its end) and one audio."""
    from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO

    folder.mkdir(parents=True, exist_ok=True)
    sample = Path(SAMPLE_VIDEO).read_bytes()
    videos = []
    for i in range(rows):
        video = folder / f"talk{i:04d}.mp4"
        tag = f"row-{i:08d}".encode()
        video.write_bytes(sample + (8 + len(tag)).to_bytes(4, "big") + b"free" + tag)
        videos.append(video)
    return videos, Path(SAMPLE_AUDIO)


def count_requests(log: Path) -> dict[str, int]:
    """Creates answered 2xx, output downloads, 429 answers and all requests, from the sandbox's log."""
    counts: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        found = _LINE.match(line)
        if not found:
            continue
        method, path, status = found.groups()
        counts["requests"] += 1
        if status == "429":
            counts["429"] += 1
        if method == "POST" and path == "/v3/lipsyncs" and status.startswith("2"):
            counts["creates"] += 1
        if method == "GET" and path.endswith(".mp4") and status.startswith("2"):
            counts["downloads"] += 1
    return dict(counts)


def worker_command(videos: list[Path], audio: Path, out: Path) -> list[str]:
    manifest = out.parent / f"{out.name}-rows.json"
    manifest.write_text(json.dumps([{"video": str(v), "audio": str(audio)} for v in videos]))
    return [str(BIN / "heygen-lipsync"), "--json", "dub", "--manifest", str(manifest), "--out", str(out), "--yes",
            "--max-concurrent", str(CAP)]  # fmt: skip


def spawn(command: list[str], name: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with name.with_suffix(".out").open("wb") as out, name.with_suffix(".err").open("wb") as err:
        return subprocess.Popen(command, stdout=out, stderr=err, env=env)


def jobs_in_sandbox(base_url: str) -> int:
    async def count() -> int:
        from heygen_lipsync import AsyncLipsyncClient

        async with AsyncLipsyncClient(base_url=base_url, api_key="sandbox-key", ledger=None) as client:
            return len([job async for job in client.iter_lipsyncs()])

    return asyncio.run(count())


def run_campaign(server_url: str, rows: int, job_seconds: float, root: Path, *, kill: bool) -> dict[str, Any]:
    """Three workers on one campaign; with ``kill``, worker 0 is SIGKILLed halfway and started again."""
    videos, audio = make_inputs(root / "in", rows)
    out = root / "out"
    log = root / "sandbox.log"
    with sandbox_process(
        log=log, pending_seconds=job_seconds / 4, running_seconds=job_seconds * 3 / 4, max_concurrent_jobs=CAP
    ) as sb:
        base_url = sb.base_url
        env = {**os.environ, "HEYGEN_BASE_URL": base_url, "HEYGEN_API_KEY": "sandbox-key",
               "HEYGEN_LIPSYNC_DATABASE_URL": fresh_database(server_url)}  # fmt: skip
        for name in ("HEYGEN_BEARER_TOKEN", "HEYGEN_LIPSYNC_LEDGER"):
            env.pop(name, None)
        command = worker_command(videos, audio, out)
        start = time.perf_counter()
        # Each worker's event lines and messages go to files (a pipe nobody reads would fill and stop it).
        workers = [spawn(command, root / f"worker{n}", env) for n in range(WORKERS)]
        restarted = None
        if kill:
            while len(list(out.glob("*.mp4"))) < rows // 2 and workers[0].poll() is None:
                time.sleep(0.2)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            restarted = spawn(command, root / "worker0-restarted", env)
        codes = [w.wait() for w in workers[1:]] + ([restarted.wait()] if restarted else [workers[0].wait()])
        wall = time.perf_counter() - start
        jobs = jobs_in_sandbox(base_url)
    counts = count_requests(log)
    return {"wall": wall, "codes": codes, "jobs": jobs, "outputs": len(list(out.glob("*.mp4"))), **counts}


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--job-seconds", type=float, default=3.0)
    parser.add_argument("--database-url", default=os.environ.get("HEYGEN_LIPSYNC_TEST_DATABASE_URL"))
    parser.add_argument("--skip-kill", action="store_true", help="skip the SIGKILL-and-restart run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        server = args.database_url or stack.enter_context(private_postgres())
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hl-scale-")))
        clean = run_campaign(server, args.rows, args.job_seconds, root / "clean", kill=False)
        killed = None if args.skip_kill else run_campaign(server, args.rows, args.job_seconds, root / "kill", kill=True)
    bound = math.ceil(args.rows / CAP) * args.job_seconds
    figures = {"rows": args.rows, "job_seconds": args.job_seconds, "bound": bound, "clean": clean, "killed": killed}
    if args.json:
        print(json.dumps(figures))
        return True
    share_429 = 100 * clean.get("429", 0) / max(1, clean.get("requests", 1))
    creates, downloads = clean.get("creates", 0), clean.get("downloads", 0)
    table = [
        Row("wall time (bound: ceil(rows/cap) x job)", bound, clean["wall"], "s", "<= 1.15x",
            clean["wall"] <= 1.15 * bound),
        Row("creates answered 2xx (reference: rows)", args.rows, creates, "", "<= 1.05x", creates <= 1.05 * args.rows),
        Row("output downloads (reference: rows)", args.rows, downloads, "", "<= 1.05x", downloads <= 1.05 * args.rows),
        Row(f"429 answers, % of {clean.get('requests', 0)} requests", None, share_429, "%", "< 5%", share_429 < 5),
        Row("outputs saved", args.rows, clean["outputs"], "", "all", clean["outputs"] == args.rows),
    ]  # fmt: skip
    if killed is not None:
        table += [
            Row("jobs in the sandbox after SIGKILL + restart", args.rows, killed["jobs"], "", "== rows",
                killed["jobs"] == args.rows),
            Row("outputs after SIGKILL + restart", args.rows, killed["outputs"], "", "== rows",
                killed["outputs"] == args.rows),
        ]  # fmt: skip
    return print_table(
        f"{args.rows} rows, {WORKERS} workers, one PostgreSQL, cap {CAP}, {args.job_seconds:g} s jobs", table
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
