"""Benchmark 3: a large upload through the direct-upload path: peak memory and throughput against curl.

The plain case a user has, as issue 24's "Speed" section sets it: the sandbox as
`heygen-lipsync sandbox serve` starts it (its defaults, data on disk; only
`asset_processing_seconds` is 0, since HeyGen's own ingest time is not the client's to
speed up), and a new file for every run (a remembered file is not uploaded at all). Each run
uploads its file three ways, in an order that rotates from run to run:

- curl: `curl -T file` to a fresh presigned URL (the reference: a PUT and nothing else);
- ours: `AsyncLipsyncClient.upload(path)` in a child process (presign, streamed PUT hashing
  the bytes as they go, complete with the SHA-256), without a ledger; the PUT alone is also
  timed by a transport wrapper, so its throughput compares with curl's directly;
- ours with a fresh ledger (the default setup: the hash taken while sending is what it keeps).

Every asset is deleted once measured. Earlier versions kept them all (each run left ~3x the
file size written to the sandbox's disk, past the kernel's dirty-page limit over a run: the
likeliest reason their curl column trailed a plain curl run), reused one sparse file (holes,
never read like a real file's bytes) and an in-memory sandbox. Peak RSS (ru_maxrss) shows
whether the client streams; a child that only imports and builds the client gives the baseline. Medians of the runs; the
script installs nothing: without curl, that column is skipped.

    python scripts/bench/upload.py                       # 256 MiB and 1 GiB, 7 runs each
    python scripts/bench/upload.py --size-mib 256 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, Row, free_port, median, print_table, stop_process, wait_for_port, which
from upload_memory import MIB, make_sparse_mp4

HERE = Path(__file__).resolve().parent
MEMORY_TARGET_MB = 100.0
THROUGHPUT_TARGET = 0.9
WHOLE_UPLOAD_TARGET = 0.9
PHASES = ("put_seconds", "presign_seconds", "complete_seconds")

_CHILD = r"""
import asyncio, json, sys, time
import httpx
from heygen_lipsync import AsyncLipsyncClient

base_url, api_key, path, do_upload, here, ledger_path = sys.argv[1:7]
do_upload = do_upload == "1"
sys.path.insert(0, here)
from upload_memory import peak_rss_mib
seconds = {}

class Timing(httpx.AsyncBaseTransport):
    def __init__(self):
        self.inner = httpx.AsyncHTTPTransport()
    async def handle_async_request(self, request):
        start = time.perf_counter()
        response = await self.inner.handle_async_request(request)
        if request.method == "PUT":
            await response.aread()
        path = request.url.path
        kind = "put" if request.method == "PUT" else "presign" if path.endswith("/direct-uploads") else (
            "complete" if path.endswith("/complete") else "other")
        seconds[kind] = seconds.get(kind, 0.0) + time.perf_counter() - start
        return response
    async def aclose(self):
        await self.inner.aclose()

def cpu():
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

async def main():
    from heygen_lipsync.store import Ledger
    ledger = Ledger.open(ledger_path) if ledger_path else None
    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key, transport=Timing(), ledger=ledger) as client:
        start, cpu_start = time.perf_counter(), cpu()
        asset = await client.upload(path) if do_upload else None
        total, cpu_seconds = time.perf_counter() - start, cpu() - cpu_start
    return asset, total, cpu_seconds

asset, total, cpu_seconds = asyncio.run(main())
print(json.dumps({
    "asset_id": asset.asset_id if asset else None,
    "total_seconds": total,
    "cpu_seconds": cpu_seconds,
    "put_seconds": seconds.get("put"),
    "presign_seconds": seconds.get("presign"),
    "complete_seconds": seconds.get("complete"),
    "size_bytes": asset.size_bytes if asset else None,
    "peak_rss_mib": peak_rss_mib(),
}))
"""


def ours(base_url: str, api_key: str, path: Path, upload: bool = True, ledger: Path | None = None) -> dict[str, Any]:
    """One upload in a fresh child process; ``ledger``: a ledger file (the default setup), else none."""
    out = subprocess.run(
        [PYTHON, "-c", _CHILD, base_url, api_key, str(path), "1" if upload else "0", str(HERE), str(ledger or "")],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"upload child failed: {out.stderr.strip()[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def curl(curl_bin: str, base_url: str, api_key: str, path: Path) -> tuple[float, float, str, float]:
    """(seconds for the PUT, curl's peak RSS in MiB, the asset's id, curl's CPU seconds)."""
    import httpx

    size = path.stat().st_size
    presign = httpx.post(
        f"{base_url}/v3/assets/direct-uploads",
        headers={"x-api-key": api_key},
        json={"filename": path.name, "content_type": "video/mp4", "size_bytes": size},
        timeout=60,
    )
    presign.raise_for_status()
    data = presign.json()["data"]
    headers: list[str] = []
    for name, value in data["upload_headers"].items():
        headers += ["-H", f"{name}: {value}"]
    # No "Expect: 100-continue" round trip: the library does not make one either.
    command = [curl_bin, "-sS", "-o", os.devnull, "-w", "%{http_code}", "-H", "Expect:", *headers, "-T", str(path)]
    start = time.perf_counter()
    proc = subprocess.Popen([*command, data["upload_url"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    assert proc.stdout is not None and proc.stderr is not None
    code = proc.stdout.read().decode().strip()
    err = proc.stderr.read().decode().strip()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or code != "200":
        raise RuntimeError(f"curl failed: exit {proc.returncode}, HTTP {code}: {err}")
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, str(data["asset_id"]), cpu_seconds  # ru_maxrss: KiB on Linux


def delete_asset(base_url: str, api_key: str, asset_id: str) -> None:
    """Delete a measured asset: its bytes leave the sandbox's disk before they weigh on the next run."""
    import httpx

    httpx.delete(f"{base_url}/v3/assets/{asset_id}", headers={"x-api-key": api_key}, timeout=60).raise_for_status()


@contextmanager
def serve(data_dir: Path) -> Iterator[tuple[str, str]]:
    """``heygen-lipsync sandbox serve`` as a user starts it: defaults, data on disk, asset processing off."""
    port = free_port()
    env = {
        **os.environ,
        "HEYGEN_LIPSYNC_SANDBOX_DIR": str(data_dir),
        "HEYGEN_LIPSYNC_SANDBOX_ASSET_PROCESSING_SECONDS": "0",
    }
    command = [which("heygen-lipsync") or "heygen-lipsync", "sandbox", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process, "`heygen-lipsync sandbox serve`")
        yield f"http://127.0.0.1:{port}", "sandbox-key"
    finally:
        process.terminate()
        stop_process(process)


def fresh_file(path: Path, size: int, tag: int) -> None:
    """A new MP4-headed file of real bytes (no holes), unlike any before it (``tag``)."""
    block = os.urandom(MIB)
    with open(path, "wb") as fh:
        fh.write(struct.pack(">I", 24) + b"ftypisom" + b"\0\0\0\0" + b"isomiso2" + tag.to_bytes(8, "big"))
        for _ in range(size // MIB):
            fh.write(block)
        fh.truncate(size)
        # On disk before any upload is timed, as a user's video is: otherwise the kernel writes
        # it back during whichever upload comes first, and that one pays for it.
        fh.flush()
        os.fsync(fh.fileno())


def fixed_costs(runs: list[dict[str, Any]]) -> str:
    """Where the whole upload's time goes besides the PUT: medians in ms (the process's first requests)."""

    def ms(key: str) -> float:
        return 1000 * median([r[key] or 0.0 for r in runs])

    rest = 1000 * median([r["total_seconds"] - sum(r[k] or 0.0 for k in PHASES) for r in runs])
    return (
        f"beside the PUT ({ms('put_seconds'):.0f} ms): presign {ms('presign_seconds'):.0f} ms, "
        f"complete {ms('complete_seconds'):.0f} ms, the rest {rest:.0f} ms (medians; first-request imports included)"
    )


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--size-mib", type=int, nargs="+", default=[256, 1024], help="file sizes in MiB (default 256 1024)"
    )
    parser.add_argument("--runs", type=int, default=7, help="runs each, medians reported (default 7)")
    args = parser.parse_args(argv)
    if min(args.size_mib) <= 32:  # a file up to 32 MB is one multipart POST: there is no PUT to time
        parser.error("--size-mib: give sizes over 32 MiB (smaller files are not sent by the direct-upload path)")
    return all([measure(size_mib, args.runs) for size_mib in args.size_mib])


def measure(size_mib: int, runs_each: int) -> bool:
    """Upload ``runs_each`` new files of ``size_mib`` each with curl, ours and ours with a ledger; print the table."""
    size = size_mib * MIB
    curl_bin = shutil.which("curl")
    runs: list[dict[str, Any]] = []
    ledger_runs: list[dict[str, Any]] = []
    curl_runs: list[tuple[float, float, str, float]] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "sandbox-data") as (base_url, key):
        warm = Path(tmp) / "warm.mp4"
        make_sparse_mp4(warm, 8 * MIB)
        baseline = ours(base_url, key, warm, upload=False)["peak_rss_mib"]
        # One unmeasured small upload each way first: the sandbox's own first requests (its
        # lazy imports, its database) are not what either client costs.
        delete_asset(base_url, key, ours(base_url, key, warm)["asset_id"])
        if curl_bin is not None:
            delete_asset(base_url, key, curl(curl_bin, base_url, key, warm)[2])
        for i in range(runs_each):
            path = Path(tmp) / f"run-{i}.mp4"
            fresh_file(path, size, i)
            ways = ["ours", "ledger", "curl"][i % 3 :] + ["ours", "ledger", "curl"][: i % 3]
            for way in ways:
                if way == "curl":
                    if curl_bin is not None:
                        curl_runs.append(curl(curl_bin, base_url, key, path))
                        delete_asset(base_url, key, curl_runs[-1][2])
                    continue
                ledger = Path(tmp) / f"ledger-{i}.sqlite3" if way == "ledger" else None
                done = ours(base_url, key, path, ledger=ledger)
                if done["size_bytes"] != size:
                    raise RuntimeError(f"the sandbox stored {done['size_bytes']} bytes, expected {size}")
                (ledger_runs if ledger else runs).append(done)
                delete_asset(base_url, key, done["asset_id"])
            path.unlink()
    peak = max(r["peak_rss_mib"] for r in runs)
    put_mbps = median([size / MIB / r["put_seconds"] for r in runs])
    total_mbps = median([size / MIB / r["total_seconds"] for r in runs])
    ledger_mbps = median([size / MIB / r["total_seconds"] for r in ledger_runs])
    curl_mbps = median([size / MIB / r[0] for r in curl_runs]) if curl_runs else None
    curl_rss = max(r[1] for r in curl_runs) if curl_runs else None
    curl_cpu = median([r[3] for r in curl_runs]) if curl_runs else None
    curl_rates = sorted(size / MIB / r[0] for r in curl_runs)
    curl_spread = f"curl's runs {curl_rates[0]:.0f}-{curl_rates[-1]:.0f} MiB/s" if curl_rates else ""

    def throughput(what: str, mbps: float, target: float, note: str) -> Row:
        ok = None if curl_mbps is None else mbps / curl_mbps >= target
        return Row(what, curl_mbps, mbps, "MiB/s", f">= {target}x", ok, note=note)

    rows = [
        Row(
            "client peak RSS (whole process)",
            curl_rss,
            peak,
            "MiB",
            f"< {MEMORY_TARGET_MB:g} MB",
            peak < MEMORY_TARGET_MB,
            note=f"baseline (imports, client, no upload): {baseline:.1f} MiB; upload adds {peak - baseline:.1f} MiB",
        ),
        Row(
            "client CPU time (user + system, all threads)",
            curl_cpu,
            median([r["cpu_seconds"] for r in runs]),
            "s",
            note="the whole upload() against curl's PUT: hashing SHA-256 as it sends is most of the difference; "
            "on this 2-core machine the client's CPU is taken from the sandbox receiving the bytes",
        ),
        throughput(
            "PUT throughput",
            put_mbps,
            THROUGHPUT_TARGET,
            curl_spread if curl_bin else "curl not found: reference skipped (apt-get install -y curl)",
        ),
        throughput(
            "whole upload() throughput",
            total_mbps,
            WHOLE_UPLOAD_TARGET,
            "presign + PUT hashing as it sends + complete, against curl's PUT alone (asset processing off); "
            + fixed_costs(runs),
        ),
        throughput(
            "whole upload() throughput, ledger on",
            ledger_mbps,
            WHOLE_UPLOAD_TARGET,
            "the default setup, a file the ledger has not seen: still one read, the hash kept for reuse",
        ),
    ]
    return print_table(
        f"Upload: {size_mib} MiB through the direct-upload path ({runs_each} runs each, a new file each run; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)",
        rows,
        reference_name="curl -T",
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
