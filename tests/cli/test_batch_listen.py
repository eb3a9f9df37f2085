"""`batch wait --listen HOST:PORT` (or HEYGEN_LIPSYNC_CALLBACK_LISTEN): a delivery ends the wait, not the next round."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig
from tests.cli.conftest import Cli, error_json


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[EmbeddedSandbox]:
    # Jobs run 2 s: the wait's first round sees them running, whatever the machine's speed.
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=2)) as sb:
        yield sb


@pytest.fixture
def slow_cli(cli: Cli, slow_sandbox: EmbeddedSandbox) -> Cli:
    return Cli(env={**cli.env, "HEYGEN_BASE_URL": slow_sandbox.base_url, "HEYGEN_API_KEY": slow_sandbox.api_key})


def _create(cli: Cli, samples: tuple[Path, Path], tmp_path: Path, callback_url: str) -> str:
    video, audio = samples
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps({"lipsyncs": [{"video": str(video), "audio": str(audio)}]}))
    return str(cli.json("batch", "create", manifest, "--callback-url", callback_url)["batch_id"])


@pytest.mark.parametrize("how", ["option", "setting"])
def test_the_batch_callback_ends_the_wait_within_a_delivery(
    slow_cli: Cli, samples: tuple[Path, Path], tmp_path: Path, how: str
) -> None:
    address = f"127.0.0.1:{free_port()}"
    batch_id = _create(slow_cli, samples, tmp_path, f"http://{address}/heygen-callback")
    started = time.monotonic()
    if how == "option":
        done = slow_cli("batch", "wait", batch_id, "--listen", address, "--poll-interval", "60")
    else:
        env = {"HEYGEN_LIPSYNC_CALLBACK_LISTEN": address}
        done = slow_cli("batch", "wait", batch_id, "--poll-interval", "60", env=env)
    took = time.monotonic() - started
    assert done.exit_code == 0, done.stderr
    assert [item["status"] for item in json.loads(done.stdout)] == ["completed"]
    assert f"listening for {batch_id}'s batch.finished at http://{address}/heygen-callback" in done.stderr
    # Without the delivery, the round after the first comes 8 s or more later (rounds of up to 10 s, jitter 0.8).
    assert took < 7.5


def test_a_bad_listen_address_names_the_option(cli: Cli) -> None:
    refused = cli("batch", "wait", "lsb_123", "--listen", "not-an-address")
    assert refused.exit_code == 2
    error = error_json(refused)
    assert error["param"] == "--listen" and "HOST:PORT" in error["message"]


def test_listen_is_in_the_help(cli: Cli) -> None:
    shown = cli("batch", "wait", "--help", env={"COLUMNS": "200"})
    assert "--listen" in shown.stdout and "HEYGEN_LIPSYNC_CALLBACK_LISTEN" in shown.stdout
