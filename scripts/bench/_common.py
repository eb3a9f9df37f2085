"""Shared pieces of the benchmarks: statistics, the result table, a sandbox in its own process.

The sandbox runs in a child process (not a thread of the measuring process), so the
client being measured does not share its GIL or event loop with the server. The child
exits on its own when its stdin closes (the parent died or finished) or after a time limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Benchmarks measure the API path, not the user's job ledger: with it on, a benchmark's
# repeated identical creates would be answered from the ledger (and pollute the user's own
# records). Child processes inherit this. A benchmark of the ledger itself turns it on.
os.environ.setdefault("HEYGEN_LIPSYNC_LEDGER", "off")
# An installed package runs from compiled bytecode. With PYTHONDONTWRITEBYTECODE set (some
# machines set it for everything), a module edited since its .pyc was written is compiled
# again by every process, and start-up figures would time the compiler: the warm-up runs
# write the .pyc files instead. Child processes inherit this.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
BIN = Path(sys.executable).parent

__all__ = [
    "BIN",
    "PYTHON",
    "ROOT",
    "Row",
    "SandboxProcess",
    "counting_transport",
    "free_port",
    "median",
    "p95",
    "print_table",
    "sandbox_process",
    "stop_process",
    "wait_for_port",
    "which",
]


def counting_transport() -> Any:
    """An httpx transport that counts requests by method (``.counts``); httpx is imported only here,
    after a benchmark has parsed its arguments."""
    from collections import Counter

    import httpx

    class Counting(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=100))
            self.counts: Counter[str] = Counter()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.counts[request.method] += 1
            return await self.inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self.inner.aclose()

    return Counting()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(0.95 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Row:
    """One line of a result table: what, the reference's figure, ours, and the target on ours/reference."""

    what: str
    reference: float | None
    ours: float | None
    unit: str
    target: str = ""  # e.g. "<= 1.25x", ">= 0.7x", "< 100 MB"
    ok: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference in (None, 0) or self.ours is None:
            return None
        return self.ours / self.reference


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    if abs(value) >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


def print_table(title: str, rows: Sequence[Row], *, reference_name: str = "reference") -> bool:
    """Print a fixed-width table; return True when every row with a verdict met its target."""
    header = ("measure", reference_name, "ours", "ratio", "target", "ok")
    lines = [
        (
            row.what,
            _fmt(row.reference, row.unit),
            _fmt(row.ours, row.unit),
            f"{row.ratio:.2f}x" if row.ratio is not None else "-",
            row.target,
            "" if row.ok is None else ("yes" if row.ok else "NO"),
        )
        for row in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines, strict=True)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    notes = [f"- {row.what}: {row.note}" for row in rows if row.note]
    if notes:
        print()
        print("\n".join(notes))
    sys.stdout.flush()
    return all(row.ok is not False for row in rows)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def which(name: str) -> str | None:
    """A command from the venv first, then PATH."""
    local = BIN / name
    if local.exists():
        return str(local)
    return shutil.which(name)


# The child: serve the sandbox until stdin closes or the time limit passes.
_CHILD = r"""
import json, os, sys, threading
from heygen_lipsync.sandbox import FaultConfig, SandboxConfig, run_sandbox
spec = json.loads(sys.argv[1])
faults = spec.pop("faults", None)
if faults:
    spec["faults"] = FaultConfig.from_dict(faults)
if spec.get("data_dir"):
    from pathlib import Path
    spec["data_dir"] = Path(spec["data_dir"])
limit = spec.pop("max_lifetime")
port = spec.pop("port")
scale = spec.pop("clock_scale", 1.0)
if scale != 1.0:
    # A faster sandbox clock (for long jobs): every module reads clock.now(); the worker that
    # finishes due jobs (and sends their callbacks) checks as often in sandbox time.
    import time
    from heygen_lipsync.sandbox import clock, scheduler
    origin = time.time()
    clock.now = lambda: origin + (time.time() - origin) * scale
    scheduler._WORKER_INTERVAL /= scale
def watchdog():
    sys.stdin.read()  # returns when the parent closes the pipe or dies
    os._exit(0)
threading.Thread(target=watchdog, daemon=True).start()
threading.Timer(limit, lambda: os._exit(3)).start()
run_sandbox(host="127.0.0.1", port=port, config=SandboxConfig(**spec))
"""


@dataclass
class SandboxProcess:
    base_url: str
    api_key: str
    process: subprocess.Popen[bytes]


@contextmanager
def sandbox_process(
    *, max_lifetime: float = 3600.0, log: Path | None = None, **config: Any
) -> Iterator[SandboxProcess]:
    """A sandbox served by a child process on 127.0.0.1; config keys are SandboxConfig fields.

    Defaults: in memory, key "sandbox-key". Stopped on exit (and by itself if this process dies).
    ``log``: a file for its request log (one line per answer: method, path, status), else none.
    ``clock_scale=K`` runs the sandbox's clock K times faster than real time (jobs of 10 min
    in 10/K min); the measuring side must scale its own clock alike (see ``wait_latency.py``).
    """
    port = free_port()
    spec: dict[str, Any] = {"data_dir": None, **config, "port": port, "max_lifetime": max_lifetime}
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") if log is not None else contextlib.nullcontext() as err:
        process = subprocess.Popen(
            [PYTHON, "-c", _CHILD, json.dumps(spec, default=str)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err if err is not None else subprocess.DEVNULL,
            env=env,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, process, "the sandbox process")
        yield SandboxProcess(base_url=base_url, api_key=str(config.get("api_key", "sandbox-key")), process=process)
    finally:
        stop_process(process)


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    """Return once ``process`` listens on 127.0.0.1:``port``; raise if it exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """End a child that exits when its stdin closes; kill it if it has not within 10 s."""
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
