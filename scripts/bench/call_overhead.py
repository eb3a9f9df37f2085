"""Benchmark 2: the cost of one call, against a raw httpx GET of the same URL.

Against one sandbox (its own process), on one completed job, measures the latency of:

- raw httpx: `AsyncClient.get(/v3/lipsyncs/{id})` with the key header (the reference);
- the library: `AsyncLipsyncClient.get(id)` (generated client, policy transport, error mapping, models);
- MCP: the `get_lipsync` tool of `heygen-lipsync-mcp` over stdio (JSON-RPC, the server, the library);
- MCP floor: `raw_get_mcp_server.py`, a one-tool `MCPServer` whose tool does the same raw httpx
  GET, over stdio: the reference for the MCP row (the SDK's own cost is not ours to cut).

Calls are interleaved, in a rotating order, so machine noise hits all three alike.

    python scripts/bench/call_overhead.py              # 300 calls each
    python scripts/bench/call_overhead.py --calls 2000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, median, p95, print_table, sandbox_process, which

TARGET = 1.3
MCP_TARGET = 1.2
FLOOR_SERVER = Path(__file__).resolve().parent / "raw_get_mcp_server.py"


async def _run(base_url: str, api_key: str, calls: int, with_mcp: bool) -> dict[str, list[float]]:
    import httpx
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    from heygen_lipsync import AsyncLipsyncClient, LipsyncRequest
    from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO

    timings: dict[str, list[float]] = {"raw": [], "library": [], "mcp": [], "floor": []}
    async with AsyncLipsyncClient(base_url=base_url, api_key=api_key) as client:
        lipsync_id = await client.create(
            LipsyncRequest.from_dict({"video": str(SAMPLE_VIDEO), "audio": str(SAMPLE_AUDIO)})
        )
        await client.wait(lipsync_id, poll_interval=0.05, max_poll_interval=0.2, timeout=120)
        url = f"{base_url}/v3/lipsyncs/{lipsync_id}"
        async with httpx.AsyncClient(headers={"x-api-key": api_key}) as raw:
            mcp_cm = floor_cm = None
            mcp_client = floor_client = None
            server = which("heygen-lipsync-mcp")
            if with_mcp and server is not None:
                env = {
                    **os.environ,
                    "HEYGEN_API_KEY": api_key,
                    "HEYGEN_BASE_URL": base_url,
                    "HEYGEN_LIPSYNC_ALLOWED_DIRS": tempfile.mkdtemp(),
                    "HEYGEN_LIPSYNC_LOG_LEVEL": "WARNING",
                }
                mcp_cm = Client(StdioServerParameters(command=server, env=env))
                mcp_client = await mcp_cm.__aenter__()
                floor_cm = Client(StdioServerParameters(command=sys.executable, args=[str(FLOOR_SERVER)], env=env))
                floor_client = await floor_cm.__aenter__()
            try:
                # Warm up every path (connections, first-call imports).
                for _ in range(5):
                    (await raw.get(url)).raise_for_status()
                    await client.get(lipsync_id)
                    for mcp_side in (mcp_client, floor_client):
                        if mcp_side is not None:
                            result = await mcp_side.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
                            assert not result.is_error, result.content

                async def raw_call() -> None:
                    response = await raw.get(url)
                    response.raise_for_status()
                    response.json()

                async def library_call() -> None:
                    await client.get(lipsync_id)

                async def mcp_call() -> None:
                    assert mcp_client is not None
                    result = await mcp_client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
                    assert not result.is_error

                async def floor_call() -> None:
                    assert floor_client is not None
                    result = await floor_client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
                    assert not result.is_error

                paths = {"raw": raw_call, "library": library_call}
                if mcp_client is not None:
                    paths["mcp"] = mcp_call
                    paths["floor"] = floor_call
                order = list(paths)
                for i in range(calls):
                    # Rotate the order so no path always follows the same one.
                    shift = i % len(order)
                    for name in order[shift:] + order[:shift]:
                        start = time.perf_counter()
                        await paths[name]()
                        timings[name].append((time.perf_counter() - start) * 1000)
            finally:
                # Leave in the reverse order of entering: each client's task group must close
                # while it is the innermost one, or anyio refuses to exit its cancel scope.
                for cm in (floor_cm, mcp_cm):
                    if cm is not None:
                        await cm.__aexit__(None, None, None)
    return timings


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300, help="calls per path (default 300)")
    parser.add_argument("--no-mcp", action="store_true", help="skip the MCP-over-stdio column")
    args = parser.parse_args(argv)
    with sandbox_process(pending_seconds=0, running_seconds=0) as sb:
        timings = asyncio.run(_run(sb.base_url, sb.api_key, args.calls, not args.no_mcp))
    raw, lib, mcp, floor = timings["raw"], timings["library"], timings["mcp"], timings["floor"]
    rows = [
        Row(
            "library get: median", median(raw), median(lib), "ms", f"<= {TARGET}x", median(lib) / median(raw) <= TARGET
        ),
        Row("library get: p95", p95(raw), p95(lib), "ms"),
    ]
    if mcp:
        rows += [
            Row(
                "MCP get_lipsync over stdio: median (vs one-tool MCPServer doing the raw GET)",
                median(floor),
                median(mcp),
                "ms",
                f"<= {MCP_TARGET}x",
                median(mcp) / median(floor) <= MCP_TARGET,
            ),
            Row("MCP get_lipsync over stdio: p95 (vs the same floor)", p95(floor), p95(mcp), "ms"),
            Row("the floor itself: one-tool MCPServer vs raw httpx GET, median", median(raw), median(floor), "ms"),
        ]
    return print_table(
        f"Call overhead: GET one lipsync from the sandbox ({args.calls} calls each, interleaved)",
        rows,
        reference_name="raw httpx GET",
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
