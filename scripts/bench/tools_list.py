"""Benchmark: the size of `tools/list`, which a client puts in every conversation, against the one-tool floor.

Spawns `heygen-lipsync-mcp` and the floor (`minimal_mcp_server.py`, an MCPServer with one
trivial tool) over stdio, sends `initialize` + `tools/list` as raw JSON-RPC lines, and counts
the bytes of the `tools/list` answer exactly as they came over the wire. Tokens are estimated
at 4 bytes each (JSON with English text; a model's tokenizer gives a figure of that order).

    python scripts/bench/tools_list.py              # the table, and each tool's share
    python scripts/bench/tools_list.py --sandbox    # the server as `--sandbox` lists its tools
    python scripts/bench/tools_list.py --json       # the figures as JSON (for run_all / charts)

The target: at most 25 KB for every tool (the same capabilities), the floor beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, Row, print_table, stop_process, which
from mcp_cold_start import HANDSHAKE, LIST

HERE = Path(__file__).resolve().parent
TARGET_BYTES = 25 * 1024
BYTES_PER_TOKEN = 4


def listed_bytes(command: list[str], env: dict[str, str]) -> bytes:
    """The raw `tools/list` response line of the server started by ``command``."""
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(HANDSHAKE + LIST)
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            raw = proc.stdout.readline()
            if not raw:
                raise RuntimeError(f"{command[0]} exited before answering tools/list (exit {proc.poll()})")
            if json.loads(raw).get("id") == 2:
                return raw.rstrip(b"\n")
        raise RuntimeError("timed out waiting for tools/list")
    finally:
        stop_process(proc)


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()) if value is not None else 0


def breakdown(response: bytes) -> list[dict[str, Any]]:
    """Each tool's bytes: in all, and its description, inputSchema and outputSchema; biggest first."""
    tools = json.loads(response)["result"]["tools"]
    rows = [
        {
            "tool": tool["name"],
            "total": _size(tool),
            "description": len(tool.get("description", "").encode()),
            "input_schema": _size(tool.get("inputSchema")),
            "output_schema": _size(tool.get("outputSchema")),
        }
        for tool in tools
    ]
    return sorted(rows, key=lambda r: -r["total"])


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox", action="store_true", help="measure the server started with --sandbox")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    server = which("heygen-lipsync-mcp")
    if server is None:
        print("heygen-lipsync-mcp is not installed (pip install -e .)", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        # A configured server, as users run it; nothing is sent at start-up. The allowed
        # directory is a short path, so the figure does not depend on where it runs.
        env = {
            **os.environ,
            "HEYGEN_API_KEY": "bench-key",
            "HEYGEN_BASE_URL": "http://127.0.0.1:9",
            "HEYGEN_LIPSYNC_ALLOWED_DIRS": tmp,
            "HEYGEN_LIPSYNC_LEDGER": "off",
        }
        ours = listed_bytes([server, *(["--sandbox"] if args.sandbox else [])], env)
        floor = listed_bytes([PYTHON, str(HERE / "minimal_mcp_server.py")], env)
    tools = breakdown(ours)
    if args.json:
        print(json.dumps({"ours_bytes": len(ours), "floor_bytes": len(floor), "tools": tools}, indent=2))
        return len(ours) <= TARGET_BYTES
    ok = print_table(
        f"tools/list size ({len(tools)} tools; floor: one trivial tool)",
        [
            Row("tools/list", len(floor) / 1024, len(ours) / 1024, "KB", "<= 25 KB", len(ours) <= TARGET_BYTES),
            Row("tokens (~4 bytes each)", len(floor) / BYTES_PER_TOKEN, len(ours) / BYTES_PER_TOKEN, "tokens"),
        ],
        reference_name="floor",
    )
    print("\n| tool | bytes | description | inputSchema | outputSchema |\n| --- | ---: | ---: | ---: | ---: |")
    for row in tools:
        cells = (row["tool"], row["total"], row["description"], row["input_schema"], row["output_schema"])
        print("| " + " | ".join(str(c) for c in cells) + " |")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
