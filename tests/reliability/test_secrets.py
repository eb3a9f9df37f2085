"""Secret hygiene: with a recognisable fake key, no output, log or cassette ever shows it.

The sandbox is configured to accept the fake key, so the success paths run for real; the
failure paths use a sandbox that refuses it (401), ids that do not exist, bad files and an
address where nothing listens. Everything a user or an operator could see is scanned:
stdout, stderr, tool results (text and structured), every log record at DEBUG, the MCP
server's stderr over stdio, and the recorded cassettes.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from typer.testing import CliRunner

from heygen_lipsync import AsyncLipsyncClient, resolve_settings
from heygen_lipsync.cli import app
from heygen_lipsync.config import Settings
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig
from tests.conftest import ROOT
from tests.mcp.conftest import approved
from tests.reliability.conftest import FAKE_KEY
from tests.reliability.fuzzing import assert_clean
from tests.reliability.scenarios import sandbox_config

CASSETTES = ROOT / "tests" / "cassettes"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(scope="module")
def accepting() -> Iterator[EmbeddedSandbox]:
    """A sandbox whose only accepted key is the fake one."""
    with EmbeddedSandbox(sandbox_config(api_key=FAKE_KEY)) as box:
        yield box


@pytest.fixture(scope="module")
def refusing() -> Iterator[EmbeddedSandbox]:
    """A sandbox that refuses the fake key (every call is a 401)."""
    with EmbeddedSandbox(sandbox_config(api_key="another-key")) as box:
        yield box


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    handler_text = caplog.text
    records = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    return handler_text + "\n" + records


# --- the library itself ---------------------------------------------------------------------


def test_library_objects_never_show_the_key() -> None:
    settings = resolve_settings(api_key=FAKE_KEY, base_url=NOWHERE)
    client = AsyncLipsyncClient(settings=settings)
    bearer = resolve_settings(bearer_token=FAKE_KEY, base_url=NOWHERE)
    assert_clean(repr(settings), str(settings), repr(client), repr(bearer), str(client._http.headers), where="reprs")


# --- the CLI -------------------------------------------------------------------------------------


def _cli(env: dict[str, str | None], *args: str, answer: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=answer, env=env)


def _env(base_url: str, **extra: str | None) -> dict[str, str | None]:
    # HEYGEN_LIPSYNC_ASSUME_YES: creates spend without asking (no terminal here).
    env = {"HEYGEN_BASE_URL": base_url, "HEYGEN_API_KEY": FAKE_KEY, "HEYGEN_BEARER_TOKEN": None}
    return {**env, "HEYGEN_LIPSYNC_ASSUME_YES": "1", **extra}


@pytest.mark.usefixtures("instant_retries")
def test_every_cli_command_succeeds_without_showing_the_key(
    accepting: EmbeddedSandbox, workdir: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    env = _env(accepting.base_url)
    seen: list[Any] = []

    def run(
        *args: str, expect: int = 0, answer: str | None = None, modes: tuple[str, ...] = ("--human", "--json")
    ) -> Any:
        json_result = None
        for mode in modes:
            result = _cli(env, mode, *args, answer=answer)
            seen.append(result)
            assert result.exit_code == expect, f"{args}: exit {result.exit_code}: {result.stderr}"
            if mode == "--json":
                json_result = result
        return json.loads(json_result.stdout) if json_result is not None and json_result.stdout.strip() else None

    asset = run("upload", "dub.wav")
    created = run("create", "--video", "talk.mp4", "--audio", "dub.wav", "--title", "secret-hygiene")
    done = run(
        "create", "--video", "talk.mp4", "--audio", asset["asset_id"], "--wait", "--download", "out.mp4", "--overwrite"
    )
    lipsync_id = created["lipsync_id"]
    run("get", lipsync_id)
    run("list")
    run("list", "--all", "--limit", "2")
    run("update", lipsync_id, "--title", "renamed")
    run("status", lipsync_id, done["id"])
    run("wait", lipsync_id, "--timeout", "60")
    run("download", lipsync_id, "dl.mp4", "--overwrite")
    (workdir / "batch.json").write_text(json.dumps([{"video": "talk.mp4", "audio": "dub.wav"}]))
    batch = run("batch", "create", "batch.json", "--title", "b")
    run("batch", "get", batch["batch_id"])
    run("delete", lipsync_id, "--force", modes=("--json",))
    for result in seen:
        assert_clean(result.stdout, result.stderr, where="a successful CLI command")
    assert_clean(_log_text(debug_logs), where="the CLI's logs")


@pytest.mark.usefixtures("instant_retries")
@pytest.mark.parametrize(
    "args",
    [
        ("get", "ls_missing"),
        ("list",),
        ("update", "ls_missing", "--title", "x"),
        ("delete", "ls_missing", "--force"),
        ("wait", "ls_missing", "--timeout", "1"),
        ("download", "ls_missing"),
        ("upload", "dub.wav"),
        ("upload", "missing.wav"),
        ("status", "ls_missing"),
        ("create", "--video", "talk.mp4", "--audio", "dub.wav"),
        ("create", "--video", "missing.mp4", "--audio", "dub.wav"),
        ("batch", "get", "b_missing"),
        ("batch", "create", "missing.json"),
    ],
    ids=" ".join,
)
def test_every_cli_failure_keeps_the_key_out(
    args: tuple[str, ...],
    accepting: EmbeddedSandbox,
    refusing: EmbeddedSandbox,
    workdir: Path,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    for base_url in (refusing.base_url, accepting.base_url, NOWHERE):
        for env in (_env(base_url), _env(base_url, HEYGEN_API_KEY=None, HEYGEN_BEARER_TOKEN=FAKE_KEY)):
            for flags in ((), ("--debug", "--json-errors")):
                result = _cli(env, *flags, *args)
                where = f"{' '.join(args)} against {base_url} {flags}"
                assert result.exception is None or isinstance(result.exception, SystemExit), where
                # --debug prints tracebacks on purpose; the key stays out of them too.
                assert_clean(result.stdout, result.stderr, where=where, tracebacks_allowed=bool(flags))
    assert_clean(_log_text(debug_logs), where="the CLI's logs", tracebacks_allowed=True)


# --- the MCP server --------------------------------------------------------------------------------


def _server(workdir: Path, base_url: str, **library: Any) -> Any:
    settings = ServerSettings(
        allowed_dirs=(workdir.resolve(),), output_dir=workdir.resolve() / "out", poll_interval=0.02, wait_seconds=30
    )
    library_settings = Settings(**{"api_key": FAKE_KEY, "base_url": base_url, "max_retries": 0, **library})
    return build_server(settings, library_settings=library_settings)


def _scan(result: Any, where: str) -> Any:
    texts = [getattr(block, "text", "") for block in result.content]
    assert_clean(*texts, result.structured_content or {}, result.meta or {}, where=where)
    return result


@pytest.mark.anyio
async def test_every_mcp_tool_succeeds_without_showing_the_key(
    accepting: EmbeddedSandbox, workdir: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    async with Client(_server(workdir, accepting.base_url)) as client:

        async def call(tool: str, **arguments: Any) -> dict[str, Any]:
            result = _scan(await client.call_tool(tool, arguments), tool)
            assert not result.is_error, (tool, result.content)
            return dict(result.structured_content or {})

        asset = await call("upload_asset", path="dub.wav")
        single = {"video_path": "talk.mp4", "audio_asset_id": asset["asset_id"]}
        created = await call("create_lipsync", **await approved(client, "create_lipsync", single))
        lipsync_id = created["lipsync_id"]
        await call("get_lipsync", lipsync_id=lipsync_id)
        await call("list_lipsyncs")
        await call("update_lipsync", lipsync_id=lipsync_id, title="renamed")
        waited = await call("wait_for_lipsync", lipsync_id=lipsync_id, timeout_seconds=30)
        assert not waited.get("still_running")
        await call("download_lipsync", lipsync_id=lipsync_id)
        items = {"items": [{"video_path": "talk.mp4", "audio_path": "dub.wav"}]}
        batch = await call("create_lipsync_batch", **await approved(client, "create_lipsync_batch", items))
        await call("get_lipsync_batch", batch_id=batch["batch_id"])
        await call("delete_lipsync", lipsync_id=lipsync_id)
    assert_clean(_log_text(debug_logs), where="the MCP server's logs")


FAILING_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_lipsync", {"lipsync_id": "ls_missing"}),
    ("list_lipsyncs", {}),
    ("update_lipsync", {"lipsync_id": "ls_missing", "title": "x"}),
    ("delete_lipsync", {"lipsync_id": "ls_missing"}),
    ("wait_for_lipsync", {"lipsync_id": "ls_missing", "timeout_seconds": 1}),
    ("download_lipsync", {"lipsync_id": "ls_missing"}),
    ("upload_asset", {"path": "dub.wav"}),
    ("upload_asset", {"path": "../outside.wav"}),
    ("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav", "confirm_spend": True}),
    ("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav"}),
    ("create_lipsync_batch", {"items": [{"video_path": "talk.mp4", "audio_path": "dub.wav"}], "confirm_spend": True}),
    ("get_lipsync_batch", {"batch_id": "b_missing"}),
]


@pytest.mark.anyio
@pytest.mark.usefixtures("instant_retries")
async def test_every_mcp_tool_failure_keeps_the_key_out(
    accepting: EmbeddedSandbox, refusing: EmbeddedSandbox, workdir: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    for base_url in (refusing.base_url, accepting.base_url, NOWHERE):
        for library in ({}, {"api_key": None, "bearer_token": FAKE_KEY}):
            async with Client(_server(workdir, base_url, **library)) as client:
                for tool, arguments in FAILING_CALLS:
                    _scan(await client.call_tool(tool, arguments), f"{tool} against {base_url}")
    assert_clean(_log_text(debug_logs), where="the MCP server's logs")


@pytest.mark.anyio
async def test_mcp_server_over_stdio_logs_nothing_secret_at_debug(
    accepting: EmbeddedSandbox, refusing: EmbeddedSandbox, workdir: Path
) -> None:
    stderr_path = workdir / "mcp-stderr.log"
    for base_url in (accepting.base_url, refusing.base_url):
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "heygen_lipsync.mcp", "--allowed-dir", str(workdir), "--log-level", "DEBUG"],
            env={
                "HEYGEN_API_KEY": FAKE_KEY,
                "HEYGEN_BASE_URL": base_url,
                "HEYGEN_LIPSYNC_MAX_RETRIES": "0",
                "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            },
            cwd=str(workdir),
        )
        with stderr_path.open("a") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                _scan(await client.call_tool("list_lipsyncs", {}), "list_lipsyncs over stdio")
                _scan(await client.call_tool("get_lipsync", {"lipsync_id": "ls_missing"}), "get_lipsync over stdio")
                _scan(await client.call_tool("upload_asset", {"path": "dub.wav"}), "upload_asset over stdio")
    logged = stderr_path.read_text()
    assert "DEBUG" in logged  # the scan below read real debug output
    assert_clean(logged, where="the MCP server's stderr")


# --- recordings ------------------------------------------------------------------------------------


def _recorder() -> Any:
    spec = importlib.util.spec_from_file_location("record_cassettes", ROOT / "scripts" / "record_cassettes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.anyio
async def test_recording_every_cassette_with_the_key_writes_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record every scenario against a sandbox whose key is the fake one, then scan what was written."""
    recorder = _recorder()
    monkeypatch.setattr(recorder, "SandboxConfig", functools.partial(SandboxConfig, api_key=FAKE_KEY))
    out = tmp_path / "cassettes"
    out.mkdir()
    for name, scenario in recorder.SCENARIOS.items():
        workdir = tmp_path / name
        workdir.mkdir()
        await recorder.record_one(scenario, live=False, out_dir=out, workdir=workdir)
    written = sorted(out.glob("*.yaml"))
    assert len(written) == len(recorder.SCENARIOS)
    for path in written:
        text = path.read_text(errors="replace")
        assert "REDACTED" in text  # the recording really carried credentials, scrubbed
        assert_clean(text, where=f"the freshly recorded {path.name}")


AUTH_HEADERS = ("x-api-key", "authorization")


def test_cassettes_hold_no_key() -> None:
    files = sorted(p for p in CASSETTES.rglob("*") if p.is_file()) if CASSETTES.exists() else []
    if not files:
        pytest.skip("no cassettes recorded yet (tests/cassettes/ is empty)")
    for path in files:
        text = path.read_text(errors="replace")
        assert_clean(text, where=str(path.relative_to(ROOT)))
        for line in text.splitlines():
            lowered = line.strip().lower()
            for header in AUTH_HEADERS:
                if lowered.startswith((f"{header}:", f"'{header}':", f'"{header}":', f"- {header}:")):
                    assert "redacted" in lowered or "***" in lowered or lowered.endswith(":"), (
                        f"{path.name}: an unredacted {header} header: {line.strip()[:80]}"
                    )
