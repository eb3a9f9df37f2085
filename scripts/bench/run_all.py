"""Run every benchmark, one after the other (they must not compete for the 2 cores), and print their tables.

    python scripts/bench/run_all.py            # quick sizes (about a minute)
    python scripts/bench/run_all.py --full     # README's figures: 64 MiB and 1 GiB uploads, 100 jobs, 1000 creates

Exits 1 if any benchmark missed its target or failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUICK: list[list[str]] = [
    ["mcp_cold_start.py", "--runs", "10"],
    ["call_overhead.py", "--calls", "300"],
    ["upload.py", "--size-mib", "64"],
    ["many_jobs.py", "--jobs", "100"],
    ["wait_latency.py", "--durations", "5", "30", "120", "--jobs", "2"],
    ["cli_startup.py", "--runs", "10"],
    ["reliability.py", "--creates", "200", "--restart-jobs", "60"],
]
FULL: list[list[str]] = [
    ["mcp_cold_start.py", "--runs", "30", "--importtime"],
    ["call_overhead.py", "--calls", "2000"],
    ["upload.py", "--size-mib", "64", "1024"],
    ["many_jobs.py", "--jobs", "100", "--runs", "3"],
    ["wait_latency.py", "--jobs", "3"],
    ["cli_startup.py", "--runs", "30", "--importtime"],
    ["reliability.py", "--creates", "1000", "--restart-jobs", "200"],
]


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the big sizes (several minutes)")
    args = parser.parse_args(argv)
    failed: list[str] = []
    for script, *options in FULL if args.full else QUICK:
        command = [sys.executable, str(HERE / script), *options]
        print(f"\n# {script} {' '.join(options)}", flush=True)
        start = time.perf_counter()
        code = subprocess.run(command, check=False, timeout=3600).returncode
        print(f"({time.perf_counter() - start:.0f} s)", flush=True)
        if code != 0:
            failed.append(script)
    print("\nall targets met" if not failed else f"\nmissed a target or failed: {', '.join(failed)}")
    return not failed


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
