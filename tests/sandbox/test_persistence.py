"""What the sandbox acknowledged survives a restart, and a kill, on the same data directory."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig, create_app
from tests.sandbox.conftest import AUTH, fast_config, sample_request, wait


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


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    give_up = time.monotonic() + 30  # only stops a hung test
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_put_killed_midway_leaves_no_temporary_file_after_the_next_start(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(tmp_path, port)
    mine = tmp_path / "notes.txt"  # not the sandbox's: never touched
    mine.write_text("keep")
    release = threading.Event()

    def half_then_stall() -> Iterator[bytes]:
        yield b"\0" * 1024 * 1024
        release.wait(30)
        yield b"\0"

    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=AUTH) as client:
            upload = client.post(
                "/v3/assets/direct-uploads",
                json={"filename": "big.mp4", "content_type": "video/mp4", "size_bytes": 10 * 1024 * 1024},
            ).json()["data"]

        def put() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.put(upload["upload_url"], content=half_then_stall(), headers=upload["upload_headers"])

        sender = threading.Thread(target=put)
        sender.start()
        _wait_for(lambda: any(f.stat().st_size > 0 for f in (tmp_path / "tmp").iterdir()), "the PUT to arrive")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        release.set()
    sender.join()
    assert list((tmp_path / "tmp").iterdir()) != []
    proc = _serve(tmp_path, port)
    try:
        assert list((tmp_path / "tmp").iterdir()) == []
        assert mine.read_text() == "keep"
    finally:
        proc.terminate()
        proc.wait()


def test_a_second_process_on_the_directory_keeps_the_first_ones_request_in_flight(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    key = {"Idempotency-Key": "shared-1"}
    answers: dict[str, httpx.Response] = {}
    with EmbeddedSandbox(fast_config(data_dir=tmp_path)) as first:
        store = first.app.store
        insert_jobs = store.insert_jobs

        def stalled_insert(*args: Any, **kwargs: Any) -> None:
            entered.set()
            release.wait(30)  # the first process is still working on the create
            insert_jobs(*args, **kwargs)

        with httpx.Client(base_url=first.base_url, headers=AUTH) as client:
            body = sample_request(client)
        store.insert_jobs = stalled_insert  # type: ignore[method-assign]

        def create_on_first() -> None:
            answers["first"] = httpx.post(f"{first.base_url}/v3/lipsyncs", json=body, headers={**AUTH, **key})

        sender = threading.Thread(target=create_on_first)
        sender.start()
        assert entered.wait(30)
        port = _free_port()
        proc = _serve(tmp_path, port)  # a second process on the same directory
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=AUTH) as client:
                answers["second"] = client.post("/v3/lipsyncs", json=body, headers=key)
                release.set()
                sender.join()
                listed = client.get("/v3/lipsyncs", params={"limit": 100}).json()["data"]
        finally:
            release.set()
            proc.terminate()
            proc.wait()
    assert answers["second"].status_code == 409
    assert answers["second"].json()["error"]["code"] == "request_in_progress"
    assert answers["first"].status_code == 200
    assert [job["id"] for job in listed] == [answers["first"].json()["data"]["lipsync_id"]]


def test_a_directory_a_newer_sandbox_added_columns_to_still_serves(tmp_path: Path) -> None:
    """One data directory, used by a newer version and then this one again: unknown columns are left alone."""
    import sqlite3

    with (
        EmbeddedSandbox(fast_config(data_dir=tmp_path)) as first,
        httpx.Client(base_url=first.base_url, headers=AUTH) as client,
    ):
        asset_id = client.post("/v3/assets", files={"file": ("a.wav", SAMPLE_AUDIO.read_bytes())}).json()["data"][
            "asset_id"
        ]
        lipsync_id = client.post("/v3/lipsyncs", json=sample_request(client)).json()["data"]["lipsync_id"]
    db = sqlite3.connect(tmp_path / "sandbox.sqlite3")
    with db:
        for table in ("assets", "jobs", "batches"):
            db.execute(f"ALTER TABLE {table} ADD COLUMN added_by_a_newer_version TEXT")
    db.close()
    with (
        EmbeddedSandbox(fast_config(data_dir=tmp_path)) as second,
        httpx.Client(base_url=second.base_url, headers=AUTH) as client,
    ):
        assert client.get(f"/v3/assets/{asset_id}").status_code == 200
        assert wait(client, lipsync_id)["status"] == "completed"
