"""Saved files are named from the id the user asked for, never from a string the server sent.

Issue 24, item 1 (and the CLI's side of items 3 and 5). A hostile server (``tests/lib/hostile.py``)
answers ``GET /v3/lipsyncs/ls_1`` with an ``id`` such as ``../escaped`` or an absolute path;
``download``, ``wait --download`` and ``batch download`` must still write only inside the
folder the user named, as ``ls_1.mp4``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli, error_json
from tests.lib.hostile import HostileServer, json_answer, raw_answer


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's current folder, one level below everything else the test looks at."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def hostile_cli(server: HostileServer, tmp_path: Path) -> Cli:
    return Cli(
        env={
            "HEYGEN_BASE_URL": server.base_url,
            "HEYGEN_API_KEY": "k",
            "HEYGEN_BEARER_TOKEN": None,
            "HEYGEN_LIPSYNC_MAX_RETRIES": "0",
            "HEYGEN_LIPSYNC_LEDGER": str(tmp_path / "ledger.sqlite"),
        }
    )


def serve_job(server: HostileServer, claimed_id: str) -> None:
    """ls_1 answers as completed, but claims the id ``claimed_id``; its video is served too."""
    job = {"id": claimed_id, "status": "completed", "video_url": f"{server.base_url}/out/v.mp4", "title": "t"}
    server.route("/v3/lipsyncs/ls_1", json_answer({"data": job}))
    server.route("/out/v.mp4", raw_answer(b"video bytes", headers={"Content-Type": "video/mp4"}))


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix in (".mp4", ".srt")}


@pytest.mark.parametrize("claimed", ["../escaped", "../../escaped", "/tmp/elsewhere/planted", "sub/inner"])
def test_download_into_the_current_folder_uses_the_asked_id(
    hostile_cli: Cli, server: HostileServer, work: Path, claimed: str
) -> None:
    serve_job(server, claimed)
    result = hostile_cli("download", "ls_1")
    assert result.exit_code == 0, result.stderr
    assert (work / "ls_1.mp4").read_bytes() == b"video bytes"
    assert files_under(work.parent) == {"work/ls_1.mp4"}
    assert not Path("/tmp/elsewhere/planted.mp4").exists()


def test_download_into_a_named_folder_uses_the_asked_id(hostile_cli: Cli, server: HostileServer, work: Path) -> None:
    outside = work.parent / "elsewhere"
    serve_job(server, str(outside / "planted"))
    (work / "target").mkdir()
    result = hostile_cli("download", "ls_1", "target/")
    assert result.exit_code == 0, result.stderr
    assert files_under(work.parent) == {"work/target/ls_1.mp4"}
    assert not outside.exists()


def test_wait_then_download_uses_the_asked_id(hostile_cli: Cli, server: HostileServer, work: Path) -> None:
    serve_job(server, "../escaped")
    (work / "out").mkdir()
    result = hostile_cli("--json", "wait", "ls_1", "--download", "out")
    assert result.exit_code == 0, result.stderr
    assert files_under(work.parent) == {"work/out/ls_1.mp4"}
    assert json.loads(result.stdout)["id"] == "ls_1"  # the job asked about, not the server's claim


def _batch(server: HostileServer, items: list[dict[str, Any]], cycle: bool = False) -> None:
    def answer(ex: Any) -> None:
        token = ex.seen.query.get("token", [None])[0]
        nxt = {None: "A", "A": "B", "B": "A"}[token] if cycle else None
        body = {"batch_id": "b_1", "status": "completed", "items": items, "has_more": cycle, "next_token": nxt}
        json_answer({"data": body})(ex)

    server.route("/v3/lipsyncs/batches/b_1", answer)


def test_batch_download_refuses_an_item_id_that_is_a_path(hostile_cli: Cli, server: HostileServer, work: Path) -> None:
    serve_job(server, "ls_1")
    _batch(server, [{"item_index": 0, "status": "completed", "video_id": "../escaped"}])
    result = hostile_cli("--json", "batch", "download", "b_1", "out")
    assert result.exit_code != 0
    error = error_json(result)
    assert error["code"] == "unexpected_response" and "video_id" in error["message"]
    assert files_under(work.parent) == set()


def test_batch_download_stops_at_a_page_token_seen_before(hostile_cli: Cli, server: HostileServer, work: Path) -> None:
    serve_job(server, "ls_1")
    _batch(server, [{"item_index": 0, "status": "completed", "video_id": "ls_1"}], cycle=True)
    result = hostile_cli("--json", "batch", "download", "b_1", "out")
    assert result.exit_code != 0
    assert error_json(result)["code"] == "unexpected_response"
    assert len(server.requests_to("/v3/lipsyncs/batches/b_1")) == 3  # None -> A -> B -> A: stop


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} in the output: not JSON")


@pytest.mark.parametrize("number", ["NaN", "Infinity"])
def test_json_output_stays_json_when_the_server_sends_nan(
    hostile_cli: Cli, server: HostileServer, work: Path, number: str
) -> None:
    body = '{"data": {"id": "ls_1", "status": "completed", "duration": ' + number + "}}"
    server.route("/v3/lipsyncs/ls_1", raw_answer(body.encode()))
    result = hostile_cli("--json", "get", "ls_1")
    assert result.exit_code != 0
    assert number not in result.stdout
    for line in filter(None, (result.stdout + result.stderr).splitlines()):
        if line.startswith(("{", "[")):
            json.loads(line, parse_constant=_not_json)  # json.loads alone would accept NaN
    error = error_json(result)
    assert error["code"] == "unexpected_response" and "data.duration" in error["message"]
