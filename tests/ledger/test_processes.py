"""Exactly-once across real processes: a CLI run killed mid-wait and rerun, two MCP servers sharing one ledger."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig, clock
from tests.ledger.stores import Store
from tests.mcp.conftest import preview, structured

BOUND = 60.0  # seconds any single step may take on a slow, shared machine before the test gives up


@pytest.fixture
def slow_box() -> Iterator[EmbeddedSandbox]:
    """Jobs that run long enough to be killed mid-wait, and still finish within the rerun's bound."""
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.2, running_seconds=4.0)) as box:
        yield box


def _env(box: EmbeddedSandbox, ledger: Path | None, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEYGEN_", "PYTEST"))}
    env.update(HEYGEN_API_KEY=box.api_key, HEYGEN_BASE_URL=box.base_url, HEYGEN_LIPSYNC_ASSUME_YES="1")
    env.update(
        {"HEYGEN_LIPSYNC_LEDGER": str(ledger)} if ledger else {"HEYGEN_LIPSYNC_DATABASE_URL": database_url or ""}
    )
    return env


def _jobs(box: EmbeddedSandbox) -> int:
    return len(box.app.store.list_jobs(10_000_000, None))


def _recorded_lipsync(ledger: Path) -> str | None:
    if not ledger.exists():
        return None
    try:
        with sqlite3.connect(ledger, timeout=5) as conn:
            sql = "SELECT lipsync_id FROM jobs WHERE kind = 'lipsync' AND lipsync_id IS NOT NULL"
            row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:  # the schema is being created
        return None
    return str(row[0]) if row else None


def test_create_wait_download_killed_mid_wait_then_rerun_makes_one_job_and_one_download(
    slow_box: EmbeddedSandbox, tmp_path: Path
) -> None:
    video, audio, out, ledger = tmp_path / "talk.mp4", tmp_path / "dub.wav", tmp_path / "out.mp4", tmp_path / "l.db"
    shutil.copy(SAMPLE_VIDEO, video)
    shutil.copy(SAMPLE_AUDIO, audio)
    command = [sys.executable, "-c", "from heygen_lipsync.cli import main; main()"]
    command += ["create", "--video", str(video), "--audio", str(audio), "--wait", "--download", str(out)]
    env = _env(slow_box, ledger)
    first = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + BOUND
        while (lipsync_id := _recorded_lipsync(ledger)) is None:  # created: now it waits
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run never recorded its job"
            time.sleep(0.05)
        row = slow_box.app.store.get_job(lipsync_id)
        assert row is not None and clock.now() < row.done_at, "killed mid-wait, before the job finished"
        first.send_signal(signal.SIGKILL)
    finally:
        first.kill()
        first.communicate()
    assert not out.exists()
    again = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=BOUND, check=False)
    assert again.returncode == 0, again.stderr
    assert "same request as" in again.stderr
    assert out.stat().st_size > 0
    assert _jobs(slow_box) == 1
    with sqlite3.connect(ledger) as conn:
        (downloads,) = conn.execute("SELECT downloads FROM jobs WHERE lipsync_id = ?", (lipsync_id,)).fetchone()
    assert len(json.loads(downloads)) == 1


@pytest.mark.anyio
async def test_a_lost_create_retried_on_another_server_process_makes_one_job(
    upstream: EmbeddedSandbox, workdir: Path, tmp_path: Path, store: Store
) -> None:
    args: dict[str, Any] = {"video_path": "talk.mp4", "audio_path": "dub.wav"}  # no idempotency_key
    env = _env(upstream, Path(store.target)) if store.kind == "sqlite" else _env(upstream, None, store.target)
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "heygen_lipsync.mcp", "--allowed-dir", str(workdir)],
        env=env,
        cwd=str(workdir),
    )
    ids = []
    for replica in ("first", "second"):
        with (tmp_path / f"{replica}.log").open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                if replica == "first":
                    token = await preview(client, "create_lipsync", args)
                    confirmed = {**args, "confirm_spend": True, "approval_token": token}
                    result = await client.call_tool("create_lipsync", confirmed)
                else:  # the same job, known to the shared store: nothing new to pay for, so no question
                    result = await client.call_tool("create_lipsync", args)
                ids.append(structured(result))
        # The first process ends without its answer reaching the model: the model asks the second.
    assert ids[1]["lipsync_id"] == ids[0]["lipsync_id"] and ids[1]["reused"] is True
    assert _jobs(upstream) == 1
