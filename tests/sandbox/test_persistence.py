"""What the sandbox acknowledged survives a restart, and a kill, on the same data directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig, create_app
from tests.sandbox.conftest import AUTH, fast_config, wait


def test_a_second_sandbox_on_the_same_directory_sees_everything(tmp_path: Path) -> None:
    with (
        EmbeddedSandbox(fast_config(data_dir=tmp_path, pending_seconds=0.3)) as first,
        httpx.Client(base_url=first.base_url, headers=AUTH) as client,
    ):
        video = client.post("/v3/assets", files={"file": ("v.mp4", SAMPLE_VIDEO.read_bytes())}).json()["data"]
        audio = client.post("/v3/assets", files={"file": ("a.wav", SAMPLE_AUDIO.read_bytes())}).json()["data"]
        body = {
            "video": {"type": "asset_id", "asset_id": video["asset_id"]},
            "audio": {"type": "asset_id", "asset_id": audio["asset_id"]},
            "title": "kept",
        }
        created = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "keep-1"}).json()
        batch_id = client.post("/v3/lipsyncs/batches", json={"lipsyncs": [body]}).json()["data"]["batch_id"]
    lipsync_id = created["data"]["lipsync_id"]
    with (
        EmbeddedSandbox(fast_config(data_dir=tmp_path)) as second,
        httpx.Client(base_url=second.base_url, headers=AUTH) as client,
    ):
        job = wait(client, lipsync_id)
        assert job["status"] == "completed" and job["title"] == "kept"
        replay = client.post("/v3/lipsyncs", json=body, headers={"Idempotency-Key": "keep-1"})
        assert replay.json() == created
        assert client.get(f"/v3/lipsyncs/batches/{batch_id}").json()["data"]["total_items"] == 1
        assert len(client.get("/v3/lipsyncs").json()["data"]) == 2
        assert httpx.get(job["video_url"]).status_code == 200


def test_an_in_memory_sandbox_leaves_nothing_behind() -> None:
    app = create_app(SandboxConfig())
    root = app.sandbox.store.root
    assert root.exists()
    app.sandbox.close()
    assert not root.exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(data_dir: Path, port: int) -> subprocess.Popen[str]:
    code = (
        "from heygen_lipsync.sandbox import SandboxConfig, run_sandbox;"
        f"run_sandbox(port={port}, config=SandboxConfig(data_dir=__import__('pathlib').Path({str(data_dir)!r}),"
        " pending_seconds=0.1, running_seconds=0.1))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    give_up = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_sandbox/info").status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > give_up:
            proc.kill()
            pytest.fail(f"the sandbox did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_killing_the_server_loses_nothing_it_acknowledged(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers=AUTH) as client:
            asset = client.post("/v3/assets", files={"file": ("v.mp4", SAMPLE_VIDEO.read_bytes())}).json()["data"]
            source = {"type": "asset_id", "asset_id": asset["asset_id"]}
            created = client.post("/v3/lipsyncs", json={"video": source, "audio": source})
            lipsync_id = created.json()["data"]["lipsync_id"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.stderr is not None
    assert "does NOT re-animate lips" in proc.stderr.read()
    proc = _serve(tmp_path, port)
    try:
        with httpx.Client(base_url=base, headers=AUTH) as client:
            assert wait(client, lipsync_id)["status"] == "completed"
    finally:
        proc.terminate()
        proc.wait()
