"""`sandbox serve` in a real subprocess, `mcp` delegating to the MCP server, and a job that fails."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from heygen_lipsync.cli import app

from .conftest import Cli, error_json


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sandbox_serve_runs_in_the_foreground_and_serves_the_api(tmp_path: Path) -> None:
    port = _free_port()
    executable = Path(sys.executable).parent / "heygen-lipsync"
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEYGEN_")}
    server = subprocess.Popen(
        [str(executable), "sandbox", "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(300):  # up to ~30 s for the server to start; never a timing assertion
            try:
                httpx.get(base_url + "/v3/lipsyncs", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        # A loopback base URL needs no key.
        result = CliRunner().invoke(app, ["--base-url", base_url, "list"], env={"HEYGEN_API_KEY": None})
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout) == {"data": [], "has_more": False, "next_token": None}
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert (tmp_path / "data").is_dir()


def test_mcp_delegates_to_the_mcp_server() -> None:
    result = CliRunner().invoke(app, ["mcp", "--help"])
    assert result.exit_code == 0
    assert "--transport" in result.stdout and "--sandbox" in result.stdout


def test_failed_job_is_exit_1_and_still_prints_the_job(cli: Cli, samples: tuple[Path, Path]) -> None:
    # The sandbox fetches URL sources; nothing listens on port 9, so the job fails.
    result = cli("create", "--video", "http://127.0.0.1:9/missing.mp4", "--audio", samples[1], "--wait")
    assert result.exit_code == 1
    job = json.loads(result.stdout)
    assert job["status"] == "failed" and job["failure_message"]
    assert error_json(result)["code"] == "job_failed"
    assert "error: lipsync" in result.stderr and "failed" in result.stderr


def test_sandbox_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    # A real process: uvicorn configures logging handlers on the stderr of the moment.
    executable = Path(sys.executable).parent / "heygen-lipsync"
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEYGEN_")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(executable), "sandbox", "serve", "--port", str(port), "--in-memory"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert json.loads(result.stderr.splitlines()[-1])["error"]["code"] == "sandbox_error"
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
    # The port is bound before anything is announced: no "sandbox on ..." line for a server that never ran.
    assert "HeyGen Lipsync sandbox on" not in result.stderr
