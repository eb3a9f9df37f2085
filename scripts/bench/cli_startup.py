"""Benchmark: CLI start-up, `heygen-lipsync list` beside a bare `python -c` that imports httpx and does the same GET.

All run as fresh processes against one sandbox (its own process), interleaved, so each
figure is spawn + imports + one `GET /v3/lipsyncs` + printing + exit. The CLI keeps its
imports lazy (the root loads a command's module when it runs); `--importtime` prints the
slowest imports of `heygen-lipsync list` (`python -X importtime`), to find what crept in.

A second reference shows the floor of any CLI built like ours: a two-command Typer app whose
`list` does the same GET through `httpx.AsyncClient` under `asyncio.run` (Typer, asyncio,
and the anyio backend httpx's async pool loads), with none of our code.

    python scripts/bench/cli_startup.py               # 20 runs each
    python scripts/bench/cli_startup.py --importtime
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, Row, median, print_table, sandbox_process, which

TARGET = 1.5
BARE = (
    "import os, httpx; r = httpx.get(os.environ['HEYGEN_BASE_URL'] + '/v3/lipsyncs', "
    "headers={'x-api-key': os.environ['HEYGEN_API_KEY']}); r.raise_for_status(); print(r.text)"
)


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def _importtime(command: list[str], env: dict[str, str], top: int = 15) -> None:
    done = subprocess.run(
        [PYTHON, "-X", "importtime", *command[1:]], env=env, check=True, capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    print(f"\nslowest imports (cumulative us) of {' '.join(Path(c).name for c in command[:2])} ...:")
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative:>10,}  {name}")


FLOOR = """\
import asyncio, os, httpx, typer
app = typer.Typer()
@app.command("list")
def list_():
    async def get():
        async with httpx.AsyncClient() as client:
            r = await client.get(os.environ["HEYGEN_BASE_URL"] + "/v3/lipsyncs",
                                 headers={"x-api-key": os.environ["HEYGEN_API_KEY"]})
            r.raise_for_status()
            print(r.text)
    asyncio.run(get())
@app.command()
def other(): pass
app()
"""


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="runs each (default 20)")
    parser.add_argument("--importtime", action="store_true", help="print the CLI's slowest imports")
    args = parser.parse_args(argv)
    cli = which("heygen-lipsync")
    if cli is None:
        print("heygen-lipsync is not installed (pip install -e .)")
        return False
    # The console script's interpreter line may not be this one: run its module with ours.
    cli_command = [PYTHON, "-c", "from heygen_lipsync.cli import main; main()", "list"]
    bare_command = [PYTHON, "-c", BARE]
    floor_command = [PYTHON, "-c", FLOOR, "list"]
    with sandbox_process(pending_seconds=0, running_seconds=0) as sb:
        env = {
            **os.environ,
            "HEYGEN_BASE_URL": sb.base_url,
            "HEYGEN_API_KEY": sb.api_key,
            "HEYGEN_LIPSYNC_LEDGER": "off",
            "NO_COLOR": "1",
        }
        for command in (cli_command, bare_command, floor_command):  # warm the OS caches
            _timed(command, env)
        timings: dict[str, list[float]] = {"cli": [], "bare": [], "floor": []}
        for i in range(args.runs):
            trio = [("cli", cli_command), ("bare", bare_command), ("floor", floor_command)]
            for name, command in trio if i % 2 == 0 else trio[::-1]:
                timings[name].append(_timed(command, env))
        if args.importtime:
            _importtime(cli_command, env)
    cli_ms, bare_ms, floor_ms = median(timings["cli"]), median(timings["bare"]), median(timings["floor"])
    rows = [
        Row("heygen-lipsync list: median", bare_ms, cli_ms, "ms", f"<= {TARGET}x", cli_ms / bare_ms <= TARGET),
        Row(
            "floor: Typer + httpx.AsyncClient, same GET",
            bare_ms,
            floor_ms,
            "ms",
            note="no code of ours: what any async Typer CLI starts at",
        ),
        Row(
            "heygen-lipsync list vs the floor",
            floor_ms,
            cli_ms,
            "ms",
            note="reference here: the floor; the rest is ours",
        ),
    ]
    return print_table(
        f"CLI start-up: one list of the sandbox's jobs ({args.runs} runs each, interleaved)",
        rows,
        reference_name="python -c 'import httpx; GET'",
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
