"""Benchmark 1: MCP cold start, `heygen-lipsync-mcp` against the SDK's floor.

Spawns each server over stdio and times, from spawn, the end of `initialize` +
`notifications/initialized` + `tools/list` (raw JSON-RPC lines, so no client library
cost is measured). The floor is `minimal_mcp_server.py`: an MCPServer with one tool.
Runs alternate between the two servers so machine noise hits both alike.

    python scripts/bench/mcp_cold_start.py               # 10 runs each
    python scripts/bench/mcp_cold_start.py --runs 30 --importtime

`--importtime` also lists what our server imports at start-up that the floor does not
(python -X importtime), biggest first: the candidates for lazy imports.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, Row, median, p95, print_table, stop_process, which

HERE = Path(__file__).resolve().parent
TARGET = 1.25
PROTOCOL = "2025-06-18"  # the initialize handshake era


def _line(obj: dict[str, object]) -> bytes:
    return (json.dumps(obj) + "\n").encode()


HANDSHAKE = _line(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
    }
)
LIST = _line({"jsonrpc": "2.0", "method": "notifications/initialized"}) + _line(
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
)


def _read_response(proc: subprocess.Popen[bytes], want_id: int, deadline: float) -> dict[str, object]:
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        raw = proc.stdout.readline()
        if not raw:
            raise RuntimeError(f"server exited before answering request {want_id} (exit {proc.poll()})")
        message = json.loads(raw)
        if message.get("id") == want_id:
            if "error" in message:
                raise RuntimeError(f"request {want_id} failed: {message['error']}")
            return dict(message)
    raise RuntimeError("timed out")


def cold_start(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawn to the tools/list answer, and the number of tools listed."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert proc.stdin is not None
        deadline = time.monotonic() + 60
        proc.stdin.write(HANDSHAKE)
        proc.stdin.flush()
        _read_response(proc, 1, deadline)
        proc.stdin.write(LIST)
        proc.stdin.flush()
        listed = _read_response(proc, 2, deadline)
        elapsed = time.perf_counter() - start
        tools = listed["result"]["tools"]  # type: ignore[index]
        return elapsed, len(tools)
    finally:
        stop_process(proc)


def _imports(command: list[str], env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """module -> (self us, cumulative us) for everything imported by start-up + handshake."""
    proc = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        input=HANDSHAKE + LIST,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    found: dict[str, tuple[int, int]] = {}
    for line in proc.stderr.decode(errors="replace").splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            found[match.group(4)] = (int(match.group(1)), int(match.group(2)))
    return found


def report_imports(ours: list[str], floor: list[str], env: dict[str, str], top: int = 15) -> None:
    mine, base = _imports(ours, env), _imports(floor, env)
    extra = {name: t for name, t in mine.items() if name not in base}
    total = sum(t[0] for t in extra.values()) / 1000
    print(
        f"\n## Imported by heygen-lipsync-mcp at start-up but not by the floor: {len(extra)} modules, {total:.0f} ms\n"
    )
    packages: dict[str, int] = {}
    for name, (self_us, _) in extra.items():
        packages[name.split(".")[0]] = packages.get(name.split(".")[0], 0) + self_us
    for name, us in sorted(packages.items(), key=lambda kv: -kv[1])[:top]:
        print(f"- {name}: {us / 1000:.1f} ms (self time of its modules)")
    print("\nBiggest single modules (self time):")
    for name, (self_us, cum_us) in sorted(extra.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"- {name}: {self_us / 1000:.1f} ms self, {cum_us / 1000:.1f} ms cumulative")


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs per server (default 10)")
    parser.add_argument(
        "--importtime", action="store_true", help="list what our server imports that the floor does not"
    )
    args = parser.parse_args(argv)

    server = which("heygen-lipsync-mcp")
    if server is None:
        print("heygen-lipsync-mcp is not installed (pip install -e .)", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            # A configured server, as users run it; nothing is sent at start-up.
            "HEYGEN_API_KEY": "bench-key",
            "HEYGEN_BASE_URL": "http://127.0.0.1:9",
            "HEYGEN_LIPSYNC_ALLOWED_DIRS": tmp,
            "HEYGEN_LIPSYNC_LOG_LEVEL": "WARNING",
        }
        ours_cmd = [server]
        floor_cmd = [PYTHON, str(HERE / "minimal_mcp_server.py")]
        # One warm-up each (disk cache, .pyc files), then alternate.
        cold_start(ours_cmd, env)
        cold_start(floor_cmd, env)
        ours: list[float] = []
        floor: list[float] = []
        tools = 0
        for _ in range(args.runs):
            seconds, tools = cold_start(ours_cmd, env)
            ours.append(seconds * 1000)
            floor.append(cold_start(floor_cmd, env)[0] * 1000)
        ratio = median(ours) / median(floor)
        ok = print_table(
            f"MCP cold start: spawn -> initialize -> tools/list over stdio ({args.runs} runs each)",
            [
                Row("median", median(floor), median(ours), "ms", f"<= {TARGET}x", ratio <= TARGET),
                Row("p95", p95(floor), p95(ours), "ms"),
                Row("min", min(floor), min(ours), "ms", note=f"our server lists {tools} tools; the floor lists 1"),
            ],
            reference_name="floor (1-tool MCPServer)",
        )
        if args.importtime:
            report_imports([PYTHON, "-m", "heygen_lipsync.mcp"], floor_cmd, env)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
